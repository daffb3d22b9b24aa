// libFuzzer target for consensus message decoding (consensus/messages.hpp)
// and the engine behind it (consensus/engine.hpp).
// Properties: decoding never crashes; whatever decodes re-encodes to exactly
// the input and decodes again to the same message; the safety-state decoder
// round-trips the same way; an engine fed any bytes from any sender neither
// crashes nor emits a message it could not decode itself.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "consensus/engine.hpp"
#include "consensus/safety.hpp"
#include "crypto/keccak.hpp"

using namespace trellis;
using namespace trellis::consensus;

namespace {

/// Keyed-hash stand-in signatures (as the simulation's): fast, deterministic.
class FuzzScheme final : public SignatureScheme {
public:
    explicit FuzzScheme(Bytes key) : key_(std::move(key)) {}
    Hash32 hash(ByteView data) const override { return crypto::keccak256(data); }
    Bytes sign(const Hash32& digest) const override {
        Bytes buf = key_;
        append(buf, digest.view());
        return to_bytes(crypto::keccak256(buf).view());
    }
    bool verify(ByteView public_key, const Hash32& digest, ByteView sig) const override {
        if (sig.size() != 32) return false;
        Bytes buf = to_bytes(public_key);
        append(buf, digest.view());
        return equal(crypto::keccak256(buf).view(), sig);
    }

private:
    Bytes key_;
};

Bytes key_of(uint8_t i) {
    return Bytes(32, uint8_t(i + 1));
}

struct Harness {
    FuzzScheme scheme{key_of(0)};
    MemorySafetyStore wal;
    std::unique_ptr<Engine> engine;
    size_t inputs = 0;

    void reset() {
        std::vector<Validator> v;
        for (uint8_t i = 0; i < 4; ++i) v.push_back({key_of(i), uint64_t(10 + i)});
        BlockHeader gh;
        EngineConfig cfg;
        cfg.self = 0;
        cfg.root = make_block(scheme, gh, {});
        cfg.root_qc = QuorumCert{0, 0, cfg.root.id, {}};
        cfg.validators = ValidatorSet(v);
        wal = MemorySafetyStore{};
        engine = std::make_unique<Engine>(cfg, scheme, wal);
        check(engine->start());
    }

    void check(const Outputs& out) const {
        for (const auto& m : out.messages)
            if (!decode_message(m.bytes, scheme)) std::abort();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Harness h;
    if (!h.engine || ++h.inputs % 512 == 0) h.reset();
    const ByteView in(data, size);

    auto m = decode_message(in, h.scheme);
    if (m) {
        const Bytes re = encode_message(*m);
        if (!equal(re, in)) std::abort();
        auto again = decode_message(re, h.scheme);
        if (!again || !(*again == *m)) std::abort();
    }
    auto s = decode_safety_state(in);
    if (s && !equal(encode_safety_state(*s), in)) std::abort();

    // Any sender, including a non-validator; the engine must stay standing.
    const ValidatorIndex from = ValidatorIndex(size % 5);
    Outputs out = h.engine->on_message(from, in);
    h.check(out);
    if (!m && out.rejections.empty()) std::abort();  // undecodable bytes are always rejected
    h.check(h.engine->on_timer(h.engine->current_view()));
    return 0;
}
