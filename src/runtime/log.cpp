#include "runtime/log.hpp"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace trellis::runtime::log {
namespace {

constexpr std::array<std::string_view, 6> kLevelNames{"trace", "debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, kCategories> kCategoryNames{"net", "sync",    "consensus", "txpool",
                                                                   "rpc", "storage", "node"};
/// Timestamp (UTC, milliseconds), then the text Logger::write builds.
constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%eZ %v";

spdlog::level::level_enum spd_level(Level l) {
    switch (l) {
        case Level::kTrace:
            return spdlog::level::trace;
        case Level::kDebug:
            return spdlog::level::debug;
        case Level::kInfo:
            return spdlog::level::info;
        case Level::kWarn:
            return spdlog::level::warn;
        case Level::kError:
            return spdlog::level::err;
        case Level::kOff:
            break;
    }
    return spdlog::level::off;
}

/// The lines in memory, for tests (spdlog's base_sink does the locking).
class MemorySink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        text_.append(buf.data(), buf.size());
    }
    void flush_() override {}

private:
    std::string text_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string joined(const auto& names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

/// src/node/network.cpp → node/network.cpp (the path from src/).
std::string_view short_file(std::string_view file) {
    if (const auto p = file.rfind("/src/"); p != std::string_view::npos) return file.substr(p + 5);
    return file;
}

}  // namespace

std::string_view to_string(Level level) noexcept {
    return kLevelNames[size_t(level)];
}

std::string_view to_string(Category category) noexcept {
    return kCategoryNames[size_t(category)];
}

std::optional<Level> level_from_string(std::string_view name) noexcept {
    for (size_t i = 0; i < kLevelNames.size(); ++i)
        if (kLevelNames[i] == name) return Level(i);
    if (name == "warning") return Level::kWarn;
    return std::nullopt;
}

std::optional<Category> category_from_string(std::string_view name) noexcept {
    for (size_t i = 0; i < kCategoryNames.size(); ++i)
        if (kCategoryNames[i] == name) return Category(i);
    return std::nullopt;
}

Result<Levels, std::string> parse_levels(std::string_view spec) {
    Levels out;
    bool global_set = false;
    if (trim(spec).empty())
        return Unexpected{std::string("empty log level (expected e.g. \"info,net=debug\")")};
    while (true) {
        const size_t comma = spec.find(',');
        const std::string_view item = trim(spec.substr(0, comma));
        if (const size_t eq = item.find('='); eq != std::string_view::npos) {
            const std::string_view cat = trim(item.substr(0, eq)), lvl = trim(item.substr(eq + 1));
            const auto c = category_from_string(cat);
            if (!c)
                return Unexpected{"unknown log category \"" + std::string(cat) + "\" (one of " +
                                  joined(kCategoryNames) + ")"};
            const auto l = level_from_string(lvl);
            if (!l)
                return Unexpected{"unknown log level \"" + std::string(lvl) + "\" for " + std::string(cat) +
                                  " (one of " + joined(kLevelNames) + ")"};
            out.category[size_t(*c)] = *l;
        } else {
            const auto l = level_from_string(item);
            if (!l)
                return Unexpected{"unknown log level \"" + std::string(item) + "\" (one of " +
                                  joined(kLevelNames) + ", or CATEGORY=LEVEL)"};
            if (global_set) return Unexpected{"two global log levels in \"" + std::string(spec) + "\""};
            out.global = *l;
            global_set = true;
        }
        if (comma == std::string_view::npos) break;
        spec.remove_prefix(comma + 1);
    }
    return out;
}

std::string to_string(const Levels& levels) {
    std::string out(to_string(levels.global));
    for (size_t i = 0; i < kCategories; ++i)
        if (levels.category[i])
            out += fmt::format(",{}={}", kCategoryNames[i], to_string(*levels.category[i]));
    return out;
}

struct Logger::Impl {
    std::shared_ptr<spdlog::logger> out;
    std::shared_ptr<MemorySink> memory;  ///< set for to_memory
    unsigned limit = 10;
    std::function<std::chrono::steady_clock::time_point()> clock;

    /// One LIMITED call site's current second.
    struct Bucket {
        std::chrono::steady_clock::time_point window_start{};
        unsigned written = 0;
        uint64_t suppressed = 0;
        Category category{};
        Level level{};
    };
    std::mutex mu;  ///< guards levels_spec and buckets
    Levels levels_spec;
    std::unordered_map<const Site*, Bucket> buckets;
    /// Buckets with suppressed > 0 (read without mu to keep write() cheap).
    std::atomic<size_t> pending{0};

