#include "storage/chain_store.hpp"

#include <algorithm>
#include <set>

#include "base/hex.hpp"
#include "chain/genesis_state.hpp"
#include "crypto/keccak.hpp"
#include "trie/common.hpp"

namespace trellis::storage {

namespace {

constexpr std::string_view kHeadKey = "head";
constexpr std::string_view kGenesisKey = "genesis";
constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kPruneFloorKey = "prune_floor";
constexpr uint8_t kSchemaVersion = 1;

void put_be64(Bytes& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i)));
}
uint64_t get_be64(ByteView in) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = (v << 8) | in[i];
    return v;
}

Bytes prefixed(uint8_t prefix, ByteView a) {
    Bytes k;
    k.reserve(1 + a.size() + 8);
    k.push_back(prefix);
    append(k, a);
    return k;
}

Result<std::optional<Hash32>, Status> read_hash(ReadView& db, Column c, ByteView key) {
    auto r = db.get(c, key);
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<Hash32>{};
    if ((*r)->size() != Hash32::kSize) return Unexpected{Status::corruption("stored hash of the wrong size")};
    return std::optional<Hash32>{Hash32::from(**r)};
}

/// The genesis alloc as a state change from the empty state.
state::StateDiff alloc_diff(const chain::Genesis& g) {
    state::StateDiff diff;
    for (const auto& [addr, acc] : g.alloc) {
        state::StateDiff::AccountChange ch;
        ch.record.nonce = acc.nonce;
        ch.record.balance = acc.balance;
        ch.record.code_hash = crypto::keccak256(acc.code);
        if (!acc.code.empty()) ch.code = acc.code;
        for (const auto& [k, v] : acc.storage)
            if (!v.is_zero()) ch.storage.emplace(k, v);
        diff.accounts.emplace(addr, std::move(ch));
    }
    return diff;
}

Status corrupt(const char* what, const char* why) {
    return Status::corruption(std::string(what) + ": " + why);
}

}  // namespace

Bytes canonical_key(BlockNum n) {
    Bytes k{'n'};
    put_be64(k, n);
    return k;
}
Bytes block_number_key(const Hash32& h) {
    return prefixed('h', h.view());
}
Bytes tx_location_key(const Hash32& h) {
    return prefixed('t', h.view());
}
Bytes log_address_key(const Address& a, BlockNum n) {
    Bytes k = prefixed('A', a.view());
    put_be64(k, n);
    return k;
}
Bytes log_topic_key(const Hash32& t, BlockNum n) {
    Bytes k = prefixed('T', t.view());
    put_be64(k, n);
    return k;
}

// ---------------------------------------------------------------------------
// Writing

void ChainStore::stage_block(WriteBatch& batch, const chain::Block& block, const Hash32& hash,
                             const std::vector<chain::Receipt>& receipts) {
    const BlockNum n = block.header.number;
    batch.put(Column::kHeaders, hash.view(), chain::encode_header(block.header));
    batch.put(Column::kBodies, hash.view(), chain::encode_body(block.body));
    batch.put(Column::kReceipts, hash.view(), chain::encode_stored_receipts(receipts));
    batch.put(Column::kIndexes, canonical_key(n), hash.view());
    Bytes num;
    put_be64(num, n);
    batch.put(Column::kIndexes, block_number_key(hash), num);
    for (size_t i = 0; i < block.body.transactions.size(); ++i) {
        // hash || number || index: everything eth_getTransactionByHash needs to find it.
        Bytes loc = to_bytes(hash.view());
        put_be64(loc, n);
        for (int s = 3; s >= 0; --s) loc.push_back(uint8_t(i >> (8 * s)));
        batch.put(Column::kIndexes, tx_location_key(chain::transaction_hash(block.body.transactions[i])),
                  loc);
    }
    // One entry per distinct address and topic per block: the index names
    // blocks; receipts give the exact logs.
    std::set<Address> addresses;
    std::set<Hash32> topics;
    for (const auto& r : receipts)
        for (const auto& log : r.logs) {
            addresses.insert(log.address);
            topics.insert(log.topics.begin(), log.topics.end());
        }
    for (const auto& a : addresses) batch.put(Column::kIndexes, log_address_key(a, n), {});
    for (const auto& t : topics) batch.put(Column::kIndexes, log_topic_key(t, n), {});
}

