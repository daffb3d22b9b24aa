#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace trellis::cli {

struct VmTestSummary {
    int passed = 0;
    int failed = 0;
    std::vector<std::string> failures;  ///< "file:test: reason"
};

/// Runs the classic VM tests (ethereum/legacytests VMTests): each runs one
/// code execution as a call from exec.caller to exec.address; nested calls and
/// creates succeed at once and return their gas. The tests were filled with
/// the Frontier gas schedule and Trellis runs the Cancun interpreter, so the
/// output, the post-state storage and the logs are checked, and the remaining
/// gas is not. A test without `post` must halt exceptionally.
VmTestSummary run_vm_tests(const std::vector<std::filesystem::path>& paths, std::ostream& out);

}  // namespace trellis::cli
