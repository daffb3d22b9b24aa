#include <gtest/gtest.h>

#include <map>
#include <random>

#include "base/hex.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "trie/nibbles.hpp"
#include "trie/root_builder.hpp"
#include "trie/trie.hpp"

using namespace trellis;
using namespace trellis::trie;

namespace {

Bytes str(std::string_view s) { return to_bytes(as_view(s)); }

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

/// Keys from a small alphabet and short lengths, so they share prefixes, are
/// prefixes of each other and give inlined nodes; values short and long.
Bytes clustered_key(std::mt19937_64& rng) {
    const size_t n = rng() % 5;
    Bytes k(n);
    for (auto& x : k) x = uint8_t(rng() % 3 == 0 ? 0x12 : rng() % 4);
    return k;
}
Bytes random_value(std::mt19937_64& rng) {
    const size_t n = 1 + (rng() % 3 == 0 ? rng() % 60 : rng() % 4);
    return random_bytes(rng, n);
}

Hash32 model_root(const std::map<Bytes, Bytes>& m) {
    RootBuilder b;
    for (const auto& [k, v] : m) b.add(k, v);
    return b.root();
}

}  // namespace

TEST(HexPrefix, rejects_bad_flag_and_padding) {
    EXPECT_EQ(hex_prefix_decode(Bytes{}).error(), TrieError::kInvalidHexPrefix);
    EXPECT_EQ(hex_prefix_decode(Bytes{0x40}).error(), TrieError::kInvalidHexPrefix);  // flag 4
    EXPECT_EQ(hex_prefix_decode(Bytes{0x01, 0x23}).error(), TrieError::kInvalidHexPrefix);  // even, pad 1
    EXPECT_EQ(hex_prefix_decode(Bytes{0x25}).error(), TrieError::kInvalidHexPrefix);
    auto odd_leaf = hex_prefix_decode(Bytes{0x3f, 0x12});
    ASSERT_TRUE(odd_leaf);
    EXPECT_TRUE(odd_leaf->leaf);
    EXPECT_EQ(odd_leaf->nibbles, (Bytes{0xf, 0x1, 0x2}));
    auto empty_ext = hex_prefix_decode(Bytes{0x00});
    ASSERT_TRUE(empty_ext);
    EXPECT_FALSE(empty_ext->leaf);
    EXPECT_TRUE(empty_ext->nibbles.empty());
}

TEST(Trie, empty_root_is_keccak_of_empty_string_rlp) {
    EXPECT_EQ(kEmptyRoot, crypto::keccak256(Bytes{0x80}));
    MemoryNodeStore store;
    Trie t(store);
    EXPECT_EQ(t.root_hash(), kEmptyRoot);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(RootBuilder().root(), kEmptyRoot);
    EXPECT_EQ(ordered_list_root({}), kEmptyRoot);
}

TEST(Trie, empty_value_deletes_like_ethereum) {
    MemoryNodeStore store;
    Trie t(store);
    ASSERT_TRUE(t.put(str("dog"), str("puppy")));
    ASSERT_TRUE(t.put(str("dog"), Bytes{}));
    EXPECT_EQ(t.root_hash(), kEmptyRoot);
    EXPECT_FALSE(t.get(str("dog")).value().has_value());
}

TEST(Trie, delete_restores_earlier_root) {
    MemoryNodeStore store;
    Trie t(store);
    std::mt19937_64 rng(7);
    std::vector<Bytes> keys;
    for (int i = 0; i < 200; ++i) {
        keys.push_back(random_bytes(rng, 1 + rng() % 8));
        ASSERT_TRUE(t.put(keys.back(), random_value(rng)));
    }
    const Hash32 before = t.root_hash();
    // Extra keys sharing prefixes with existing ones force splits, then merges.
    std::vector<Bytes> extra;
    for (int i = 0; i < 100; ++i) {
        Bytes k = keys[rng() % keys.size()];
        k.push_back(uint8_t(rng()));
        if (!t.get(k).value()) {
            extra.push_back(k);
            ASSERT_TRUE(t.put(k, random_value(rng)));
        }
    }
    ASSERT_FALSE(extra.empty());
    EXPECT_NE(t.root_hash(), before);
    for (const auto& k : extra) ASSERT_TRUE(t.erase(k));
    EXPECT_EQ(t.root_hash(), before);
}

