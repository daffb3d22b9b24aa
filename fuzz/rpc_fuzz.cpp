// Arbitrary bytes into the JSON-RPC request handler with every eth_ method
// registered over an in-memory backend. Properties: no crash, no sanitizer
// report, and whenever there is a response it is valid JSON (an object or a
// batch array) in JSON-RPC 2.0 shape.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../tests/rpc/test_chain.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/json_rpc.hpp"
#include "rpc/subscriptions.hpp"

namespace {

using namespace trellis;
using namespace trellis::rpc;

struct Harness {
    test::TestChain chain;
    std::unique_ptr<EthApi> api;
    Dispatcher dispatcher;
    SubscriptionHub hub{8};
    uint64_t conn = 0;

    Harness() {
        // Decode and hash, but keep nothing: the pool must not grow across runs.
        chain.backend.send_fn = [](ByteView b) -> Result<Hash32, SendFailure> {
            auto tx = chain::decode_transaction(b);
            if (!tx) return Unexpected{SendFailure{txpool::AddError::kInvalid, tx.error()}};
            return chain::transaction_hash(*tx);
        };
        ApiSettings s;
        s.max_filters = 64;
        api = std::make_unique<EthApi>(chain.backend, s);
        api->register_methods(dispatcher);
        conn = hub.connect([](std::shared_ptr<const std::string>) { return true; });
    }
};

void check_shape(const json& r) {
    if (!r.is_object() || r["jsonrpc"] != "2.0" || !r.contains("id") || (r.contains("result") == r.contains("error")))
        std::abort();
    if (r.contains("error") && (!r["error"]["code"].is_number_integer() || !r["error"]["message"].is_string()))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Harness h;
    ConnectionSubscriptions subs(h.hub, h.conn);
    CallContext ctx;
    ctx.subscriptions = (size & 1) ? &subs : nullptr;
    ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto out = h.dispatcher.handle(body, ctx);
    if (!out) return 0;
    const json r = json::parse(*out, nullptr, false);
    if (r.is_discarded()) std::abort();
    if (r.is_array()) {
        if (r.empty()) std::abort();
        for (const auto& x : r) check_shape(x);
    } else {
        check_shape(r);
    }
    return 0;
}
