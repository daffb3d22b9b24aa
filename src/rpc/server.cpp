#include "rpc/server.hpp"

#include <atomic>
#include <future>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/asio.hpp"
#include "rpc/eth_json.hpp"
#include "runtime/metrics.hpp"
#include "rpc/subscriptions.hpp"

TRELLIS_COROUTINES_BEGIN

namespace trellis::rpc {

const char* to_string(ServerError e) noexcept {
    switch (e) {
        case ServerError::kBadAddress: return "invalid listen address";
        case ServerError::kBindFailed: return "cannot listen on the address and port";
        case ServerError::kAlreadyStarted: return "server already started";
    }
    return "server error";
}

namespace {

using asio::awaitable;
using asio::use_awaitable;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::string error_body(int c, std::string_view message) { return make_error(nullptr, c, message).dump(); }

/// Messages waiting for a WebSocket client, and the timer the writer waits on.
/// push() may run on any thread; everything else on the connection's strand.
struct Outbox {
    explicit Outbox(asio::any_io_executor ex, size_t limit) : strand(ex), wake(ex), limit(limit) {
        wake.expires_at(asio::steady_timer::time_point::max());
    }
    asio::any_io_executor strand;
    asio::steady_timer wake;
    size_t limit;
    std::mutex mutex;  // guards queue, overflow, closed
    std::deque<std::shared_ptr<const std::string>> queue;
    bool overflow = false;
    bool closed = false;

    /// Queues msg unless over limit (then marks overflow). Returns false on overflow.
    bool push(std::shared_ptr<const std::string> msg, size_t cap) {
        {
            std::lock_guard lock(mutex);
            if (closed) return true;
            if (queue.size() >= cap) overflow = true;
            else queue.push_back(std::move(msg));
        }
        notify();
        std::lock_guard lock(mutex);
        return !overflow;
    }
    void notify() {
        asio::post(strand, [self = this, keep = keep_alive.lock()] {
            if (keep) self->wake.cancel();
        });
    }
    std::weak_ptr<Outbox> keep_alive;
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
    asio::io_context& ioc;
    Settings settings;
    const Dispatcher& dispatcher;
    Backend* backend;
    runtime::metrics::Registry* registry;
    runtime::metrics::Gauge* connections_gauge = nullptr;
    runtime::metrics::Counter* rejected_counter = nullptr;

    std::unique_ptr<tcp::acceptor> acceptor;
    std::shared_ptr<SubscriptionHub> hub;
    uint64_t listener_id = 0;
    bool listening = false;
    std::atomic<uint16_t> bound_port{0};
    std::atomic<size_t> active{0};
    std::atomic<bool> stopping{false};
    std::vector<std::thread> threads;
    std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;

    std::mutex sessions_mutex;  // guards closers and next_session
    uint64_t next_session = 1;
    std::unordered_map<uint64_t, std::function<void()>> closers;

    Impl(asio::io_context& c, Settings s, const Dispatcher& d, Backend* b, runtime::metrics::Registry* m)
        : ioc(c), settings(std::move(s)), dispatcher(d), backend(b), registry(m),
          hub(std::make_shared<SubscriptionHub>(settings.max_subscriptions_per_connection)) {
        if (registry) {
            connections_gauge = &registry->gauge("trellis_rpc_connections", "Open JSON-RPC connections").with({});
            rejected_counter = &registry->counter("trellis_rpc_connections_rejected_total",
                                                  "Connections refused at the connection limit").with({});
        }
    }

    uint64_t track(std::function<void()> closer) {
        std::lock_guard lock(sessions_mutex);
        const uint64_t id = next_session++;
        closers[id] = std::move(closer);
        return id;
    }
    void untrack(uint64_t id) {
        std::lock_guard lock(sessions_mutex);
        closers.erase(id);
    }

    Response make_response(const Request& req, http::status status, std::string body, const char* content_type) {
        Response res{status, req.version()};
        res.set(http::field::server, "trellis");
        res.set(http::field::content_type, content_type);
        if (!settings.cors_origin.empty()) {
            res.set(http::field::access_control_allow_origin, settings.cors_origin);
            res.set(http::field::access_control_allow_headers, "Content-Type");
            res.set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
        }
        res.keep_alive(req.keep_alive());
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    }

