#pragma once

// A small metrics registry rendered in the Prometheus text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/): counters,
// gauges and histograms, each a family with label names. Updates are
// lock-free atomics; creating a labelled child takes the family's mutex once
// (callers keep the reference). The rpc server serves render() on /metrics and
// the node registers its own families (head block, txpool sizes, ...).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace trellis::runtime::metrics {

class Counter {
public:
    void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
    void dec(double v = 1.0) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// Cumulative buckets as Prometheus defines them (upper bounds, le).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v) noexcept;
    const std::vector<double>& bounds() const noexcept { return bounds_; }
    /// Observations <= bounds()[i] (cumulative), then the total count.
    std::vector<uint64_t> cumulative_counts() const;
    double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
    uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // non-cumulative, one per bound
    std::atomic<double> sum_{0.0};
    std::atomic<uint64_t> count_{0};
};

/// Seconds buckets fit for RPC and block-execution latencies (100 µs .. 10 s).
std::vector<double> default_latency_buckets();

enum class Kind { kCounter, kGauge, kHistogram };

/// One metric name with its label names; children by label values.
template <class T>
class Family {
public:
    Family(std::string name, std::string help, std::vector<std::string> labels,
           std::vector<double> bounds = {})
        : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)),
          bounds_(std::move(bounds)) {}

    /// The child for these label values (one per label name). The reference
    /// stays valid for the registry's life.
    T& with(const std::vector<std::string>& values);

    const std::string& name() const noexcept { return name_; }
    const std::string& help() const noexcept { return help_; }
    const std::vector<std::string>& labels() const noexcept { return labels_; }
    /// Calls f(label values, child) for each child, under the family's mutex.
    template <class F>
    void for_each(F&& f) const {
        std::lock_guard lock(mutex_);
        for (const auto& [k, v] : children_) f(k, *v);
    }

private:
    std::string name_, help_;
    std::vector<std::string> labels_;
    std::vector<double> bounds_;
    mutable std::mutex mutex_;  // guards children_ (not the children's values)
    std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

class Registry {
public:
    /// Registers (or returns the existing) family. Names follow Prometheus
    /// rules ([a-zA-Z_:][a-zA-Z0-9_:]*); asserted.
    Family<Counter>& counter(const std::string& name, const std::string& help,
                             std::vector<std::string> labels = {});
    Family<Gauge>& gauge(const std::string& name, const std::string& help,
                         std::vector<std::string> labels = {});
    Family<Histogram>& histogram(const std::string& name, const std::string& help,
                                 std::vector<std::string> labels = {},
                                 std::vector<double> bounds = default_latency_buckets());

    /// The whole registry in text format 0.0.4, families sorted by name.
    std::string render() const;

private:
    mutable std::mutex mutex_;  // guards the three maps (families never move once made)
    std::map<std::string, std::unique_ptr<Family<Counter>>> counters_;
    std::map<std::string, std::unique_ptr<Family<Gauge>>> gauges_;
    std::map<std::string, std::unique_ptr<Family<Histogram>>> histograms_;
};

/// Escapes a label value (backslash, quote, newline) per the text format.
std::string escape_label(const std::string& v);

}  // namespace trellis::runtime::metrics
