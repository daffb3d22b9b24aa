#include "runtime/log.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace trellis::runtime::log {
namespace {

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

/// A clock the test steps by hand.
struct ManualClock {
    std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
    LoggerSettings settings(unsigned per_second) {
        LoggerSettings s;
        s.limited_lines_per_second = per_second;
        s.clock = [this] { return now; };
        return s;
    }
};

/// A peer flooding one limited call site.
void peer_line(Logger& logger, int i) {
    TRELLIS_LOG_LIMITED_TO(logger, sync, warn, "invalid blocks from peer {}", i);
}

TEST(Log, a_flood_from_one_limited_site_writes_the_bound_then_one_suppression_summary) {
    ManualClock clock;
    auto logger = Logger::to_memory(clock.settings(5));
    for (int i = 0; i < 1000; ++i) peer_line(*logger, i);
    std::string text = logger->captured();
    EXPECT_EQ(count_of(text, "invalid blocks from peer"), 5u) << text;
    EXPECT_EQ(count_of(text, "suppressed"), 0u) << "the summary waits for the second to end";

    clock.now += std::chrono::seconds(1);
    peer_line(*logger, 1000);  // the next second: the summary, then this line
    text = logger->captured();
    EXPECT_EQ(count_of(text, "invalid blocks from peer"), 6u) << text;
    EXPECT_EQ(count_of(text, "995 lines suppressed"), 1u) << text;
    EXPECT_LT(text.find("995 lines suppressed"), text.find("invalid blocks from peer 1000")) << text;
    EXPECT_NE(text.find("warn  sync      invalid blocks from peer 0\n"), std::string::npos) << text;
}

TEST(Log, a_pending_summary_is_written_by_the_next_line_of_any_site_or_at_destruction) {
    ManualClock clock;
    auto logger = Logger::to_memory(clock.settings(2));
    for (int i = 0; i < 10; ++i) peer_line(*logger, i);
    clock.now += std::chrono::seconds(2);
    TRELLIS_LOG_TO(*logger, node, info, "block {}", 7);
    std::string text = logger->captured();
    EXPECT_EQ(count_of(text, "8 lines suppressed"), 1u) << text;
    EXPECT_LT(text.find("8 lines suppressed"), text.find("block 7")) << text;

    for (int i = 0; i < 5; ++i) peer_line(*logger, i);  // a new second: 2 written, 3 suppressed
    logger->flush_suppressed();
    EXPECT_EQ(count_of(logger->captured(), "3 lines suppressed"), 1u) << logger->captured();
}

TEST(Log, two_limited_sites_have_their_own_budgets) {
    ManualClock clock;
    auto logger = Logger::to_memory(clock.settings(3));
    for (int i = 0; i < 10; ++i) {
        TRELLIS_LOG_LIMITED_TO(*logger, consensus, warn, "site a {}", i);
        TRELLIS_LOG_LIMITED_TO(*logger, consensus, warn, "site b {}", i);
    }
    const std::string text = logger->captured();
    EXPECT_EQ(count_of(text, "site a"), 3u) << text;
    EXPECT_EQ(count_of(text, "site b"), 3u) << text;
}

TEST(Log, a_flood_from_many_threads_stays_within_the_bound) {
    ManualClock clock;  // time stands still: one second for the whole flood
    auto logger = Logger::to_memory(clock.settings(10));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&logger, t] {
            for (int i = 0; i < 500; ++i) peer_line(*logger, t * 1000 + i);
        });
    for (auto& t : threads) t.join();
    logger->flush_suppressed();
    const std::string text = logger->captured();
    EXPECT_EQ(count_of(text, "invalid blocks from peer"), 10u) << text;
    EXPECT_EQ(count_of(text, "1990 lines suppressed"), 1u) << text;
    EXPECT_EQ(count_of(text, "\n"), 11u) << text;
}

TEST(Log, a_disabled_level_does_not_evaluate_its_arguments) {
    auto logger = Logger::to_memory();  // info
    int evaluated = 0;
    auto costly = [&evaluated] {
        ++evaluated;
        return std::string("costly");
    };
    TRELLIS_LOG_TO(*logger, net, debug, "{}", costly());
    TRELLIS_LOG_TO(*logger, net, trace, "{}", costly());
    TRELLIS_LOG_LIMITED_TO(*logger, net, debug, "{}", costly());
    EXPECT_EQ(evaluated, 0);
    EXPECT_EQ(logger->captured(), "");

    TRELLIS_LOG_TO(*logger, net, info, "{}", costly());
    EXPECT_EQ(evaluated, 1);
    EXPECT_NE(logger->captured().find("info  net       costly"), std::string::npos) << logger->captured();
}