    std::string health() {
        json j = {{"status", "ok"}};
        if (backend) {
            j["chainId"] = quantity(backend->chain_id());
            j["headBlock"] = quantity(backend->head_number());
            j["peers"] = backend->peer_count();
        }
        return j.dump();
    }

    Response handle_http(const Request& req) {
        const std::string_view target(req.target().data(), req.target().size());
        const std::string_view path = target.substr(0, target.find('?'));
        if (req.method() == http::verb::post) {
            CallContext ctx;
            ctx.deadline = std::chrono::steady_clock::now() + settings.request_timeout;
            auto out = dispatcher.handle(req.body(), ctx);
            return make_response(req, http::status::ok, out ? std::move(*out) : std::string(), "application/json");
        }
        if (req.method() == http::verb::options) return make_response(req, http::status::no_content, "", "text/plain");
        if (req.method() == http::verb::get || req.method() == http::verb::head) {
            if (path == "/metrics")
                return make_response(req, http::status::ok, registry ? registry->render() : std::string(),
                                     "text/plain; version=0.0.4");
            if (path == "/" || path == "/health") return make_response(req, http::status::ok, health(), "application/json");
            return make_response(req, http::status::not_found, error_body(code::kInvalidRequest, "not found"),
                                 "application/json");
        }
        return make_response(req, http::status::method_not_allowed,
                             error_body(code::kInvalidRequest, "method not allowed: use POST"), "application/json");
    }