void ChainStore::stage_head(WriteBatch& batch, const Hash32& hash) {
    batch.put(Column::kMeta, as_view(kHeadKey), hash.view());
}

Result<Hash32, Status> ChainStore::init_genesis(const chain::Genesis& g) {
    std::lock_guard lock(commit_mu_);
    const Hash32 want = chain::genesis_hash(g);
    auto have = read_hash(db_, Column::kMeta, as_view(kGenesisKey));
    if (!have) return Unexpected{have.error()};
    if (*have) {
        if (**have != want)
            return Unexpected{Status::invalid_argument("the store belongs to the chain with genesis " +
                                                       to_0x_hex(**have) + ", not " + to_0x_hex(want))};
        return want;
    }
    auto staged = stage_state_diff(db_, trie::kEmptyRoot, alloc_diff(g));
    if (!staged) return Unexpected{staged.error()};
    chain::Block block{chain::genesis_header(g, staged->root), {}};
    const Hash32 hash = chain::header_hash(block.header);
    TRELLIS_ASSERT(hash == want);  // the trie on storage and MemoryStateDb must agree
    WriteBatch batch = std::move(staged->batch);
    stage_block(batch, block, hash, {});
    stage_head(batch, hash);
    batch.put(Column::kMeta, as_view(kGenesisKey), hash.view());
    const uint8_t schema = kSchemaVersion;
    batch.put(Column::kMeta, as_view(kSchemaKey), ByteView(&schema, 1));
    if (Status s = db_.write(batch, sync_); !s.is_ok()) return Unexpected{s};
    return hash;
}

Result<std::optional<Hash32>, Status> ChainStore::genesis_hash() {
    return read_hash(db_, Column::kMeta, as_view(kGenesisKey));
}

Result<std::optional<Head>, Status> ChainStore::head() {
    auto h = read_hash(db_, Column::kMeta, as_view(kHeadKey));
    if (!h) return Unexpected{h.error()};
    if (!*h) return std::optional<Head>{};
    auto hdr = header(**h);
    if (!hdr) return Unexpected{hdr.error()};
    if (!*hdr) return Unexpected{Status::corruption("head block's header is missing")};
    return std::optional<Head>{Head{**h, (*hdr)->number, (*hdr)->state_root}};
}

Result<StagedState, Status> ChainStore::stage_state(const state::StateDiff& diff) {
    auto h = head();
    if (!h) return Unexpected{h.error()};
    if (!*h) return Unexpected{Status::invalid_argument("no genesis")};
    return stage_state_diff(db_, (*h)->state_root, diff);
}

Result<Hash32, Status> ChainStore::commit_block(const chain::Block& block,
                                                const std::vector<chain::Receipt>& receipts,
                                                StagedState state) {
    std::lock_guard lock(commit_mu_);
    auto h = head();
    if (!h) return Unexpected{h.error()};
    if (!*h) return Unexpected{Status::invalid_argument("no genesis")};
    const Head& parent = **h;
    const chain::BlockHeader& hdr = block.header;
    if (hdr.parent_hash != parent.hash || hdr.number != parent.number + 1)
        return Unexpected{Status::invalid_argument("block does not extend the head")};
    if (state.parent_root != parent.state_root)
        return Unexpected{Status::invalid_argument("state was staged on another state than the head's")};
    if (state.root != hdr.state_root)
        return Unexpected{Status::invalid_argument("staged state root differs from the header's")};
    if (receipts.size() != block.body.transactions.size())
        return Unexpected{Status::invalid_argument("not one receipt per transaction")};
    const Hash32 hash = chain::header_hash(hdr);
    WriteBatch batch = std::move(state.batch);
    stage_block(batch, block, hash, receipts);
    stage_head(batch, hash);
    if (Status s = db_.write(batch, sync_); !s.is_ok()) return Unexpected{s};
    return hash;
}

// ---------------------------------------------------------------------------
// Reading

Result<std::optional<Hash32>, Status> ChainStore::canonical_hash(BlockNum n) {
    return read_hash(db_, Column::kIndexes, canonical_key(n));
}

