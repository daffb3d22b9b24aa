// Consensus hot paths: message decoding, QC verification (keyed-hash stand-in
// and real secp256k1 through CryptoSuite), leader election.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "consensus/election.hpp"
#include "consensus/messages.hpp"
#include "crypto/keccak.hpp"

using namespace trellis;
using namespace trellis::consensus;

namespace {

class KeyedHash final : public SignatureScheme {
public:
    explicit KeyedHash(Bytes key) : key_(std::move(key)) {}
    Hash32 hash(ByteView d) const override { return crypto::keccak256(d); }
    Bytes sign(const Hash32& d) const override {
        Bytes b = key_;
        append(b, d.view());
        return to_bytes(crypto::keccak256(b).view());
    }
    bool verify(ByteView pub, const Hash32& d, ByteView sig) const override {
        Bytes b = to_bytes(pub);
        append(b, d.view());
        return sig.size() == 32 && equal(crypto::keccak256(b).view(), sig);
    }

private:
    Bytes key_;
};

struct Fixture {
    std::vector<std::unique_ptr<SignatureScheme>> signers;
    ValidatorSet set;
    QuorumCert qc;
    Bytes proposal;

    Fixture(size_t n, bool real) {
        std::vector<Validator> v;
        for (size_t i = 0; i < n; ++i) {
            crypto::SuitePrivateKey k = crypto::keccak256(Bytes{uint8_t(i + 1)});
            k[0] = 0x22;
            if (real) {
                auto s = std::make_unique<SuiteScheme>(crypto::ethereum_suite(), k);
                v.push_back({*s->public_key(), 100});
                signers.push_back(std::move(s));
            } else {
                v.push_back({to_bytes(k.view()), 100});
                signers.push_back(std::make_unique<KeyedHash>(to_bytes(k.view())));
            }
        }
        set = ValidatorSet(v);
        const Hash32 id = crypto::keccak256(as_view("block"));
        qc = QuorumCert{0, 9, id, {}};
        for (size_t i = 0; i < n; ++i)
            qc.sigs.push_back({ValidatorIndex(i), signers[i]->sign(vote_digest(*signers[0], 1, 0, 9, id))});
        BlockHeader h;
        h.view = 10;
        h.block_num = 5;
        h.justify = qc;
        Proposal p{make_block(*signers[0], h, Bytes(1024, 7)), std::nullopt, signers[0]->sign(id)};
        proposal = encode_message(p);
    }
};

void BM_decode_proposal(benchmark::State& st) {
    Fixture f(size_t(st.range(0)), false);
    for (auto _ : st) benchmark::DoNotOptimize(decode_message(f.proposal, *f.signers[0]));
}
BENCHMARK(BM_decode_proposal)->Arg(4)->Arg(10)->Arg(100);

void BM_verify_qc_keyed_hash(benchmark::State& st) {
    Fixture f(size_t(st.range(0)), false);
    for (auto _ : st) benchmark::DoNotOptimize(verify_qc(f.qc, f.set, *f.signers[0], 1).ok());
}
BENCHMARK(BM_verify_qc_keyed_hash)->Arg(4)->Arg(10)->Arg(100);

void BM_verify_qc_secp256k1(benchmark::State& st) {
    Fixture f(size_t(st.range(0)), true);
    for (auto _ : st) benchmark::DoNotOptimize(verify_qc(f.qc, f.set, *f.signers[0], 1).ok());
}
BENCHMARK(BM_verify_qc_secp256k1)->Arg(4)->Arg(10)->Arg(100);

void BM_elect_leader(benchmark::State& st) {
    Fixture f(size_t(st.range(0)), false);
    BlockHeader anchor;
    anchor.view = 1;
    ViewNum v = 2;
    for (auto _ : st) benchmark::DoNotOptimize(elect_leader(*f.signers[0], f.set, 0, v++, anchor));
}
BENCHMARK(BM_elect_leader)->Arg(10)->Arg(100);

}  // namespace
BENCHMARK_MAIN();