    awaitable<void> reject(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(std::chrono::seconds(2));
        Response res{http::status::service_unavailable, 11};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::connection, "close");
        res.body() = error_body(code::kLimitExceeded, "too many connections (limit " +
                                                          std::to_string(settings.max_connections) + ")");
        res.prepare_payload();
        beast::error_code ec;
        co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            beast::error_code ec;
            tcp::socket socket = co_await acceptor->async_accept(asio::make_strand(ioc), asio::redirect_error(use_awaitable, ec));
            if (stopping) co_return;
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                continue;  // e.g. EMFILE: keep accepting
            }
            if (active.load() >= settings.max_connections) {
                if (rejected_counter) rejected_counter->inc();
                asio::co_spawn(socket.get_executor(), reject(std::move(socket)), asio::detached);
                continue;
            }
            ++active;
            if (connections_gauge) connections_gauge->inc();
            auto ex = socket.get_executor();
            asio::co_spawn(ex, session(std::move(socket)), [self](std::exception_ptr) {
                // Exceptions never escape a connection: session catches what it can;
                // anything else just ends this connection.
                --self->active;
                if (self->connections_gauge) self->connections_gauge->dec();
            });
        }
    }

    awaitable<void> session(tcp::socket socket) {
        auto self = shared_from_this();
        auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
        const uint64_t sid = track([stream, ex = stream->get_executor()] {
            asio::post(ex, [stream] {
                beast::error_code ec;
                stream->socket().shutdown(tcp::socket::shutdown_both, ec);
                stream->socket().close(ec);
            });
        });
        struct Untrack {
            Impl* impl;
            uint64_t id;
            ~Untrack() { impl->untrack(id); }
        } untrack{this, sid};
        if (stopping) co_return;

        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(settings.max_body_bytes);
            parser.header_limit(uint32_t(settings.max_header_bytes));
            stream->expires_after(settings.request_timeout);
            beast::error_code ec;
            co_await http::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
            if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
                ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor)
                break;
            if (ec) {
                // Transport-level problem: 413 for an oversized body, else 400; then close.
                const bool too_big = ec == http::error::body_limit || ec == http::error::buffer_overflow;
                Response res{too_big ? http::status::payload_too_large : http::status::bad_request, 11};
                res.set(http::field::content_type, "application/json");
                res.set(http::field::connection, "close");
                res.body() = too_big ? error_body(code::kLimitExceeded,
                                                  "request body too large (limit " +
                                                      std::to_string(settings.max_body_bytes) + " bytes)")
                                     : error_body(code::kParseError, "bad HTTP request: " + ec.message());
                res.prepare_payload();
                stream->expires_after(std::chrono::seconds(5));
                beast::error_code wec;
                co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, wec));
                // Lingering close: stop sending, then drain (bounded in time and
                // bytes) what the client is still writing, so closing with unread
                // input does not reset the connection before it reads the answer.
                stream->socket().shutdown(tcp::socket::shutdown_send, wec);
                stream->expires_after(std::chrono::seconds(2));
                std::vector<char> sink(64 * 1024);
                for (size_t drained = 0; !wec && drained < settings.max_body_bytes + (1u << 20);) {
                    drained += co_await stream->async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, wec));
                }
                break;
            }
            Request req = parser.release();
            if (websocket::is_upgrade(req)) {
                co_await websocket_session(stream, std::move(req));
                co_return;
            }
            Response res;
            try {
                res = handle_http(req);
            } catch (const std::exception& e) {
                res = make_response(req, http::status::internal_server_error,
                                    error_body(code::kInternal, std::string("internal error: ") + e.what()),
                                    "application/json");
            }
            const bool keep = res.keep_alive();
            co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
            if (ec || !keep || stopping) break;
        }
        beast::error_code ec;
        stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    using WsStream = websocket::stream<beast::tcp_stream>;

    awaitable<void> ws_writer(std::shared_ptr<WsStream> ws, std::shared_ptr<Outbox> out) {
        for (;;) {
            std::shared_ptr<const std::string> msg;
            bool overflow = false, closed = false;
            {
                std::lock_guard lock(out->mutex);
                overflow = out->overflow;
                closed = out->closed;
                if (!overflow && !closed && !out->queue.empty()) {
                    msg = std::move(out->queue.front());
                    out->queue.pop_front();
                }
            }
            beast::error_code ec;
            if (closed) co_return;
            if (overflow) {
                // The client is too slow for its subscriptions: drop it with a reason.
                co_await ws->async_close(websocket::close_reason(websocket::close_code::policy_error,
                                                                 "too many queued messages: client too slow"),
                                         asio::redirect_error(use_awaitable, ec));
                co_return;
            }
            if (msg) {
                ws->text(true);
                co_await ws->async_write(asio::buffer(*msg), asio::redirect_error(use_awaitable, ec));
                if (ec) {
                    std::lock_guard lock(out->mutex);
                    out->closed = true;
                    co_return;
                }
                continue;
            }
            out->wake.expires_at(asio::steady_timer::time_point::max());
            co_await out->wake.async_wait(asio::redirect_error(use_awaitable, ec));
        }
    }

    awaitable<void> websocket_session(std::shared_ptr<beast::tcp_stream> stream, Request req) {
        auto ex = stream->get_executor();
        auto ws = std::make_shared<WsStream>(std::move(*stream));
        // The tracked closer holds the moved-from stream; track the websocket instead.
        const uint64_t sid = track([ws, ex] {
            asio::post(ex, [ws] {
                beast::error_code ec;
                beast::get_lowest_layer(*ws).socket().shutdown(tcp::socket::shutdown_both, ec);
                beast::get_lowest_layer(*ws).socket().close(ec);
            });
        });
        struct Untrack {
            Impl* impl;
            uint64_t id;
            ~Untrack() { impl->untrack(id); }
        } untrack{this, sid};

        beast::get_lowest_layer(*ws).expires_never();
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        ws->set_option(timeouts);
        ws->read_message_max(settings.max_ws_message_bytes);
        beast::error_code ec;
        co_await ws->async_accept(req, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;

        auto out = std::make_shared<Outbox>(ex, settings.max_queued_messages);
        out->keep_alive = out;
        const size_t cap = settings.max_queued_messages;
        const uint64_t conn = hub->connect([out, cap](std::shared_ptr<const std::string> msg) {
            return out->push(std::move(msg), cap);
        });
        ConnectionSubscriptions subs(*hub, conn);
        asio::co_spawn(ex, ws_writer(ws, out), asio::detached);

        beast::flat_buffer buffer;
        for (;;) {
            buffer.clear();
            co_await ws->async_read(buffer, asio::redirect_error(use_awaitable, ec));
            if (ec) {
                if (ec == websocket::error::message_too_big) {
                    // Tell the client why before the close (best effort).
                    out->push(std::make_shared<const std::string>(error_body(
                                  code::kLimitExceeded, "message too large (limit " +
                                                            std::to_string(settings.max_ws_message_bytes) + " bytes)")),
                              2 * cap);
                }
                break;
            }
            const std::string text = beast::buffers_to_string(buffer.data());
            CallContext ctx;
            ctx.subscriptions = &subs;
            ctx.deadline = std::chrono::steady_clock::now() + settings.request_timeout;
            auto reply = dispatcher.handle(text, ctx);
            // Replies share the queue with notifications, with twice the room:
            // a client that sends without reading is dropped as well.
            if (reply && !out->push(std::make_shared<const std::string>(std::move(*reply)), 2 * cap)) break;
            if (stopping) break;
        }
        hub->disconnect(conn);
        {
            std::lock_guard lock(out->mutex);
            out->closed = !out->overflow;  // let an overflowed writer send its close frame
        }
        out->notify();
    }

    Result<uint16_t, ServerError> start() {
        if (listening) return Unexpected{ServerError::kAlreadyStarted};
        beast::error_code ec;
        const auto addr = asio::ip::make_address(settings.address, ec);
        if (ec) return Unexpected{ServerError::kBadAddress};
        acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(ioc));
        const tcp::endpoint ep(addr, settings.port);
        acceptor->open(ep.protocol(), ec);
        if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            acceptor.reset();
            return Unexpected{ServerError::kBindFailed};
        }
        bound_port = acceptor->local_endpoint().port();
        listening = true;
        if (backend) {
            // The node's commit thread only posts; fan-out runs on the io threads.
            std::weak_ptr<SubscriptionHub> weak = hub;
            listener_id = backend->add_listener([weak, &ioc = ioc](const ChainEvent& ev) {
                asio::post(ioc, [weak, ev] {
                    if (auto h = weak.lock()) h->publish(ev);
                });
            });
        }
        asio::co_spawn(acceptor->get_executor(), accept_loop(), asio::detached);
        if (settings.threads > 0) {
            work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(ioc.get_executor());
            for (unsigned i = 0; i < settings.threads; ++i) threads.emplace_back([this] { ioc.run(); });
        }
        return bound_port.load();
    }

    void stop() {
        if (!listening || stopping.exchange(true)) return;
        if (backend) backend->remove_listener(listener_id);
        auto closed = std::make_shared<std::promise<void>>();
        auto done = closed->get_future();
        asio::post(acceptor->get_executor(), [self = shared_from_this(), closed] {
            beast::error_code ec;
            self->acceptor->close(ec);
            closed->set_value();
        });
        if (!threads.empty()) done.wait();
        {
            std::lock_guard lock(sessions_mutex);
            for (auto& [_, close] : closers) close();
        }
        if (!threads.empty()) {
            // Give sessions a moment to unwind, then stop the loop.
            for (int i = 0; i < 200 && active.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            work.reset();
            ioc.stop();
            for (auto& t : threads) t.join();
            threads.clear();
        }
    }
};

Server::Server(asio::io_context& ioc, Settings settings, const Dispatcher& dispatcher, Backend* backend,
               runtime::metrics::Registry* metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(settings), dispatcher, backend, metrics)) {}
Server::~Server() { stop(); }
Result<uint16_t, ServerError> Server::start() { return impl_->start(); }
void Server::stop() { impl_->stop(); }
uint16_t Server::port() const noexcept { return impl_->bound_port.load(); }
size_t Server::connection_count() const noexcept { return impl_->active.load(); }

}  // namespace trellis::rpc

TRELLIS_COROUTINES_END