Result<std::optional<BlockNum>, Status> ChainStore::block_number(const Hash32& hash) {
    auto r = db_.get(Column::kIndexes, block_number_key(hash));
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<BlockNum>{};
    if ((*r)->size() != 8) return Unexpected{corrupt("block number index", "wrong size")};
    return std::optional<BlockNum>{get_be64(**r)};
}

Result<std::optional<chain::BlockHeader>, Status> ChainStore::header(const Hash32& hash) {
    auto r = db_.get(Column::kHeaders, hash.view());
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<chain::BlockHeader>{};
    auto h = chain::decode_header(**r);
    if (!h) return Unexpected{corrupt("header", chain::to_string(h.error()))};
    return std::optional<chain::BlockHeader>{std::move(*h)};
}

Result<std::optional<chain::BlockHeader>, Status> ChainStore::header_by_number(BlockNum n) {
    auto hash = canonical_hash(n);
    if (!hash) return Unexpected{hash.error()};
    if (!*hash) return std::optional<chain::BlockHeader>{};
    return header(**hash);
}

Result<std::optional<chain::BlockBody>, Status> ChainStore::body(const Hash32& hash) {
    auto r = db_.get(Column::kBodies, hash.view());
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<chain::BlockBody>{};
    auto b = chain::decode_body(**r);
    if (!b) return Unexpected{corrupt("body", chain::to_string(b.error()))};
    return std::optional<chain::BlockBody>{std::move(*b)};
}

Result<std::optional<chain::Block>, Status> ChainStore::block(const Hash32& hash) {
    auto h = header(hash);
    if (!h) return Unexpected{h.error()};
    if (!*h) return std::optional<chain::Block>{};
    auto b = body(hash);
    if (!b) return Unexpected{b.error()};
    if (!*b) return Unexpected{corrupt("body", "missing for a stored header")};
    return std::optional<chain::Block>{chain::Block{std::move(**h), std::move(**b)}};
}

Result<std::optional<std::vector<chain::Receipt>>, Status> ChainStore::receipts(const Hash32& hash) {
    auto r = db_.get(Column::kReceipts, hash.view());
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<std::vector<chain::Receipt>>{};
    auto rs = chain::decode_stored_receipts(**r);
    if (!rs) return Unexpected{corrupt("receipts", chain::to_string(rs.error()))};
    return std::optional<std::vector<chain::Receipt>>{std::move(*rs)};
}

Result<std::optional<TxLocation>, Status> ChainStore::transaction_location(const Hash32& tx_hash) {
    auto r = db_.get(Column::kIndexes, tx_location_key(tx_hash));
    if (!r) return Unexpected{r.error()};
    if (!*r) return std::optional<TxLocation>{};
    const Bytes& v = **r;
    if (v.size() != 32 + 8 + 4) return Unexpected{corrupt("transaction index", "wrong size")};
    TxLocation loc;
    loc.block_hash = Hash32::from(ByteView(v).first(32));
    loc.block_num = get_be64(ByteView(v).subspan(32, 8));
    loc.index = (uint32_t(v[40]) << 24) | (uint32_t(v[41]) << 16) | (uint32_t(v[42]) << 8) | v[43];
    return std::optional<TxLocation>{loc};
}

Result<TrieStateReader, Status> ChainStore::state_at(const Hash32& block_hash) {
    auto h = header(block_hash);
    if (!h) return Unexpected{h.error()};
    if (!*h) return Unexpected{Status::invalid_argument("unknown block")};
    auto oldest = oldest_state();
    if (!oldest) return Unexpected{oldest.error()};
    // Refused by number, not by probing for nodes: a state past the depth is
    // refused at once and always, whether or not a sweep has reached it yet.
    if ((*h)->number < *oldest)
        return Unexpected{Status::pruned("state of block " + std::to_string((*h)->number) +
                                         " has been pruned (the oldest kept state is block " +
                                         std::to_string(*oldest) + ")")};
    return TrieStateReader(db_, (*h)->state_root);
}

// ---------------------------------------------------------------------------
// Pruning

void ChainStore::set_pruning(const PruneSettings& settings) {
    std::lock_guard lock(commit_mu_);
    prune_ = settings;
}

Result<BlockNum, Status> ChainStore::stored_floor() {
    auto r = db_.get(Column::kMeta, as_view(kPruneFloorKey));
    if (!r) return Unexpected{r.error()};
    if (!*r) return BlockNum{0};
    if ((*r)->size() != 8) return Unexpected{corrupt("prune floor", "wrong size")};
    return get_be64(**r);
}

