#include "support/fixtures.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "base/hex.hpp"

namespace trellis::test {

std::optional<std::filesystem::path> fixtures_root() {
    if (const char* env = std::getenv("TRELLIS_FIXTURES"); env && *env) {
        if (std::filesystem::is_directory(env)) return std::filesystem::path(env);
        return std::nullopt;
    }
    const std::filesystem::path p = std::filesystem::path(TRELLIS_SOURCE_DIR) / ".." / "shared" / "fixtures";
    if (std::filesystem::is_directory(p)) return std::filesystem::weakly_canonical(p);
    return std::nullopt;
}

nlohmann::json load_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    return nlohmann::json::parse(in);
}

std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::is_regular_file(dir)) return {dir};
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

Bytes hex_bytes(const std::string& s) {
    auto r = from_hex(s);
    if (!r) throw std::runtime_error("bad hex in fixture: " + s.substr(0, 40));
    return std::move(r).value();
}

void Tally::skip(const std::string& name, const std::string& why) {
    ++skipped_;
    std::printf("  skipped %s: %s\n", name.c_str(), why.c_str());
}

void Tally::fail(const std::string& name, const std::string& why) {
    ++failed_;
    ADD_FAILURE() << suite_ << " / " << name << ": " << why;
}

Tally::~Tally() {
    if (skipped_)
        std::printf("%s: %d passed, %d failed, %d skipped\n", suite_.c_str(), passed_, failed_, skipped_);
    else
        std::printf("%s: %d passed, %d failed\n", suite_.c_str(), passed_, failed_);
    std::fflush(stdout);
}

}  // namespace trellis::test