TEST(Trie, random_puts_and_erases_match_root_builder) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        std::mt19937_64 rng(seed);
        MemoryNodeStore store;
        Trie t(store);
        std::map<Bytes, Bytes> model;
        for (int step = 0; step < 400; ++step) {
            const Bytes k = seed % 2 ? clustered_key(rng) : random_bytes(rng, rng() % 4 + 1);
            if (rng() % 3 == 0) {
                ASSERT_TRUE(t.erase(k));
                model.erase(k);
            } else {
                const Bytes v = random_value(rng);
                ASSERT_TRUE(t.put(k, v));
                model[k] = v;
            }
            if (step % 37 == 0) {
                ASSERT_EQ(t.root_hash(), model_root(model)) << "seed " << seed << " step " << step;
            }
        }
        ASSERT_EQ(t.root_hash(), model_root(model)) << "seed " << seed;
        for (const auto& [k, v] : model) ASSERT_EQ(t.get(k).value(), v);
    }
}

TEST(Trie, reopens_from_store_at_committed_root) {
    MemoryNodeStore store;
    std::mt19937_64 rng(11);
    std::map<Bytes, Bytes> model;
    Hash32 root;
    {
        Trie t(store);
        for (int i = 0; i < 500; ++i) {
            Bytes k = random_bytes(rng, 32), v = random_value(rng);
            ASSERT_TRUE(t.put(k, v));
            model[k] = v;
        }
        root = t.commit();
    }
    Trie t(store, root);
    for (const auto& [k, v] : model) ASSERT_EQ(t.get(k).value(), v);
    EXPECT_FALSE(t.get(random_bytes(rng, 32)).value().has_value());
    // Change a reopened trie: deletes must load siblings to collapse.
    int n = 0;
    for (auto it = model.begin(); it != model.end();) {
        if (n++ % 2) {
            ASSERT_TRUE(t.erase(it->first));
            it = model.erase(it);
        } else {
            ++it;
        }
    }
    const Hash32 changed = t.root_hash();
    EXPECT_EQ(changed, model_root(model));
    // And a third generation, opened on a fresh object at the changed root.
    Trie again(store, changed);
    for (const auto& [k, v] : model) ASSERT_EQ(again.get(k).value(), v);
}

TEST(Trie, short_root_is_stored_and_reopens) {
    MemoryNodeStore store;
    Trie t(store);
    ASSERT_TRUE(t.put(str("a"), str("b")));  // one leaf, RLP well under 32 bytes
    const Hash32 root = t.root_hash();
    Trie reopened(store, root);
    EXPECT_EQ(reopened.get(str("a")).value(), str("b"));
    ASSERT_TRUE(reopened.put(str("ab"), str("c")));
    EXPECT_EQ(reopened.root_hash(), model_root({{str("a"), str("b")}, {str("ab"), str("c")}}));
}

TEST(Trie, unchanged_put_writes_nothing_on_commit) {
    MemoryNodeStore store;
    Trie t(store);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(t.put(Bytes{uint8_t(i), 1, 2, 3}, Bytes(40, uint8_t(i))));
    t.commit();
    const size_t puts = store.put_count();
    ASSERT_TRUE(t.put(Bytes{7, 1, 2, 3}, Bytes(40, 7)));  // same value
    ASSERT_TRUE(t.erase(Bytes{9, 9}));                    // absent key
    t.commit();
    EXPECT_EQ(store.put_count(), puts);
}

