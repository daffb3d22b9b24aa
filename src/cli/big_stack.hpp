#pragma once

#include <cstddef>
#include <functional>

namespace trellis::cli {

/// Stack for threads that execute EVM code: calls nest up to 1024 deep and
/// each level is an interpreter frame on the native stack (several KiB under
/// the sanitizers). Reserved, not committed: untouched pages cost nothing.
inline constexpr size_t kExecutionStackBytes = size_t(512) << 20;

/// Runs f on a new thread with stack_bytes of stack and waits for it. An
/// exception thrown by f is rethrown here.
void run_with_stack(size_t stack_bytes, const std::function<void()>& f);

}  // namespace trellis::cli
