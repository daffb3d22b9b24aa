// `trellis bench` at ctest size: it runs end to end against an in-process
// node, every receipt succeeds and the final token balances add up (checked
// inside run_bench). Not a timed assertion: the figures vary by machine.

#include "devtools/bench.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace trellis;
using namespace trellis::devtools;

TEST(Bench, small_run_completes_with_every_receipt_successful) {
    BenchOptions o;
    o.txs = 500;
    o.senders = 16;
    o.batch = 50;
    o.connections = 3;
    o.sync_commits = false;
    o.recovery_seconds = 0.2;
    o.timeout = std::chrono::seconds(120);
    std::ostringstream log;
    auto r = run_bench(o, log);
    ASSERT_TRUE(r.ok()) << r.error() << "\n" << log.str();
    EXPECT_EQ(r->txs, 500u);
    // The report prints what the run measured (run_bench itself checks every
    // receipt and that the token balances add up).
    std::ostringstream out;
    print_bench_report(*r, out);
    EXPECT_NE(out.str().find("500 ERC-20 transfers in " + std::to_string(r->blocks) + " blocks, all succeeded"),
              std::string::npos)
        << out.str();
}

TEST(Bench, token_init_code_returns_the_runtime_after_a_47_byte_constructor) {
    const Bytes init = bench_token_initcode(uint256(1000));
    const Bytes runtime = bench_token_runtime();
    ASSERT_EQ(init.size(), 0x2f + runtime.size());
    EXPECT_TRUE(std::equal(runtime.begin(), runtime.end(), init.begin() + 0x2f));
}