TEST(Log, a_suppressed_limited_line_does_not_evaluate_its_arguments) {
    ManualClock clock;
    auto logger = Logger::to_memory(clock.settings(1));
    int evaluated = 0;
    for (int i = 0; i < 5; ++i) TRELLIS_LOG_LIMITED_TO(*logger, rpc, warn, "{}", ++evaluated);
    EXPECT_EQ(evaluated, 1);
}

TEST(Log, per_category_levels_override_the_global_level) {
    auto levels = parse_levels("warn,net=debug,storage=off");
    ASSERT_TRUE(levels.ok()) << levels.error();
    LoggerSettings s;
    s.levels = *levels;
    auto logger = Logger::to_memory(s);
    TRELLIS_LOG_TO(*logger, net, debug, "net debug");
    TRELLIS_LOG_TO(*logger, net, trace, "net trace");
    TRELLIS_LOG_TO(*logger, consensus, info, "consensus info");
    TRELLIS_LOG_TO(*logger, consensus, warn, "consensus warn");
    TRELLIS_LOG_TO(*logger, storage, error, "storage error");
    const std::string text = logger->captured();
    EXPECT_NE(text.find("net debug"), std::string::npos) << text;
    EXPECT_EQ(text.find("net trace"), std::string::npos) << text;
    EXPECT_EQ(text.find("consensus info"), std::string::npos) << text;
    EXPECT_NE(text.find("consensus warn"), std::string::npos) << text;
    EXPECT_EQ(text.find("storage error"), std::string::npos) << text;

    logger->set_levels(*parse_levels("consensus=info"));
    EXPECT_TRUE(logger->enabled(Category::kConsensus, Level::kInfo));
    EXPECT_FALSE(logger->enabled(Category::kNet, Level::kDebug)) << "back to the global info";
}

TEST(Log, parse_levels_reads_a_global_level_and_overrides_and_names_what_is_wrong) {
    auto l = parse_levels(" info , net = debug,sync=trace");
    ASSERT_TRUE(l.ok()) << l.error();
    EXPECT_EQ(l->global, Level::kInfo);
    EXPECT_EQ(l->of(Category::kNet), Level::kDebug);
    EXPECT_EQ(l->of(Category::kSync), Level::kTrace);
    EXPECT_EQ(l->of(Category::kRpc), Level::kInfo);
    EXPECT_EQ(to_string(*l), "info,net=debug,sync=trace");

    auto only = parse_levels("rpc=error");
    ASSERT_TRUE(only.ok());
    EXPECT_EQ(only->global, Level::kInfo);
    EXPECT_EQ(only->of(Category::kRpc), Level::kError);

    EXPECT_NE(parse_levels("loud").error().find("unknown log level \"loud\""), std::string::npos);
    EXPECT_NE(parse_levels("info,p2p=debug").error().find("unknown log category \"p2p\""), std::string::npos);
    EXPECT_NE(parse_levels("net=verbose").error().find("unknown log level \"verbose\" for net"),
              std::string::npos);
    EXPECT_FALSE(parse_levels("info,debug").ok());
    EXPECT_FALSE(parse_levels("").ok());
}

TEST(Log, lines_carry_a_utc_timestamp_the_level_and_the_category) {
    auto logger = Logger::to_memory();
    TRELLIS_LOG_TO(*logger, node, info, "block {} {} txs={} gas={}", 5, "0xab", 1, 21000);
    const std::string text = logger->captured();
    // 2024-05-01T12:00:00.123Z info  node      block 5 0xab txs=1 gas=21000
    ASSERT_GE(text.size(), 25u) << text;
    EXPECT_EQ(text[4], '-');
    EXPECT_EQ(text[10], 'T');
    EXPECT_EQ(text[23], 'Z');
    EXPECT_EQ(text.substr(24), " info  node      block 5 0xab txs=1 gas=21000\n");
}

}  // namespace
}  // namespace trellis::runtime::log