TEST(Trie, missing_node_is_an_error_and_changes_nothing) {
    MemoryNodeStore store;
    std::mt19937_64 rng(3);
    std::map<Bytes, Bytes> model;
    Trie t(store);
    for (int i = 0; i < 300; ++i) {
        Bytes k = random_bytes(rng, 32), v = random_value(rng);
        ASSERT_TRUE(t.put(k, v));
        model[k] = v;
    }
    const Hash32 root = t.root_hash();
    // Drop the node under the first key's path at depth >= 2 from the store.
    const Bytes& victim = model.begin()->first;
    auto proof = t.prove(victim).value();
    ASSERT_GE(proof.size(), 3u);
    const Hash32 lost = crypto::keccak256(proof[1]);
    ASSERT_TRUE(store.erase(lost));

    Trie reopened(store, root);
    EXPECT_EQ(reopened.get(victim).error(), TrieError::kMissingNode);
    EXPECT_EQ(reopened.put(victim, str("x")).error(), TrieError::kMissingNode);
    EXPECT_EQ(reopened.erase(victim).error(), TrieError::kMissingNode);
    EXPECT_EQ(reopened.prove(victim).error(), TrieError::kMissingNode);
    EXPECT_EQ(reopened.root_hash(), root);  // the failures changed nothing
}

TEST(Trie, malformed_stored_node_is_an_error) {
    MemoryNodeStore store;
    Trie t(store);
    std::mt19937_64 rng(5);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(t.put(random_bytes(rng, 32), random_value(rng)));
    const Hash32 root = t.root_hash();
    const Bytes any_key = random_bytes(rng, 32);
    for (const Bytes& bad : {Bytes{0x80}, Bytes{0xc0}, Bytes{0xc2, 0x80, 0x80}, Bytes{0xc3, 0x82, 0x40, 0x01},
                             Bytes{0x01, 0x02}}) {
        store.overwrite(root, bad);
        Trie broken(store, root);
        auto r = broken.get(any_key);
        ASSERT_FALSE(r) << to_hex(bad);
        EXPECT_TRUE(r.error() == TrieError::kMalformedNode || r.error() == TrieError::kInvalidHexPrefix);
    }
}

TEST(Trie, key_too_long_is_refused) {
    MemoryNodeStore store;
    Trie t(store);
    const Bytes long_key(kMaxKeyLength + 1, 1);
    EXPECT_EQ(t.put(long_key, str("v")).error(), TrieError::kKeyTooLong);
    EXPECT_EQ(t.get(long_key).error(), TrieError::kKeyTooLong);
    EXPECT_EQ(verify_proof(kEmptyRoot, long_key, {}).error(), TrieError::kKeyTooLong);
    EXPECT_TRUE(t.put(Bytes(kMaxKeyLength, 1), str("v")));
}

TEST(Trie, secure_trie_hashes_keys) {
    MemoryNodeStore s1, s2;
    SecureTrie secure(s1);
    Trie plain(s2);
    for (int i = 0; i < 20; ++i) {
        const Bytes k{uint8_t(i)};
        ASSERT_TRUE(secure.put(k, str("value")));
        ASSERT_TRUE(plain.put(crypto::keccak256(k), str("value")));
    }
    EXPECT_EQ(secure.root_hash(), plain.root_hash());
    EXPECT_EQ(secure.get(Bytes{3}).value(), str("value"));
    auto proof = secure.prove(Bytes{3}).value();
    EXPECT_EQ(verify_proof(secure.root_hash(), crypto::keccak256(Bytes{3}), proof).value(), str("value"));
}

TEST(Trie, next_and_prev_keys_match_ordered_map) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        std::mt19937_64 rng(seed * 101);
        MemoryNodeStore store;
        Trie t(store);
        std::map<Bytes, Bytes> model;
        for (int i = 0; i < 150; ++i) {
            Bytes k = clustered_key(rng), v = random_value(rng);
            ASSERT_TRUE(t.put(k, v));
            model[k] = v;
        }
        Trie reopened(store, t.root_hash());
        for (int i = 0; i < 300; ++i) {
            const Bytes probe = clustered_key(rng);
            auto up = model.upper_bound(probe);
            std::optional<Bytes> want_next, want_prev;
            if (up != model.end()) want_next = up->first;
            auto lo = model.lower_bound(probe);
            if (lo != model.begin()) want_prev = std::prev(lo)->first;
            ASSERT_EQ(reopened.next_key(probe).value(), want_next) << to_hex(probe);
            ASSERT_EQ(reopened.prev_key(probe).value(), want_prev) << to_hex(probe);
        }
    }
}

