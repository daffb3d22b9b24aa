#pragma once

/// TRELLIS_ASSERT: an always-on check for programming errors (never for input a
/// peer or user controls: those are Result errors). Aborts with the location.
namespace trellis::base::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* func) noexcept;
}

#define TRELLIS_ASSERT(expr)                                                                  \
    (static_cast<bool>(expr) ? void(0)                                                        \
                             : ::trellis::base::detail::assert_fail(#expr, __FILE__, __LINE__, \
                                                                    __func__))