Result<BlockNum, Status> ChainStore::oldest_state() {
    auto floor = stored_floor();
    if (!floor) return Unexpected{floor.error()};
    BlockNum oldest = *floor;
    if (prune_.keep_last != 0) {
        auto h = head();
        if (!h) return Unexpected{h.error()};
        if (*h && (*h)->number + 1 > prune_.keep_last)
            oldest = std::max(oldest, (*h)->number + 1 - prune_.keep_last);
    }
    return oldest;
}

Result<PruneStats, Status> ChainStore::prune_if_due() {
    std::lock_guard lock(commit_mu_);
    if (prune_.keep_last == 0) return PruneStats{};
    auto h = head();
    if (!h) return Unexpected{h.error()};
    if (!*h || (*h)->number + 1 <= prune_.keep_last) return PruneStats{};
    if (last_prune_head_ && (*h)->number < *last_prune_head_ + prune_.effective_interval())
        return PruneStats{};
    return prune_locked(prune_.keep_last);
}

Result<PruneStats, Status> ChainStore::prune(uint64_t keep_last_n) {
    std::lock_guard lock(commit_mu_);
    return prune_locked(keep_last_n);
}

Result<PruneStats, Status> ChainStore::prune_locked(uint64_t keep_last_n) {
    if (keep_last_n == 0) return Unexpected{Status::invalid_argument("prune must keep at least one state")};
    PruneStats stats;
    auto h = head();
    if (!h) return Unexpected{h.error()};
    if (!*h) return Unexpected{Status::invalid_argument("no genesis")};
    const BlockNum head_num = (*h)->number;
    auto stored = stored_floor();
    if (!stored) return Unexpected{stored.error()};
    // Never below an earlier floor: those states may be partly erased already.
    BlockNum floor = head_num + 1 > keep_last_n ? head_num + 1 - keep_last_n : 0;
    floor = std::max(floor, *stored);
    stats.floor = floor;

    std::vector<Hash32> roots;
    for (BlockNum n = floor; n <= head_num; ++n) {
        auto hdr = header_by_number(n);
        if (!hdr) return Unexpected{hdr.error()};
        if (!*hdr) return Unexpected{corrupt("canonical index", "a block below the head is missing")};
        roots.push_back((*hdr)->state_root);
    }
    stats.kept_roots = roots.size();
    // Phase 1 only reads: a kept state found incomplete stops the prune
    // before anything is written.
    NodeMarks marks;
    if (Status s = mark_reachable(db_, roots, marks); !s.is_ok()) return Unexpected{s};
    stats.marked_nodes = marks.size();
    // Phase 2: the floor goes to disk (synced) before any node leaves, so a
    // state an interrupted sweep has damaged is refused by number after a
    // restart, never read half-erased.
    if (floor > *stored) {
        WriteBatch b;
        Bytes v;
        put_be64(v, floor);
        b.put(Column::kMeta, as_view(kPruneFloorKey), v);
        ++stats.writes;
        if (Status s = db_.write(b, true); !s.is_ok()) return Unexpected{s};
    }
    // Phase 3: erase the unmarked nodes.
    if (Status s = sweep_unmarked(db_, marks, prune_.batch_erases, stats); !s.is_ok()) return Unexpected{s};
    stats.ran = true;
    last_prune_head_ = head_num;
    return stats;
}

namespace {

/// Blocks in [from, to] that have an index entry under prefix (one key
/// family: 'A' || address or 'T' || topic), added to out.
Status collect_blocks(ReadView& db, const Bytes& prefix, BlockNum from, BlockNum to,
                      std::set<BlockNum>& out) {
    Bytes lower = prefix, upper = prefix;
    put_be64(lower, from);
    if (to == UINT64_MAX)
        upper = prefix_end(prefix);
    else
        put_be64(upper, to + 1);
    auto it = db.iterate(Column::kIndexes, lower, upper);
    for (; it->valid(); it->next()) {
        ByteView k = it->key();
        if (k.size() != prefix.size() + 8) return corrupt("log index", "key of the wrong size");
        out.insert(get_be64(k.subspan(prefix.size())));
    }
    return it->status();
}

bool log_matches(const chain::Log& log, const LogFilter& f) {
    if (!f.addresses.empty() &&
        std::find(f.addresses.begin(), f.addresses.end(), log.address) == f.addresses.end())
        return false;
    for (size_t i = 0; i < f.topics.size(); ++i) {
        if (f.topics[i].empty()) continue;
        if (i >= log.topics.size()) return false;
        if (std::find(f.topics[i].begin(), f.topics[i].end(), log.topics[i]) == f.topics[i].end())
            return false;
    }
    return true;
}

}  // namespace