// ---------------------------------------------------------------------------
// Proofs

TEST(Proof, round_trips_for_present_and_absent_keys) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        std::mt19937_64 rng(seed);
        MemoryNodeStore store;
        Trie t(store);
        std::map<Bytes, Bytes> model;
        const size_t count = seed * 40;
        for (size_t i = 0; i < count; ++i) {
            Bytes k = seed % 2 ? clustered_key(rng) : random_bytes(rng, 32);
            Bytes v = random_value(rng);
            ASSERT_TRUE(t.put(k, v));
            model[k] = v;
        }
        const Hash32 root = t.root_hash();
        for (const auto& [k, v] : model) {
            auto proof = t.prove(k).value();
            ASSERT_FALSE(proof.empty());
            EXPECT_EQ(crypto::keccak256(proof[0]), root);
            ASSERT_EQ(verify_proof(root, k, proof).value(), v);
        }
        for (int i = 0; i < 100; ++i) {
            const Bytes k = seed % 2 ? clustered_key(rng) : random_bytes(rng, 32);
            if (model.count(k)) continue;
            auto proof = t.prove(k).value();
            ASSERT_EQ(verify_proof(root, k, proof).value(), std::nullopt) << to_hex(k);
        }
    }
}

TEST(Proof, empty_trie_proves_absence_with_no_nodes) {
    MemoryNodeStore store;
    Trie t(store);
    auto proof = t.prove(str("x")).value();
    EXPECT_TRUE(proof.empty());
    EXPECT_EQ(verify_proof(kEmptyRoot, str("x"), proof).value(), std::nullopt);
}

TEST(Proof, tampered_proofs_are_rejected) {
    std::mt19937_64 rng(99);
    MemoryNodeStore store;
    Trie t(store);
    std::vector<Bytes> keys;
    for (int i = 0; i < 300; ++i) {
        keys.push_back(random_bytes(rng, 32));
        ASSERT_TRUE(t.put(keys.back(), random_value(rng)));
    }
    const Hash32 root = t.root_hash();
    for (int trial = 0; trial < 50; ++trial) {
        const Bytes& k = keys[rng() % keys.size()];
        const auto proof = t.prove(k).value();
        // Any flipped bit in any node breaks the hash chain.
        for (size_t i = 0; i < proof.size(); ++i) {
            auto bad = proof;
            bad[i][rng() % bad[i].size()] ^= uint8_t(1u << (rng() % 8));
            EXPECT_FALSE(verify_proof(root, k, bad)) << "node " << i;
        }
        // A missing node leaves the path incomplete.
        auto shorter = proof;
        shorter.erase(shorter.begin() + ptrdiff_t(rng() % shorter.size()));
        EXPECT_EQ(verify_proof(root, k, shorter).error(), TrieError::kProofMissingNode);
        // A proof against another root proves nothing.
        Hash32 other = root;
        other[0] ^= 1;
        EXPECT_EQ(verify_proof(other, k, proof).error(), TrieError::kProofMissingNode);
    }
}

