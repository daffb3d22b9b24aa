#include "storage/state_store.hpp"

#include "codec/rlp.hpp"
#include "trie/trie.hpp"

namespace trellis::storage {

namespace {

Status trie_status(trie::TrieError e) {
    return Status::corruption(std::string("state trie: ") + trie::to_string(e));
}

/// The storage trie's leaf value: RLP of the minimal big-endian value.
Bytes slot_leaf(const Bytes32& v) {
    Bytes out;
    rlp::encode_uint(out, uint256::from_be(v.view()));
    return out;
}

Bytes trimmed(const Bytes32& v) {
    size_t i = 0;
    while (i < v.size() && v[i] == 0) ++i;
    return Bytes(v.bytes.begin() + i, v.bytes.end());
}

}  // namespace

Bytes account_key(const Address& a) {
    Bytes k;
    k.reserve(1 + Address::kSize);
    k.push_back(kAccountPrefix);
    append(k, a.view());
    return k;
}

Bytes storage_key(const Address& a, const Bytes32& slot) {
    Bytes k;
    k.reserve(1 + Address::kSize + Bytes32::kSize);
    k.push_back(kStoragePrefix);
    append(k, a.view());
    append(k, slot.view());
    return k;
}

Bytes code_key(const Hash32& code_hash) {
    Bytes k;
    k.reserve(1 + Hash32::kSize);
    k.push_back(kCodePrefix);
    append(k, code_hash.view());
    return k;
}

Bytes encode_account(const StoredAccount& a) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    rlp::encode_uint(out, a.record.nonce);
    rlp::encode_uint(out, a.record.balance);
    rlp::encode_string(out, a.storage_root.view());
    rlp::encode_string(out, a.record.code_hash.view());
    rlp::end_list(out, mark);
    return out;
}

std::optional<StoredAccount> decode_account(ByteView in) {
    auto item = rlp::decode_exact(in);
    if (!item || !item->is_list) return std::nullopt;
    rlp::ListReader f(item->payload);
    auto nonce = f.read_uint64();
    if (!nonce) return std::nullopt;
    auto balance = f.read_uint256();
    if (!balance) return std::nullopt;
    auto root = f.read_fixed<32>();
    if (!root) return std::nullopt;
    auto code_hash = f.read_fixed<32>();
    if (!code_hash || !f.finish()) return std::nullopt;
    StoredAccount a;
    a.record.nonce = *nonce;
    a.record.balance = *balance;
    a.record.code_hash = *code_hash;
    a.storage_root = *root;
    return a;
}

// ---------------------------------------------------------------------------
// FlatStateReader

std::optional<StoredAccount> FlatStateReader::read_stored_account(const Address& a) {
    auto r = db_.get(Column::kFlatState, account_key(a));
    if (!r) {
        note(r.error());
        return std::nullopt;
    }
    if (!*r) return std::nullopt;
    auto acc = decode_account(**r);
    if (!acc) note(Status::corruption("flat state: bad account record"));
    return acc;
}

std::optional<state::AccountRecord> FlatStateReader::read_account(const Address& a) {
    auto acc = read_stored_account(a);
    if (!acc) return std::nullopt;
    return acc->record;
}

Bytes32 FlatStateReader::read_storage(const Address& a, const Bytes32& key) {
    auto r = db_.get(Column::kFlatState, storage_key(a, key));
    if (!r) {
        note(r.error());
        return {};
    }
    if (!*r) return {};
    if ((*r)->size() > Bytes32::kSize) {
        note(Status::corruption("flat state: slot value longer than 32 bytes"));
        return {};
    }
    return Bytes32::right_aligned(**r);
}

bool FlatStateReader::has_storage(const Address& a) {
    Bytes prefix = storage_key(a, Bytes32{});
    prefix.resize(1 + Address::kSize);
    auto it = db_.iterate(Column::kFlatState, prefix, prefix_end(prefix));
    const bool found = it->valid();
    if (!it->status().is_ok()) note(it->status());
    return found;
}

Bytes FlatStateReader::read_code(const Hash32& code_hash) {
    if (code_hash == state::kEmptyCodeHash) return {};
    auto r = db_.get(Column::kFlatState, code_key(code_hash));
    if (!r) {
        note(r.error());
        return {};
    }
    return *r ? std::move(**r) : Bytes{};
}

// ---------------------------------------------------------------------------
// TrieStateReader

TrieStateReader::TrieStateReader(ReadView& db, const Hash32& state_root)
    : db_(db), root_(state_root), nodes_(db) {}

std::optional<StoredAccount> TrieStateReader::read_stored_account(const Address& a) {
    trie::SecureTrie accounts(nodes_, root_);
    auto r = accounts.get(a.view());
    if (!nodes_.status().is_ok()) note(nodes_.status());
    if (!r) {
        note(trie_status(r.error()));
        return std::nullopt;
    }
    if (!*r) return std::nullopt;
    auto acc = decode_account(**r);
    if (!acc) note(Status::corruption("state trie: bad account leaf"));
    return acc;
}

std::optional<state::AccountRecord> TrieStateReader::read_account(const Address& a) {
    auto acc = read_stored_account(a);
    if (!acc) return std::nullopt;
    return acc->record;
}