Result<std::optional<std::vector<BlockNum>>, Status> ChainStore::log_candidates(const LogFilter& f,
                                                                                BlockNum to) {
    std::optional<std::set<BlockNum>> acc;  // nullopt: no constraint yet
    auto constrain = [&](const std::set<BlockNum>& s) {
        if (!acc) {
            acc = s;
            return;
        }
        std::set<BlockNum> both;
        std::set_intersection(acc->begin(), acc->end(), s.begin(), s.end(), std::inserter(both, both.end()));
        acc = std::move(both);
    };
    if (!f.addresses.empty()) {
        std::set<BlockNum> s;
        for (const auto& a : f.addresses) {
            Bytes prefix{'A'};
            append(prefix, a.view());
            if (Status st = collect_blocks(db_, prefix, f.from, to, s); !st.is_ok()) return Unexpected{st};
        }
        constrain(s);
    }
    for (const auto& alternatives : f.topics) {
        if (alternatives.empty()) continue;
        std::set<BlockNum> s;
        for (const auto& t : alternatives) {
            Bytes prefix{'T'};
            append(prefix, t.view());
            if (Status st = collect_blocks(db_, prefix, f.from, to, s); !st.is_ok()) return Unexpected{st};
        }
        constrain(s);
    }
    if (!acc) return std::optional<std::vector<BlockNum>>{};
    return std::optional<std::vector<BlockNum>>{std::vector<BlockNum>(acc->begin(), acc->end())};
}

Result<std::vector<LogMatch>, Status> ChainStore::logs(const LogFilter& f) {
    if (f.topics.size() > chain::kMaxLogTopics)
        return Unexpected{Status::invalid_argument("more than four topic positions")};
    std::vector<LogMatch> out;
    auto h = head();
    if (!h) return Unexpected{h.error()};
    if (!*h || f.from > f.to || f.from > (*h)->number) return out;
    const BlockNum to = std::min(f.to, (*h)->number);
    auto cands = log_candidates(f, to);
    if (!cands) return Unexpected{cands.error()};

    auto visit = [&](BlockNum n) -> Status {
        auto hash = canonical_hash(n);
        if (!hash) return hash.error();
        if (!*hash) return corrupt("canonical index", "a block below the head is missing");
        auto rs = receipts(**hash);
        if (!rs) return rs.error();
        if (!*rs) return corrupt("receipts", "missing for a canonical block");
        std::optional<chain::BlockBody> b;  // loaded on the first match (for transaction hashes)
        uint32_t log_index = 0;
        for (size_t i = 0; i < (*rs)->size(); ++i) {
            for (const chain::Log& log : (**rs)[i].logs) {
                if (log_matches(log, f)) {
                    if (!b) {
                        auto body_r = body(**hash);
                        if (!body_r) return body_r.error();
                        if (!*body_r || (*body_r)->transactions.size() != (*rs)->size())
                            return corrupt("body", "does not match the block's receipts");
                        b = std::move(*body_r);
                    }
                    if (out.size() == f.max_results)
                        return Status::invalid_argument("more than " + std::to_string(f.max_results) +
                                                        " logs match");
                    out.push_back(LogMatch{log, n, **hash, chain::transaction_hash(b->transactions[i]),
                                           uint32_t(i), log_index});
                }
                ++log_index;
            }
        }
        return Status::ok();
    };
    if (*cands) {
        for (BlockNum n : **cands)
            if (Status s = visit(n); !s.is_ok()) return Unexpected{s};
    } else {
        for (BlockNum n = f.from;; ++n) {
            if (Status s = visit(n); !s.is_ok()) return Unexpected{s};
            if (n == to) break;
        }
    }
    return out;
}

}  // namespace trellis::storage
