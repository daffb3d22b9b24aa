// Genesis files come from operators but travel between organisations: any
// bytes must parse to a valid genesis or a clear error, and a parsed genesis
// must round-trip through its canonical JSON.
#include <cstdlib>
#include <string>

#include "node/genesis_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 64 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto g = trellis::node::parse_genesis_json(text);
    if (!g) {
        if (g.error().empty()) std::abort();  // every rejection names its reason
        return 0;
    }
    auto again = trellis::node::parse_genesis_json(trellis::node::genesis_to_json(*g));
    if (!again || !(*again == *g)) std::abort();
    return 0;
}
