#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace trellis::test {

/// The conformance fixture root: $TRELLIS_FIXTURES, else ../shared/fixtures
/// beside the source tree. Empty when neither exists.
std::optional<std::filesystem::path> fixtures_root();

/// Where to get the fixtures when they are missing (printed with a skip).
inline constexpr const char* kUpstreamNote =
    "conformance fixtures not found: set TRELLIS_FIXTURES or place ../shared/fixtures "
    "beside the source tree (upstream: github.com/ethereum/tests v14.1, "
    "github.com/ethereum/legacytests, go-ethereum core/vm/testdata/precompiles, "
    "the Keccak team KATs, C2SP/wycheproof)";

/// Resolves rel under the fixture root, or skips the current test naming the
/// upstream source when the fixtures are absent.
#define TRELLIS_FIXTURE_PATH(var, rel)                                         \
    std::filesystem::path var;                                                 \
    do {                                                                       \
        auto root_ = ::trellis::test::fixtures_root();                         \
        if (!root_ || !std::filesystem::exists(*root_ / (rel)))                \
            GTEST_SKIP() << ::trellis::test::kUpstreamNote << " [" << (rel) << "]"; \
        var = *root_ / (rel);                                                  \
    } while (0)

nlohmann::json load_json(const std::filesystem::path& file);

/// All *.json files below dir (or dir itself if it is a file), sorted.
std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir);

/// Decodes 0x-hex from a fixture; a malformed fixture fails the test loudly.
Bytes hex_bytes(const std::string& s);

/// Counts fixture cases and prints "<suite>: N passed, M failed[, K skipped]"
/// so progress is visible in the test log.
class Tally {
public:
    explicit Tally(std::string suite) : suite_(std::move(suite)) {}
    ~Tally();
    void pass() { ++passed_; }
    void skip(const std::string& name, const std::string& why);
    /// Records a failure and reports it through gtest with the case name.
    void fail(const std::string& name, const std::string& why);
    int failed() const { return failed_; }
    int passed() const { return passed_; }

private:
    std::string suite_;
    int passed_ = 0, failed_ = 0, skipped_ = 0;
};

}  // namespace trellis::test
