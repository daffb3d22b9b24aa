#include "state/state_db.hpp"

#include <algorithm>
#include <vector>

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"
#include "trie/root_builder.hpp"
#include "trie/common.hpp"

namespace trellis::state {

const Hash32 kEmptyCodeHash = crypto::keccak256({});

std::optional<AccountRecord> MemoryStateDb::read_account(const Address& a) {
    auto it = accounts_.find(a);
    if (it == accounts_.end()) return std::nullopt;
    return it->second.record;
}

Bytes32 MemoryStateDb::read_storage(const Address& a, const Bytes32& key) {
    auto it = accounts_.find(a);
    if (it == accounts_.end()) return {};
    auto s = it->second.storage.find(key);
    return s == it->second.storage.end() ? Bytes32{} : s->second;
}

bool MemoryStateDb::has_storage(const Address& a) {
    auto it = accounts_.find(a);
    return it != accounts_.end() && !it->second.storage.empty();
}

Bytes MemoryStateDb::read_code(const Hash32& code_hash) {
    auto it = code_.find(code_hash);
    return it == code_.end() ? Bytes{} : it->second;
}

void MemoryStateDb::put_account(const Address& a, uint64_t nonce, const uint256& balance, ByteView code,
                                const std::map<Bytes32, Bytes32>& storage) {
    Account acc;
    acc.record.nonce = nonce;
    acc.record.balance = balance;
    acc.record.code_hash = crypto::keccak256(code);
    if (!code.empty()) code_.emplace(acc.record.code_hash, to_bytes(code));
    for (const auto& [k, v] : storage)
        if (!v.is_zero()) acc.storage.emplace(k, v);
    accounts_[a] = std::move(acc);
}

void MemoryStateDb::apply(const StateDiff& diff) {
    for (const auto& [addr, ch] : diff.accounts) {
        if (ch.deleted) {
            accounts_.erase(addr);
            continue;
        }
        Account& acc = accounts_[addr];
        if (ch.storage_cleared) acc.storage.clear();
        acc.record = ch.record;
        if (ch.code && !ch.code->empty()) code_.emplace(ch.record.code_hash, *ch.code);
        for (const auto& [k, v] : ch.storage) {
            if (v.is_zero())
                acc.storage.erase(k);
            else
                acc.storage[k] = v;
        }
    }
}

Hash32 MemoryStateDb::storage_root(const Address& a) const {
    auto it = accounts_.find(a);
    if (it == accounts_.end() || it->second.storage.empty()) return trie::kEmptyRoot;
    std::vector<std::pair<Hash32, Bytes>> leaves;
    leaves.reserve(it->second.storage.size());
    Bytes enc;
    for (const auto& [k, v] : it->second.storage) {
        enc.clear();
        rlp::encode_uint(enc, uint256::from_be(v.view()));  // minimal big-endian, as Ethereum stores slots
        leaves.emplace_back(crypto::keccak256(k.view()), enc);
    }
    std::sort(leaves.begin(), leaves.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    trie::RootBuilder b;
    for (const auto& [k, v] : leaves) b.add(k.view(), v);
    return b.root();
}

Hash32 MemoryStateDb::state_root() const {
    std::vector<std::pair<Hash32, Bytes>> leaves;
    leaves.reserve(accounts_.size());
    for (const auto& [addr, acc] : accounts_) {
        Bytes enc;
        const size_t mark = rlp::begin_list(enc);
        rlp::encode_uint(enc, acc.record.nonce);
        rlp::encode_uint(enc, acc.record.balance);
        rlp::encode_string(enc, storage_root(addr).view());
        rlp::encode_string(enc, acc.record.code_hash.view());
        rlp::end_list(enc, mark);
        leaves.emplace_back(crypto::keccak256(addr.view()), std::move(enc));
    }
    std::sort(leaves.begin(), leaves.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    trie::RootBuilder b;
    for (const auto& [k, v] : leaves) b.add(k.view(), v);
    return b.root();
}

}  // namespace trellis::state
