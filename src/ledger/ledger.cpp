#include "ledger/ledger.hpp"

#include <chrono>

#include "chain/block_root.hpp"
#include "storage/memory_database.hpp"
#include "storage/state_store.hpp"

namespace trellis::ledger {
namespace {

std::optional<evm::Revision> revision_named(const std::string& name) {
    for (int r = 0; r < evm::kNumRevisions; ++r)
        if (name == evm::to_string(evm::Revision(r))) return evm::Revision(r);
    return std::nullopt;
}

template <class T>
Result<T, std::string> check(Result<T, storage::Status> r, const char* what) {
    if (!r) return Unexpected{std::string(what) + ": " + r.error().to_string()};
    return std::move(r).value();
}

}  // namespace

Result<std::unique_ptr<Ledger>, std::string> Ledger::open(const std::filesystem::path& dir,
                                                          const chain::Genesis& genesis,
                                                          const LedgerSettings& settings) {
    std::unique_ptr<Ledger> l(new Ledger());
    auto db = storage::RocksDatabase::open(dir, settings.database);
    if (!db) return Unexpected{"cannot open " + dir.string() + ": " + db.error().to_string()};
    l->db_ = std::move(db).value();
    if (auto r = l->init(genesis, settings.sync_commits, settings.pruning); !r) return Unexpected{r.error()};
    return l;
}

Result<std::unique_ptr<Ledger>, std::string> Ledger::open_in_memory(const chain::Genesis& genesis) {
    std::unique_ptr<Ledger> l(new Ledger());
    l->db_ = std::make_unique<storage::MemoryDatabase>();
    if (auto r = l->init(genesis, false); !r) return Unexpected{r.error()};
    return l;
}

Result<void, std::string> Ledger::init(const chain::Genesis& genesis, bool sync,
                                       const storage::PruneSettings& pruning) {
    if (auto ok = chain::validate_genesis(genesis); !ok)
        return Unexpected{std::string("invalid genesis: ") + chain::to_string(ok.error())};
    const auto rev = revision_named(genesis.evm_revision);
    if (!rev) return Unexpected{"unknown EVM revision " + genesis.evm_revision};
    genesis_ = genesis;
    rules_.chain_id = genesis.chain_id;
    rules_.revision = *rev;
    store_ = std::make_unique<storage::ChainStore>(*db_, sync);
    store_->set_pruning(pruning);
    auto h = store_->init_genesis(genesis);
    if (!h) {
        if (h.error().code() == storage::Status::Code::kInvalidArgument)
            return Unexpected{"this data directory belongs to another chain (genesis hash differs): " +
                              h.error().message()};
        return Unexpected{"cannot initialise genesis: " + h.error().to_string()};
    }
    genesis_hash_ = *h;
    return {};
}

chain::BlockHeader Ledger::head_header() {
    auto head = store_->head();
    TRELLIS_ASSERT(head && head->has_value());  // init_genesis guarantees a head
    auto header = store_->header((*head)->hash);
    TRELLIS_ASSERT(header && header->has_value());
    return **header;
}

Hash32 Ledger::head_hash() {
    auto head = store_->head();
    TRELLIS_ASSERT(head && head->has_value());
    return (*head)->hash;
}

Hash32 Ledger::block_hash(uint64_t n) {
    auto h = store_->canonical_hash(n);
    return h && h->has_value() ? **h : Hash32{};
}

Result<Hash32, std::string> Ledger::import_block(const chain::Block& block) {
    const chain::BlockHeader parent = head_header();
    const chain::BlockHeader& h = block.header;
    if (auto ok = chain::validate_block_on_parent(block, parent, chain::expected_base_fee(genesis_.base_fee, parent));
        !ok)
        return Unexpected{std::string("block does not extend the head: ") + chain::to_string(ok.error())};

    storage::FlatStateReader reader(*db_);
    auto exec = execution::execute_block(
        reader, block, rules_, [this](uint64_t n) { return block_hash(n); }, &code_cache_);
    if (!reader.status().is_ok()) return Unexpected{"state read failed: " + reader.status().to_string()};
    if (!exec) return Unexpected{"block rejected: " + execution::to_string(exec.error())};
    if (auto ok = execution::validate_executed_block(h, *exec); !ok)
        return Unexpected{std::string(execution::to_string(ok.error()))};
    auto staged = check(store_->stage_state(exec->diff), "staging state");
    if (!staged) return Unexpected{staged.error()};
    if (staged->root != h.state_root) return Unexpected{std::string("state root mismatch")};
    auto hash = check(store_->commit_block(block, exec->receipts, std::move(*staged)), "commit");
    if (hash) prune_after_commit();
    return hash;
}

void Ledger::prune_after_commit() {
    auto r = store_->prune_if_due();
    prune_error_ = r ? std::string() : r.error().to_string();
}

Result<Ledger::Produced, std::string> Ledger::produce_block(
    const std::vector<execution::Candidate>& candidates, uint64_t timestamp, const Address& proposer) {
    const chain::BlockHeader parent = head_header();
    const chain::BlockHeader h = chain::child_header(parent, genesis_.base_fee, timestamp, proposer);
    storage::FlatStateReader reader(*db_);
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    auto built = execution::build_block(
        reader, h, candidates, rules_, [this](uint64_t n) { return block_hash(n); }, &code_cache_);
    const auto t1 = Clock::now();
    if (!reader.status().is_ok()) return Unexpected{"state read failed: " + reader.status().to_string()};
    auto staged = check(store_->stage_state(built.execution.diff), "staging state");
    if (!staged) return Unexpected{staged.error()};
    built.block.header.state_root = staged->root;
    auto hash =
        check(store_->commit_block(built.block, built.execution.receipts, std::move(*staged)), "commit");
    if (!hash) return Unexpected{hash.error()};
    const auto t2 = Clock::now();
    prune_after_commit();
    Produced p;
    p.execute_seconds = std::chrono::duration<double>(t1 - t0).count();
    p.commit_seconds = std::chrono::duration<double>(t2 - t1).count();
    p.hash = *hash;
    p.receipts = std::move(built.execution.receipts);
    p.skipped = std::move(built.skipped);
    p.block = std::move(built.block);
    return p;
}

}  // namespace trellis::ledger