TEST(Proof, hostile_proofs_fail_cleanly) {
    std::mt19937_64 rng(1234);
    // Random bytes, random RLP-looking lists, and a node that claims to be the root.
    for (int trial = 0; trial < 3000; ++trial) {
        std::vector<Bytes> proof;
        const size_t n = rng() % 4;
        for (size_t i = 0; i < n; ++i) {
            Bytes b = random_bytes(rng, rng() % 80);
            if (!b.empty() && rng() % 2) b[0] = uint8_t(0xc0 + b.size() - 1 < 0xf8 ? 0xc0 + b.size() - 1 : 0xc0);
            proof.push_back(b);
        }
        const Hash32 root = proof.empty() ? kEmptyRoot : crypto::keccak256(proof[0]);
        auto r = verify_proof(root, random_bytes(rng, rng() % 34), proof);
        (void)r;  // any outcome but a crash or a hang
    }
    // A short node claimed as a hashed child is refused (it would be inlined).
    Bytes leaf;
    trie::detail::encode_leaf(leaf, Bytes{1}, str("v"));
    Bytes ext;
    trie::detail::encode_extension(ext, Bytes{0}, trie::detail::NodeRef::of_hash(crypto::keccak256(leaf)));
    EXPECT_EQ(verify_proof(crypto::keccak256(ext), Bytes{0x01}, {ext, leaf}).error(), TrieError::kMalformedNode);
    // Too many nodes.
    std::vector<Bytes> many(kMaxProofNodes + 1, Bytes{0x80});
    EXPECT_EQ(verify_proof(crypto::keccak256(Bytes{0x80}), Bytes{1}, many).error(), TrieError::kProofTooLarge);
}

// ---------------------------------------------------------------------------
// RootBuilder and list roots

TEST(RootBuilder, matches_trie_on_random_sorted_data) {
    for (uint64_t seed = 1; seed <= 30; ++seed) {
        std::mt19937_64 rng(seed);
        std::map<Bytes, Bytes> model;
        const size_t n = rng() % 300;
        for (size_t i = 0; i < n; ++i) {
            Bytes k = seed % 3 == 0 ? random_bytes(rng, 32) : clustered_key(rng);
            model[k] = random_value(rng);
        }
        MemoryNodeStore store;
        Trie t(store);
        for (const auto& [k, v] : model) ASSERT_TRUE(t.put(k, v));
        std::vector<std::pair<Bytes, Bytes>> pairs(model.begin(), model.end());
        ASSERT_EQ(ordered_root(pairs), t.root_hash()) << "seed " << seed;
    }
}

TEST(RootBuilder, is_reusable_after_root) {
    RootBuilder b;
    b.add(str("a"), str("1"));
    b.add(str("b"), str("2"));
    const Hash32 first = b.root();
    b.add(str("a"), str("1"));
    b.add(str("b"), str("2"));
    EXPECT_EQ(b.root(), first);
    EXPECT_EQ(b.root(), kEmptyRoot);
}

TEST(RootBuilder, ordered_list_root_keys_items_by_rlp_index) {
    std::mt19937_64 rng(17);
    for (size_t n : {1u, 2u, 16u, 127u, 128u, 129u, 255u, 256u, 300u}) {
        std::vector<Bytes> values;
        MemoryNodeStore store;
        Trie t(store);
        for (size_t i = 0; i < n; ++i) {
            values.push_back(random_value(rng));
            Bytes key;
            rlp::encode_uint(key, uint64_t(i));
            ASSERT_TRUE(t.put(key, values.back()));
        }
        EXPECT_EQ(ordered_list_root(values), t.root_hash()) << n;
    }
}

TEST(RootBuilder, single_empty_key) {
    MemoryNodeStore store;
    Trie t(store);
    ASSERT_TRUE(t.put(Bytes{}, str("root value")));
    ASSERT_TRUE(t.put(Bytes{0x10}, str("x")));
    EXPECT_EQ(model_root({{Bytes{}, str("root value")}, {Bytes{0x10}, str("x")}}), t.root_hash());
    EXPECT_EQ(t.get(Bytes{}).value(), str("root value"));
}

#if GTEST_HAS_DEATH_TEST
TEST(RootBuilderDeathTest, out_of_order_keys_trip_the_assertion) {
    EXPECT_DEATH(
        {
            RootBuilder b;
            b.add(str("b"), str("1"));
            b.add(str("a"), str("2"));
        },
        "");
}
#endif
