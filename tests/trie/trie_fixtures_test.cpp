// Ethereum's trie conformance vectors (ethereum/tests TrieTests), each file
// tallied separately.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "support/fixtures.hpp"
#include "trie/nibbles.hpp"
#include "trie/root_builder.hpp"
#include "trie/trie.hpp"

using namespace trellis;
using namespace trellis::trie;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

/// Keys and values are ASCII unless 0x-prefixed (fixtures README).
Bytes fixture_bytes(const std::string& s) {
    if (s.rfind("0x", 0) == 0) return hex_bytes(s);
    const ByteView v = as_view(s);
    return Bytes(v.begin(), v.end());
}

struct Op {
    Bytes key;
    std::optional<Bytes> value;  // nullopt = delete
};

std::vector<Op> ops_of(const nlohmann::json& in) {
    std::vector<Op> ops;
    auto value_of = [](const nlohmann::json& v) -> std::optional<Bytes> {
        if (v.is_null()) return std::nullopt;
        return fixture_bytes(v.get<std::string>());
    };
    if (in.is_array()) {
        for (const auto& p : in) ops.push_back({fixture_bytes(p[0].get<std::string>()), value_of(p[1])});
    } else {
        for (const auto& [k, v] : in.items()) ops.push_back({fixture_bytes(k), value_of(v)});
    }
    return ops;
}

/// Applies ops to a fresh trie and checks the root, then checks the same
/// contents through RootBuilder and through a proof of every key. Returns ""
/// on success, else why it failed.
std::string run_case(const std::vector<Op>& ops, bool secure, const Hash32& want) {
    MemoryNodeStore store;
    Trie t(store);
    std::map<Bytes, Bytes> model;  // by the key the trie sees
    for (const auto& op : ops) {
        const Bytes k = secure ? to_bytes(crypto::keccak256(op.key)) : op.key;
        if (op.value && !op.value->empty()) {
            if (!t.put(k, *op.value)) return "put failed";
            model[k] = *op.value;
        } else {
            if (!t.erase(k)) return "erase failed";
            model.erase(k);
        }
    }
    const Hash32 root = t.root_hash();
    if (root != want) return "root " + to_0x_hex(root) + " want " + to_0x_hex(want);

    RootBuilder b;
    for (const auto& [k, v] : model) b.add(k, v);
    const Hash32 built = b.root();
    if (built != want) return "RootBuilder root " + to_0x_hex(built);

    Trie reopened(store, root);
    for (const auto& [k, v] : model) {
        auto got = reopened.get(k);
        if (!got || !*got || **got != v) return "reopened get of " + to_0x_hex(k);
        auto proof = t.prove(k);
        if (!proof) return "prove failed";
        auto checked = verify_proof(root, k, *proof);
        if (!checked || !*checked || **checked != v) return "proof of " + to_0x_hex(k);
    }
    return "";
}

void run_root_file(const char* rel, bool secure, bool any_order) {
    TRELLIS_FIXTURE_PATH(path, rel);
    Tally tally(rel);
    const auto j = trellis::test::load_json(path);
    for (const auto& [name, tc] : j.items()) {
        auto ops = ops_of(tc["in"]);
        const Hash32 want = Hash32::from(hex_bytes(tc["root"].get<std::string>()));
        std::string why = run_case(ops, secure, want);
        if (why.empty() && any_order) {
            // Order must not matter: also insert in reverse.
            std::reverse(ops.begin(), ops.end());
            why = run_case(ops, secure, want);
            if (!why.empty()) why = "reversed order: " + why;
        }
        if (why.empty())
            tally.pass();
        else
            tally.fail(name, why);
    }
}

}  // namespace

TEST(TrieFixtures, trietest_roots_match) { run_root_file("trie/trietest.json", false, false); }
TEST(TrieFixtures, trietest_secure_roots_match) { run_root_file("trie/trietest_secureTrie.json", true, false); }
TEST(TrieFixtures, trieanyorder_roots_match_in_any_order) {
    run_root_file("trie/trieanyorder.json", false, true);
}
TEST(TrieFixtures, trieanyorder_secure_roots_match_in_any_order) {
    run_root_file("trie/trieanyorder_secureTrie.json", true, true);
}
TEST(TrieFixtures, hex_encoded_securetrie_roots_match) {
    run_root_file("trie/hex_encoded_securetrie_test.json", true, true);
}

TEST(TrieFixtures, hexencodetest_hex_prefix_round_trips) {
    TRELLIS_FIXTURE_PATH(path, "trie/hexencodetest.json");
    Tally tally("trie/hexencodetest.json");
    const auto j = trellis::test::load_json(path);
    for (const auto& [name, tc] : j.items()) {
        Bytes seq;
        for (const auto& n : tc["seq"]) seq.push_back(n.get<uint8_t>());
        const bool term = tc["term"].get<bool>();
        const Bytes want = hex_bytes(tc["out"].get<std::string>());
        const Bytes got = hex_prefix_encode(seq, term);
        if (got != want) {
            tally.fail(name, "encoded " + to_hex(got));
            continue;
        }
        auto back = hex_prefix_decode(got);
        if (!back || back->nibbles != seq || back->leaf != term) {
            tally.fail(name, "decode did not round-trip");
            continue;
        }
        tally.pass();
    }
}

TEST(TrieFixtures, trietestnextprev_neighbours_match) {
    TRELLIS_FIXTURE_PATH(path, "trie/trietestnextprev.json");
    Tally tally("trie/trietestnextprev.json");
    const auto j = trellis::test::load_json(path);
    for (const auto& [name, tc] : j.items()) {
        MemoryNodeStore store;
        Trie t(store);
        for (const auto& k : tc["in"]) {
            const Bytes key = fixture_bytes(k.get<std::string>());
            ASSERT_TRUE(t.put(key, key));
        }
        // Also from a reopened trie, so the walk loads nodes from the store.
        Trie reopened(store, t.root_hash());
        for (const auto& row : tc["tests"]) {
            const Bytes key = fixture_bytes(row[0].get<std::string>());
            const Bytes prev = fixture_bytes(row[1].get<std::string>());
            const Bytes next = fixture_bytes(row[2].get<std::string>());
            const std::string label = name + "/" + row[0].get<std::string>();
            bool ok = true;
            for (Trie* tr : {&t, &reopened}) {
                auto p = tr->prev_key(key);
                auto n = tr->next_key(key);
                // "" in the fixture means no such key.
                if (!p || p->value_or(Bytes{}) != prev || !n || n->value_or(Bytes{}) != next) ok = false;
            }
            if (ok)
                tally.pass();
            else
                tally.fail(label, "prev/next mismatch");
        }
    }
}
