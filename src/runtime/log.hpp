#pragma once

// Logging for the shell (docs/logging.md): categories, levels, and a rate
// limit for lines a peer or an RPC client can trigger (STYLE rule 10).
//
//   TRELLIS_LOG(node, info, "block {} {}", num, hash);          // the process logger
//   TRELLIS_LOG_TO(logger, consensus, debug, "view {}", view);  // a given Logger
//   TRELLIS_LOG_LIMITED_TO(logger, sync, warn, "invalid blocks from {}: {}", peer, why);
//
// The category and level are bare names (net, sync, consensus, txpool, rpc,
// storage, node; trace, debug, info, warn, error). The format string and its
// arguments are fmt's; they are evaluated only when the category's level lets
// the line through (and, for the LIMITED forms, when the call site is within
// its rate). Lines are written whole, from any thread; sinks are spdlog's.

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace trellis::runtime::log {

enum class Level : uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kOff };

/// What a line is about. Each has its own level (Levels).
enum class Category : uint8_t {
    kNet,        ///< p2p connections, peer scoring, gossip
    kSync,       ///< block sync from peers
    kConsensus,  ///< the BFT host: votes, rejections, evidence
    kTxpool,     ///< transaction admission and gossip
    kRpc,        ///< JSON-RPC server
    kStorage,    ///< database, pruning
    kNode,       ///< the node's life: start, stop, one line per committed block
};
inline constexpr size_t kCategories = 7;

std::string_view to_string(Level level) noexcept;
std::string_view to_string(Category category) noexcept;
/// "trace" … "error", "off"; nullopt for anything else.
std::optional<Level> level_from_string(std::string_view name) noexcept;
std::optional<Category> category_from_string(std::string_view name) noexcept;

/// A global level and per-category overrides.
struct Levels {
    Level global = Level::kInfo;
    std::array<std::optional<Level>, kCategories> category{};

    Level of(Category c) const noexcept { return category[size_t(c)].value_or(global); }
};

/// Parses "LEVEL[,CATEGORY=LEVEL]..." (e.g. "info,net=debug", "warn",
/// "sync=trace"); a spec without a bare LEVEL keeps the global at info.
/// Errors name the bad item and list the valid names.
Result<Levels, std::string> parse_levels(std::string_view spec);
/// The spec parse_levels reads back to the same Levels.
std::string to_string(const Levels& levels);

/// One call site of a LIMITED macro (a static in the expansion).
struct Site {
    const char* file;
    int line;
};

struct LoggerSettings {
    Levels levels;
    /// Lines each LIMITED call site may write per second (per logger);
    /// further lines in that second are counted, and one line
    /// "N lines suppressed (FILE:LINE)" follows once the second is over.
    unsigned limited_lines_per_second = 10;
    /// Time for the rate limit; default: steady_clock::now (tests step their own).
    std::function<std::chrono::steady_clock::time_point()> clock;
};

/// A set of per-category levels over thread-safe sinks. Every member may be
/// called from any thread. A component takes a `Logger*` in its Settings
/// (null: global()), so tests running several nodes in one process give
/// each its own (to_memory) and read it back.
class Logger {
public:
    /// Writes to stderr: "2024-05-01T12:00:00.123Z info  node      block 5 0x…".
    static std::unique_ptr<Logger> to_stderr(LoggerSettings settings = {});
    /// Keeps the lines in memory (captured()); for tests.
    static std::unique_ptr<Logger> to_memory(LoggerSettings settings = {});
    /// Writes the pending suppression summaries.
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    /// Whether a line of this category and level is written (cheap: one atomic load).
    bool enabled(Category c, Level l) const noexcept {
        return l != Level::kOff && l >= levels_[size_t(c)].load(std::memory_order_relaxed);
    }
    void set_levels(const Levels& levels) noexcept;
    Levels levels() const noexcept;

    /// Writes one line (no trailing newline) if enabled.
    void write(Category c, Level l, std::string_view text);
    /// The rate limit of site: true when one more line may be written this
    /// second (and counts it), false when the line is to be dropped (and
    /// counts it as suppressed). Call only for enabled lines.
    bool admit(const Site& site, Category c, Level l);
    /// Writes every pending "N lines suppressed" summary now.
    void flush_suppressed();

    /// What a to_memory logger holds, one line per '\n'; empty for other sinks.
    std::string captured() const;

private:
    struct Impl;
    Logger(std::unique_ptr<Impl> impl, const LoggerSettings& settings);
    /// Summaries of sites whose second is over (all of them with force).
    void emit_summaries(bool force);

    std::array<std::atomic<Level>, kCategories> levels_;
    std::unique_ptr<Impl> impl_;
};

/// The process's logger (stderr, info), made on first use and never destroyed.
Logger& global();
/// logger, or global() when null (for Settings that hold a `Logger*`).
inline Logger& or_global(Logger* logger) {
    return logger ? *logger : global();
}

/// Names for the macros' bare category and level arguments.
namespace tag {
inline constexpr Category net = Category::kNet;
inline constexpr Category sync = Category::kSync;
inline constexpr Category consensus = Category::kConsensus;
inline constexpr Category txpool = Category::kTxpool;
inline constexpr Category rpc = Category::kRpc;
inline constexpr Category storage = Category::kStorage;
inline constexpr Category node = Category::kNode;
inline constexpr Level trace = Level::kTrace;
inline constexpr Level debug = Level::kDebug;
inline constexpr Level info = Level::kInfo;
inline constexpr Level warn = Level::kWarn;
inline constexpr Level error = Level::kError;
}  // namespace tag

}  // namespace trellis::runtime::log

/// Writes a line to logger (a Logger&) when cat's level lets lvl through;
/// the arguments are not evaluated otherwise.
#define TRELLIS_LOG_TO(logger, cat, lvl, ...)                                                           \
    do {                                                                                                \
        ::trellis::runtime::log::Logger& trellis_log_ = (logger);                                       \
        if (trellis_log_.enabled(::trellis::runtime::log::tag::cat, ::trellis::runtime::log::tag::lvl)) \
            trellis_log_.write(::trellis::runtime::log::tag::cat, ::trellis::runtime::log::tag::lvl,    \
                               ::fmt::format(__VA_ARGS__));                                             \
    } while (0)

/// TRELLIS_LOG_TO with a rate limit per call site (and logger): for every
/// line a peer or an RPC client can trigger. Arguments of dropped lines are
/// not evaluated.
#define TRELLIS_LOG_LIMITED_TO(logger, cat, lvl, ...)                                                     \
    do {                                                                                                  \
        static constexpr ::trellis::runtime::log::Site trellis_log_site_{__FILE__, __LINE__};             \
        ::trellis::runtime::log::Logger& trellis_log_ = (logger);                                         \
        if (trellis_log_.enabled(::trellis::runtime::log::tag::cat, ::trellis::runtime::log::tag::lvl) && \
            trellis_log_.admit(trellis_log_site_, ::trellis::runtime::log::tag::cat,                      \
                               ::trellis::runtime::log::tag::lvl))                                        \
            trellis_log_.write(::trellis::runtime::log::tag::cat, ::trellis::runtime::log::tag::lvl,      \
                               ::fmt::format(__VA_ARGS__));                                               \
    } while (0)

/// The same, to the process's logger.
#define TRELLIS_LOG(cat, lvl, ...) TRELLIS_LOG_TO(::trellis::runtime::log::global(), cat, lvl, __VA_ARGS__)
#define TRELLIS_LOG_LIMITED(cat, lvl, ...) \
    TRELLIS_LOG_LIMITED_TO(::trellis::runtime::log::global(), cat, lvl, __VA_ARGS__)
