#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace trellis::test {

/// A fresh directory under the system temp dir (a random name with prefix),
/// removed with everything in it when the object goes. create = false
/// only reserves the name, for code that must create the directory itself.
struct TempDir {
    std::filesystem::path path;

    explicit TempDir(const std::string& prefix = "trellis-test", bool create = true) {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(rd()) + std::to_string(rd()));
        if (create) std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace trellis::test
