#include "runtime/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/assert.hpp"

namespace trellis::runtime::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size()]) {
    TRELLIS_ASSERT(std::is_sorted(bounds_.begin(), bounds_.end()));
    for (size_t i = 0; i < bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) noexcept {
    // The first bound >= v holds it; larger values land only in +Inf (count_).
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    if (it != bounds_.end()) buckets_[size_t(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
    std::vector<uint64_t> out;
    out.reserve(bounds_.size() + 1);
    uint64_t acc = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        acc += buckets_[i].load(std::memory_order_relaxed);
        out.push_back(acc);
    }
    out.push_back(std::max(acc, count()));
    return out;
}

std::vector<double> default_latency_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

template <class T>
T& Family<T>::with(const std::vector<std::string>& values) {
    TRELLIS_ASSERT(values.size() == labels_.size());
    std::lock_guard lock(mutex_);
    auto& slot = children_[values];
    if (!slot) {
        if constexpr (std::is_same_v<T, Histogram>)
            slot = std::make_unique<Histogram>(bounds_);
        else
            slot = std::make_unique<T>();
    }
    return *slot;
}
template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {

bool valid_name(const std::string& n) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

template <class T, class... A>
Family<T>& get_or_make(std::map<std::string, std::unique_ptr<Family<T>>>& m, const std::string& name,
                       A&&... args) {
    TRELLIS_ASSERT(valid_name(name));
    auto& slot = m[name];
    if (!slot) slot = std::make_unique<Family<T>>(name, std::forward<A>(args)...);
    return *slot;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const char* extra_name = nullptr, const std::string& extra_value = {}) {
    if (names.empty() && !extra_name) return {};
    std::string s = "{";
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) s += ',';
        s += names[i] + "=\"" + escape_label(values[i]) + '"';
    }
    if (extra_name) {
        if (!names.empty()) s += ',';
        s += std::string(extra_name) + "=\"" + extra_value + '"';
    }
    return s + '}';
}

std::string escape_help(const std::string& h) {
    std::string s;
    for (char c : h) {
        if (c == '\\') s += "\\\\";
        else if (c == '\n') s += "\\n";
        else s += c;
    }
    return s;
}

}  // namespace

std::string escape_label(const std::string& v) {
    std::string s;
    for (char c : v) {
        if (c == '\\') s += "\\\\";
        else if (c == '"') s += "\\\"";
        else if (c == '\n') s += "\\n";
        else s += c;
    }
    return s;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels) {
    std::lock_guard lock(mutex_);
    return get_or_make(counters_, name, help, std::move(labels));
}
Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels) {
    std::lock_guard lock(mutex_);
    return get_or_make(gauges_, name, help, std::move(labels));
}
Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, std::vector<double> bounds) {
    std::lock_guard lock(mutex_);
    return get_or_make(histograms_, name, help, std::move(labels), std::move(bounds));
}

std::string Registry::render() const {
    std::lock_guard lock(mutex_);
    // Merge the three maps into one name order so output is stable.
    std::map<std::string, std::string> blocks;
    for (const auto& entry : counters_) {
        const std::string& name = entry.first;  // (clang 14 cannot capture structured bindings)
        const auto& f = entry.second;
        std::string s = "# HELP " + name + ' ' + escape_help(f->help()) + "\n# TYPE " + name + " counter\n";
        f->for_each([&](const std::vector<std::string>& values, const Counter& c) {
            s += name + label_set(f->labels(), values) + ' ' + number(c.value()) + '\n';
        });
        blocks[name] = std::move(s);
    }
    for (const auto& entry : gauges_) {
        const std::string& name = entry.first;  // (clang 14 cannot capture structured bindings)
        const auto& f = entry.second;
        std::string s = "# HELP " + name + ' ' + escape_help(f->help()) + "\n# TYPE " + name + " gauge\n";
        f->for_each([&](const std::vector<std::string>& values, const Gauge& g) {
            s += name + label_set(f->labels(), values) + ' ' + number(g.value()) + '\n';
        });
        blocks[name] = std::move(s);
    }
    for (const auto& entry : histograms_) {
        const std::string& name = entry.first;  // (clang 14 cannot capture structured bindings)
        const auto& f = entry.second;
        std::string s = "# HELP " + name + ' ' + escape_help(f->help()) + "\n# TYPE " + name + " histogram\n";
        f->for_each([&](const std::vector<std::string>& values, const Histogram& h) {
            const auto counts = h.cumulative_counts();
            for (size_t i = 0; i < h.bounds().size(); ++i)
                s += name + "_bucket" + label_set(f->labels(), values, "le", number(h.bounds()[i])) + ' ' +
                     std::to_string(counts[i]) + '\n';
            s += name + "_bucket" + label_set(f->labels(), values, "le", "+Inf") + ' ' +
                 std::to_string(counts.back()) + '\n';
            s += name + "_sum" + label_set(f->labels(), values) + ' ' + number(h.sum()) + '\n';
            s += name + "_count" + label_set(f->labels(), values) + ' ' + std::to_string(counts.back()) + '\n';
        });
        blocks[name] = std::move(s);
    }
    std::string out;
    for (auto& [_, s] : blocks) out += s;
    return out;
}

}  // namespace trellis::runtime::metrics
