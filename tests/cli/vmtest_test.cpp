// The classic VM tests through the same runner as `trellis vmtest`.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/vmtest.hpp"
#include "support/fixtures.hpp"

using namespace trellis;

TEST(VmTests, classic_vm_tests_output_storage_and_logs_match) {
    TRELLIS_FIXTURE_PATH(dir, "vm/legacy");
    std::ostringstream log;
    const auto s = cli::run_vm_tests({dir}, log);
    std::printf("vm/legacy: %d passed, %d failed\n", s.passed, s.failed);
    for (const auto& f : s.failures) ADD_FAILURE() << f;
    EXPECT_GT(s.passed, 400);
}
