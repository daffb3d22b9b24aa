#include "ledger/speculative.hpp"

#include <algorithm>

namespace trellis::ledger {

void merge_diff(state::StateDiff& acc, const state::StateDiff& later) {
    for (const auto& [addr, ch] : later.accounts) {
        auto [it, fresh] = acc.accounts.try_emplace(addr, ch);
        if (fresh) continue;
        state::StateDiff::AccountChange& cur = it->second;
        if (ch.deleted) {
            // Deleted at the end: nothing earlier matters.
            cur = ch;
            cur.storage.clear();
            continue;
        }
        const bool was_deleted = cur.deleted;
        if (ch.storage_cleared || was_deleted) {
            // Every earlier slot is gone; the later writes are the storage.
            std::optional<Bytes> code = ch.code;
            if (!code && !was_deleted && cur.record.code_hash == ch.record.code_hash)
                code = std::move(cur.code);
            cur = ch;
            cur.storage_cleared = true;
            cur.code = std::move(code);
            continue;
        }
        // Earlier code stays only while the record still names it.
        if (ch.code)
            cur.code = ch.code;
        else if (cur.record.code_hash != ch.record.code_hash)
            cur.code.reset();
        cur.record = ch.record;
        for (const auto& [k, v] : ch.storage) cur.storage[k] = v;
    }
}

OverlayStateReader::OverlayStateReader(state::StateReader& base, const state::StateDiff& overlay)
    : base_(base), overlay_(overlay) {
    for (const auto& [_, ch] : overlay_.accounts)
        if (!ch.deleted && ch.code && !ch.code->empty()) code_.emplace(ch.record.code_hash, &*ch.code);
}

std::optional<state::AccountRecord> OverlayStateReader::read_account(const Address& a) {
    auto it = overlay_.accounts.find(a);
    if (it == overlay_.accounts.end()) return base_.read_account(a);
    if (it->second.deleted) return std::nullopt;
    return it->second.record;
}

Bytes32 OverlayStateReader::read_storage(const Address& a, const Bytes32& key) {
    auto it = overlay_.accounts.find(a);
    if (it == overlay_.accounts.end()) return base_.read_storage(a, key);
    const auto& ch = it->second;
    if (ch.deleted) return Bytes32{};
    if (auto s = ch.storage.find(key); s != ch.storage.end()) return s->second;
    if (ch.storage_cleared) return Bytes32{};
    return base_.read_storage(a, key);
}

bool OverlayStateReader::has_storage(const Address& a) {
    auto it = overlay_.accounts.find(a);
    if (it == overlay_.accounts.end()) return base_.has_storage(a);
    const auto& ch = it->second;
    if (ch.deleted) return false;
    if (std::any_of(ch.storage.begin(), ch.storage.end(),
                    [](const auto& kv) { return !kv.second.is_zero(); }))
        return true;
    if (ch.storage_cleared) return false;
    return base_.has_storage(a);
}

Bytes OverlayStateReader::read_code(const Hash32& code_hash) {
    if (auto it = code_.find(code_hash); it != code_.end()) return *it->second;
    return base_.read_code(code_hash);
}

const SpeculativeBlock* SpeculativeChain::find(const Hash32& hash) const {
    auto it = blocks_.find(hash);
    return it == blocks_.end() ? nullptr : &it->second;
}

bool SpeculativeChain::add(SpeculativeBlock b) {
    if (blocks_.count(b.hash)) return true;
    if (blocks_.size() >= kMaxBlocks) return false;
    const Hash32 h = b.hash;
    blocks_.emplace(h, std::move(b));
    return true;
}

std::optional<std::vector<const SpeculativeBlock*>> SpeculativeChain::path(const Hash32& tip,
                                                                           const Hash32& head) const {
    std::vector<const SpeculativeBlock*> out;
    Hash32 cur = tip;
    while (cur != head) {
        const SpeculativeBlock* b = find(cur);
        if (!b || out.size() > blocks_.size()) return std::nullopt;
        out.push_back(b);
        cur = b->block.header.parent_hash;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

state::StateDiff SpeculativeChain::merged(const std::vector<const SpeculativeBlock*>& path) {
    state::StateDiff d;
    for (const SpeculativeBlock* b : path) merge_diff(d, b->diff);
    return d;
}

std::optional<SpeculativeBlock> SpeculativeChain::take_committed(const Hash32& new_head) {
    std::optional<SpeculativeBlock> out;
    if (auto it = blocks_.find(new_head); it != blocks_.end()) {
        out = std::move(it->second);
        blocks_.erase(it);
    }
    // Keep only the descendants of the new head: walk each block's ancestry
    // (memoised) until the head or a block not held here.
    std::unordered_map<Hash32, bool, FixedBytesHasher> keep;
    keep[new_head] = true;
    const auto descends = [&](const Hash32& start) {
        std::vector<Hash32> walked;
        Hash32 cur = start;
        bool result = false;
        for (;;) {
            if (auto k = keep.find(cur); k != keep.end()) {
                result = k->second;
                break;
            }
            auto b = blocks_.find(cur);
            if (b == blocks_.end()) break;
            walked.push_back(cur);
            cur = b->second.block.header.parent_hash;
        }
        for (const auto& w : walked) keep[w] = result;
        return result;
    };
    for (auto it = blocks_.begin(); it != blocks_.end();) {
        if (descends(it->first))
            ++it;
        else
            it = blocks_.erase(it);
    }
    return out;
}

}  // namespace trellis::ledger
