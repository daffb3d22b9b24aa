// Ethereum's Cancun state tests through the same runner as `trellis statetest`.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "cli/statetest.hpp"
#include "support/fixtures.hpp"

using namespace trellis;

namespace {
void run_suite(const char* rel) {
    TRELLIS_FIXTURE_PATH(dir, rel);
    cli::StateTestOptions opt;
    std::ostringstream log;
    const auto s = cli::run_state_tests({dir}, opt, log);
    std::printf("state tests %s: %d passed, %d failed, %d skipped\n", rel, s.passed, s.failed, s.skipped);
    for (const auto& f : s.failures) ADD_FAILURE() << f;
    // Only blob-transaction and KZG-proof cases may be skipped.
    for (const auto& k : s.skips)
        EXPECT_TRUE(k.find("blob transaction") != std::string::npos || k.find("KZG") != std::string::npos) << k;
    EXPECT_GT(s.passed, 0);
}
}  // namespace

TEST(StateTests, cancun_general_state_tests_pass) { run_suite("state"); }
TEST(StateTests, cancun_vm_state_tests_pass) { run_suite("vm/state"); }
TEST(StateTests, cancun_precompile_state_tests_pass) { run_suite("precompiles/state"); }
