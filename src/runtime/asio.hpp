#pragma once

// Boost.Asio/Beast with C++20 coroutines. Boost 1.74 enables co_await only
// for GCC and MSVC; clang (the fuzz preset) supports C++20 coroutines with
// libstdc++'s <coroutine> as well, so enable it there too. Include this
// header, never Boost.Asio directly, so every translation unit agrees.

#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif

// clang 14 cannot emit coroutines under -fsanitize=function ("Cannot represent
// a difference across sections"); the UBSan builds use that check. Exempt the
// coroutine code: TRELLIS_COROUTINES_BEGIN/END bracket it (and the Asio
// headers, whose coroutine templates are instantiated in our files).
#if defined(__clang__)
#define TRELLIS_COROUTINES_BEGIN \
    _Pragma("clang attribute push(__attribute__((no_sanitize(\"function\"))), apply_to = function)")
#define TRELLIS_COROUTINES_END _Pragma("clang attribute pop")
#else
#define TRELLIS_COROUTINES_BEGIN
#define TRELLIS_COROUTINES_END
#endif

TRELLIS_COROUTINES_BEGIN

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
TRELLIS_COROUTINES_END

// Short names for Boost's namespaces, the same in every shell module.
namespace trellis {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
}  // namespace trellis