    void emit(Category c, Level l, std::string_view text) {
        out->log(spd_level(l), fmt::format("{:<5} {:<9} {}", to_string(l), to_string(c), text));
    }
    /// Takes the summary of b (call with mu held).
    std::string take_summary(const Site& site, Bucket& b) {
        std::string s = fmt::format("{} line{} suppressed ({}:{})", b.suppressed,
                                    b.suppressed == 1 ? "" : "s", short_file(site.file), site.line);
        b.suppressed = 0;
        pending.fetch_sub(1, std::memory_order_relaxed);
        return s;
    }
};

Logger::Logger(std::unique_ptr<Impl> impl, const LoggerSettings& settings) : impl_(std::move(impl)) {
    impl_->limit = settings.limited_lines_per_second;
    impl_->clock = settings.clock ? settings.clock : [] { return std::chrono::steady_clock::now(); };
    impl_->out->set_level(spdlog::level::trace);  // our levels decide
    impl_->out->flush_on(spdlog::level::trace);   // a crash loses no line
    impl_->out->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    set_levels(settings.levels);
}

std::unique_ptr<Logger> Logger::to_stderr(LoggerSettings settings) {
    auto impl = std::make_unique<Impl>();
    impl->out =
        std::make_shared<spdlog::logger>("trellis", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    return std::unique_ptr<Logger>(new Logger(std::move(impl), settings));
}

std::unique_ptr<Logger> Logger::to_memory(LoggerSettings settings) {
    auto impl = std::make_unique<Impl>();
    impl->memory = std::make_shared<MemorySink>();
    impl->out = std::make_shared<spdlog::logger>("trellis", impl->memory);
    return std::unique_ptr<Logger>(new Logger(std::move(impl), settings));
}

Logger::~Logger() {
    flush_suppressed();
}

void Logger::set_levels(const Levels& levels) noexcept {
    std::lock_guard lock(impl_->mu);
    impl_->levels_spec = levels;
    for (size_t i = 0; i < kCategories; ++i)
        levels_[i].store(levels.of(Category(i)), std::memory_order_relaxed);
}

Levels Logger::levels() const noexcept {
    std::lock_guard lock(impl_->mu);
    return impl_->levels_spec;
}

void Logger::write(Category c, Level l, std::string_view text) {
    if (!enabled(c, l)) return;
    if (impl_->pending.load(std::memory_order_relaxed) > 0) emit_summaries(false);
    impl_->emit(c, l, text);
}

bool Logger::admit(const Site& site, Category c, Level l) {
    const auto now = impl_->clock();
    std::string summary;
    Impl::Bucket* b = nullptr;
    bool ok = false;
    {
        std::lock_guard lock(impl_->mu);
        b = &impl_->buckets[&site];
        b->category = c;
        b->level = l;
        if (now - b->window_start >= std::chrono::seconds(1)) {
            if (b->suppressed > 0) summary = impl_->take_summary(site, *b);
            b->window_start = now;
            b->written = 0;
        }
        if (b->written < impl_->limit) {
            ++b->written;
            ok = true;
        } else if (b->suppressed++ == 0) {
            impl_->pending.fetch_add(1, std::memory_order_relaxed);
        }
    }
    if (!summary.empty()) impl_->emit(c, l, summary);
    return ok;
}

void Logger::flush_suppressed() {
    emit_summaries(true);
}

void Logger::emit_summaries(bool force) {
    std::vector<std::pair<Impl::Bucket, std::string>> due;
    {
        const auto now = impl_->clock();
        std::lock_guard lock(impl_->mu);
        for (auto& [site, b] : impl_->buckets)
            if (b.suppressed > 0 && (force || now - b.window_start >= std::chrono::seconds(1))) {
                std::string s = impl_->take_summary(*site, b);
                due.emplace_back(b, std::move(s));
            }
    }
    for (const auto& [b, s] : due) impl_->emit(b.category, b.level, s);
}

std::string Logger::captured() const {
    return impl_->memory ? impl_->memory->text() : std::string();
}

Logger& global() {
    // Never destroyed: threads may still log while static destructors run.
    static Logger* const logger = Logger::to_stderr().release();
    return *logger;
}

}  // namespace trellis::runtime::log
