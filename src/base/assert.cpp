#include "base/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace trellis::base::detail {
void assert_fail(const char* expr, const char* file, int line, const char* func) noexcept {
    std::fprintf(stderr, "TRELLIS_ASSERT failed: %s\n  at %s:%d in %s\n", expr, file, line, func);
    std::fflush(stderr);
    std::abort();
}
}  // namespace trellis::base::detail
