// The seeded simulation (docs/consensus.md §10). Environment:
//   TRELLIS_SIM_RUNS=N    number of runs (default 2000)
//   TRELLIS_SIM_FIRST=S   first seed (default 1)
//   TRELLIS_SIM_SEED=S    run seed S alone, printing its scenario
#include "simulation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace trellis::consensus;

namespace {

uint64_t env_u64(const char* name, uint64_t dflt) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : dflt;
}

}  // namespace

TEST(Simulation, seeded_runs_never_fork_and_recover_after_gst) {
    const char* one = std::getenv("TRELLIS_SIM_SEED");
    const uint64_t first = one && *one ? env_u64("TRELLIS_SIM_SEED", 1) : env_u64("TRELLIS_SIM_FIRST", 1);
    const uint64_t runs = one && *one ? 1 : env_u64("TRELLIS_SIM_RUNS", 2000);

    const auto t0 = std::chrono::steady_clock::now();
    uint64_t violations = 0, messages = 0, committed = 0, recover_runs = 0, recover_sum = 0,
             recover_worst = 0;
    uint64_t liveness_worst = 0, evidence = 0, real = 0, epochs = 0;
    uint64_t by_n[11] = {};
    for (uint64_t seed = first; seed < first + runs; ++seed) {
        sim::Simulation s(seed, one && std::getenv("TRELLIS_SIM_VERBOSE"));
        const sim::RunStats r = s.run();
        if (one) std::printf("%s\n", r.describe.c_str());
        if (!r.ok) {
            ++violations;
            ADD_FAILURE() << r.describe << "\n  violation: " << r.failure
                          << "\n  rerun alone: TRELLIS_SIM_SEED=" << seed
                          << " consensus_test --gtest_filter='Simulation.*'";
        }
        messages += r.messages;
        committed += r.committed;
        if (r.recover_views) {
            ++recover_runs;
            recover_sum += *r.recover_views;
            recover_worst = std::max<uint64_t>(recover_worst, *r.recover_views);
        }
        liveness_worst = std::max(liveness_worst, r.liveness_views);
        evidence += r.evidence;
        real += r.real_crypto;
        epochs += r.epochs;
        by_n[r.n]++;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "simulation: %llu runs (n=4: %llu, n=7: %llu, n=10: %llu; %llu on secp256k1), %llu violations, "
        "%.1f s\n  leader crash: %llu runs, mean %.2f views to recover, worst %llu\n"
        "  after GST: worst %llu views to a commit at every honest validator (bound %llu)\n"
        "  %.1f messages per committed block, %llu blocks committed, %llu evidence items, %llu epoch "
        "changes\n",
        (unsigned long long)runs, (unsigned long long)by_n[4], (unsigned long long)by_n[7],
        (unsigned long long)by_n[10], (unsigned long long)real, (unsigned long long)violations, secs,
        (unsigned long long)recover_runs, recover_runs ? double(recover_sum) / double(recover_runs) : 0.0,
        (unsigned long long)recover_worst, (unsigned long long)liveness_worst,
        (unsigned long long)sim::Simulation::kLivenessViews,
        committed ? double(messages) / double(committed) : 0.0, (unsigned long long)committed,
        (unsigned long long)evidence, (unsigned long long)epochs);
    EXPECT_EQ(violations, 0u);
}
