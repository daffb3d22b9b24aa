#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "evm/revision.hpp"

namespace trellis::cli {

struct StateTestOptions {
    std::string fork = "Cancun";               ///< which post section to check
    evm::Revision revision = evm::Revision::kCancun;
    std::string filter;                        ///< run only cases whose name contains this
    bool trace_failures = true;                ///< print one line per failing case
    std::ostream* dump = nullptr;              ///< when set, print each case's post-state here
};

struct StateTestSummary {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    std::vector<std::string> failures;  ///< "file:test[d,g,v]: reason"
    std::vector<std::string> skips;     ///< "file:test[d,g,v]: reason"
};

/// Runs Ethereum state-test JSON files (or every *.json below each folder):
/// for each post entry of options.fork, executes the entry's transaction on
/// the pre-state and compares the state root and the logs hash. Cases that
/// need a blob transaction (type 3) or a real KZG proof verification are
/// skipped with the reason, recognised by what they use. Prints a line per
/// failure to out (when trace_failures) and returns the counts.
StateTestSummary run_state_tests(const std::vector<std::filesystem::path>& paths, const StateTestOptions& options,
                                 std::ostream& out);

}  // namespace trellis::cli
