// Differential fuzzer for the trie: the fuzz input is a program of put / erase
// / prove / commit-and-reopen operations run against Trie and a std::map
// model; the Trie's root must equal RootBuilder's over the model, every read
// and proof must agree with the model. A first byte of 0 instead feeds the
// bytes to verify_proof as a hostile proof, which must fail or succeed
// cleanly, never crash or hang.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/keccak.hpp"
#include "trie/root_builder.hpp"
#include "trie/trie.hpp"

using namespace trellis;
using namespace trellis::trie;

namespace {

#define CHECK(cond) \
    do {            \
        if (!(cond)) std::abort(); \
    } while (0)

class Reader {
public:
    Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
    bool done() const { return p_ == end_; }
    uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
    Bytes take(size_t n) {
        n = std::min<size_t>(n, size_t(end_ - p_));
        Bytes b(p_, p_ + n);
        p_ += n;
        return b;
    }
    Bytes rest() { return take(size_t(end_ - p_)); }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

/// Short keys over a tiny alphabet collide, nest and share prefixes often.
Bytes read_key(Reader& r) {
    const uint8_t spec = r.byte();
    if (spec & 0x80) return r.take(32);  // a hashed-looking key now and then
    Bytes k(spec % 6);
    for (auto& b : k) b = uint8_t(r.byte() % 4 * 0x11);
    return k;
}

Bytes read_value(Reader& r) {
    const uint8_t spec = r.byte();
    return r.take(spec % 48);  // may be empty: means erase
}

void check_proof(Trie& t, const Hash32& root, ByteView key, const std::map<Bytes, Bytes>& model) {
    auto proof = t.prove(key);
    CHECK(proof.ok());
    auto got = verify_proof(root, key, *proof);
    CHECK(got.ok());
    const auto it = model.find(Bytes(key.begin(), key.end()));
    if (it == model.end())
        CHECK(!got->has_value());
    else
        CHECK(got->has_value() && **got == it->second);
}

void run_hostile_proof(Reader& r) {
    const Bytes key = r.take(r.byte() % 40);
    std::vector<Bytes> proof;
    while (!r.done() && proof.size() < 8) proof.push_back(r.take(r.byte()));
    const Hash32 root = proof.empty() ? kEmptyRoot : crypto::keccak256(proof[0]);
    auto got = verify_proof(root, key, proof);
    (void)got;
}

void run_program(Reader& r) {
    MemoryNodeStore store;
    auto t = std::make_unique<Trie>(store);
    std::map<Bytes, Bytes> model;
    size_t ops = 0;
    while (!r.done() && ops++ < 512) {
        switch (r.byte() % 5) {
            case 0:
            case 1: {
                const Bytes k = read_key(r);
                const Bytes v = read_value(r);
                CHECK(t->put(k, v).ok());
                if (v.empty())
                    model.erase(k);
                else
                    model[k] = v;
                break;
            }
            case 2: {
                const Bytes k = read_key(r);
                CHECK(t->erase(k).ok());
                model.erase(k);
                break;
            }
            case 3: {
                const Bytes k = read_key(r);
                const Hash32 root = t->root_hash();
                check_proof(*t, root, k, model);
                auto got = t->get(k);
                CHECK(got.ok());
                const auto it = model.find(k);
                CHECK(got->has_value() == (it != model.end()));
                if (it != model.end()) CHECK(**got == it->second);
                break;
            }
            case 4: {  // commit and continue from the store alone
                const Hash32 root = t->commit();
                t = std::make_unique<Trie>(store, root);
                break;
            }
        }
    }
    RootBuilder b;
    for (const auto& [k, v] : model) b.add(k, v);
    const Hash32 root = t->root_hash();
    CHECK(root == b.root());
    Trie reopened(store, root);
    for (const auto& [k, v] : model) {
        auto got = reopened.get(k);
        CHECK(got.ok() && got->has_value() && **got == v);
    }
    if (!model.empty()) check_proof(reopened, root, model.begin()->first, model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Reader r(data, size);
    if (r.byte() == 0)
        run_hostile_proof(r);
    else
        run_program(r);
    return 0;
}
