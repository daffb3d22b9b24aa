#include <gtest/gtest.h>

#include <thread>

#include "runtime/metrics.hpp"

namespace trellis::runtime::metrics {
namespace {

TEST(Metrics, renders_prometheus_text_format) {
    Registry r;
    r.counter("a_total", "Things done", {"kind"}).with({"x"}).inc(3);
    r.gauge("b_height", "Head block").with({}).set(42);
    auto& h = r.histogram("c_seconds", "Latency", {"m"}, {0.1, 1}).with({"q\"uote"});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const std::string expected =
        "# HELP a_total Things done\n# TYPE a_total counter\na_total{kind=\"x\"} 3\n"
        "# HELP b_height Head block\n# TYPE b_height gauge\nb_height 42\n"
        "# HELP c_seconds Latency\n# TYPE c_seconds histogram\n"
        "c_seconds_bucket{m=\"q\\\"uote\",le=\"0.10000000000000001\"} 1\n"
        "c_seconds_bucket{m=\"q\\\"uote\",le=\"1\"} 2\n"
        "c_seconds_bucket{m=\"q\\\"uote\",le=\"+Inf\"} 3\n"
        "c_seconds_sum{m=\"q\\\"uote\"} 5.5499999999999998\n"
        "c_seconds_count{m=\"q\\\"uote\"} 3\n";
    EXPECT_EQ(r.render(), expected);
}

TEST(Metrics, same_name_returns_same_family_and_child) {
    Registry r;
    auto& a = r.counter("x_total", "h", {"l"}).with({"1"});
    auto& b = r.counter("x_total", "h", {"l"}).with({"1"});
    EXPECT_EQ(&a, &b);
}

TEST(Metrics, concurrent_increments_are_not_lost) {
    Registry r;
    auto& c = r.counter("n_total", "h").with({});
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) c.inc();
        });
    for (auto& t : ts) t.join();
    EXPECT_EQ(c.value(), 40000);
}

}  // namespace
}  // namespace trellis::runtime::metrics