Bytes32 TrieStateReader::read_storage(const Address& a, const Bytes32& key) {
    auto acc = read_stored_account(a);
    if (!acc || acc->storage_root == trie::kEmptyRoot) return {};
    trie::SecureTrie st(nodes_, acc->storage_root);
    auto r = st.get(key.view());
    if (!r) {
        note(trie_status(r.error()));
        return {};
    }
    if (!*r) return {};
    ByteView leaf = **r;
    auto v = rlp::decode_uint256(leaf);
    if (!v || !leaf.empty()) {
        note(Status::corruption("storage trie: bad slot leaf"));
        return {};
    }
    return v->to_be();
}

bool TrieStateReader::has_storage(const Address& a) {
    auto acc = read_stored_account(a);
    return acc && acc->storage_root != trie::kEmptyRoot;
}

Bytes TrieStateReader::read_code(const Hash32& code_hash) {
    // Code is content-addressed and never deleted, so the flat column serves
    // every block's state.
    FlatStateReader flat(db_);
    Bytes code = flat.read_code(code_hash);
    if (!flat.status().is_ok()) note(flat.status());
    return code;
}

Result<std::vector<Bytes>, Status> TrieStateReader::account_proof(const Address& a) {
    trie::SecureTrie accounts(nodes_, root_);
    auto p = accounts.prove(a.view());
    if (!nodes_.status().is_ok()) return Unexpected{nodes_.status()};
    if (!p) return Unexpected{trie_status(p.error())};
    return std::move(*p);
}

Result<std::vector<Bytes>, Status> TrieStateReader::storage_proof(const Address& a, const Bytes32& slot) {
    auto acc = read_stored_account(a);
    if (!status_.is_ok()) return Unexpected{status_};
    trie::SecureTrie st(nodes_, acc ? acc->storage_root : trie::kEmptyRoot);
    auto p = st.prove(slot.view());
    if (!nodes_.status().is_ok()) return Unexpected{nodes_.status()};
    if (!p) return Unexpected{trie_status(p.error())};
    return std::move(*p);
}

// ---------------------------------------------------------------------------
// Staging a diff

namespace {

/// Erases every flat slot of a (the head state's) into batch.
Status erase_flat_storage(ReadView& db, const Address& a, WriteBatch& batch) {
    Bytes prefix = account_key(a);
    prefix[0] = kStoragePrefix;
    auto it = db.iterate(Column::kFlatState, prefix, prefix_end(prefix));
    for (; it->valid(); it->next()) batch.erase(Column::kFlatState, it->key());
    return it->status();
}

}  // namespace

Result<StagedState, Status> stage_state_diff(ReadView& db, const Hash32& parent_root,
                                             const state::StateDiff& diff) {
    StagedState out;
    out.parent_root = parent_root;
    DbNodeStore nodes(db);
    FlatStateReader flat(db);
    trie::SecureTrie accounts(nodes, parent_root);
    WriteBatch& batch = out.batch;

    for (const auto& [addr, ch] : diff.accounts) {
        const auto prior = flat.read_stored_account(addr);
        if (!flat.status().is_ok()) return Unexpected{flat.status()};
        if (ch.deleted) {
            if (prior) {
                if (auto e = accounts.erase(addr.view()); !e) return Unexpected{trie_status(e.error())};
                batch.erase(Column::kFlatState, account_key(addr));
                if (prior->storage_root != trie::kEmptyRoot)
                    if (Status s = erase_flat_storage(db, addr, batch); !s.is_ok()) return Unexpected{s};
            }
            continue;
        }
        Hash32 storage_root = trie::kEmptyRoot;
        if (prior && !ch.storage_cleared) storage_root = prior->storage_root;
        if (prior && ch.storage_cleared && prior->storage_root != trie::kEmptyRoot)
            if (Status s = erase_flat_storage(db, addr, batch); !s.is_ok()) return Unexpected{s};
        if (!ch.storage.empty()) {
            trie::SecureTrie st(nodes, storage_root);
            for (const auto& [slot, value] : ch.storage) {
                const Bytes key = storage_key(addr, slot);
                if (value.is_zero()) {
                    if (auto e = st.erase(slot.view()); !e) return Unexpected{trie_status(e.error())};
                    batch.erase(Column::kFlatState, key);
                } else {
                    if (auto e = st.put(slot.view(), slot_leaf(value)); !e)
                        return Unexpected{trie_status(e.error())};
                    batch.put(Column::kFlatState, key, trimmed(value));
                }
            }
            storage_root = st.commit();
        }
        if (ch.code && !ch.code->empty())
            batch.put(Column::kFlatState, code_key(ch.record.code_hash), *ch.code);
        const Bytes rec = encode_account(StoredAccount{ch.record, storage_root});
        if (auto e = accounts.put(addr.view(), rec); !e) return Unexpected{trie_status(e.error())};
        batch.put(Column::kFlatState, account_key(addr), rec);
    }
    out.root = accounts.commit();
    if (!nodes.status().is_ok()) return Unexpected{nodes.status()};
    nodes.stage(batch);
    return out;
}

}  // namespace trellis::storage
