// Node configuration files are written by operators and copied between
// hosts: any bytes must give a configuration or an error that names where
// and what is wrong, never a crash or an uncaught exception.
#include <cstdlib>
#include <string>

#include "node/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 64 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    trellis::node::NodeConfig config;
    auto r = trellis::node::apply_config(text, "fuzz.toml", "/base", config);
    if (!r && r.error().empty()) std::abort();  // every rejection says why
    return 0;
}
