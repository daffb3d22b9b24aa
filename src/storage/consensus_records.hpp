#pragma once

// The consensus host's records in Column::kConsensusWal (beside the safety
// WAL that DbSafetyStore keeps in kMeta). Key layout, all numbers 8 bytes
// big-endian:
//   'h' || num            -> the committed consensus header of block num
//   'q' || num            -> the QC certifying it
//   'i' || block id       -> 'i' || num, to serve sync requests by block id
//   'p' || num || blockid -> a block received or proposed but not committed
//                            (so a restart can resume it), erased when a
//                            block of that number commits.
// The committed records are written in the block's own commit batch.

#include <optional>
#include <vector>

#include "consensus/messages.hpp"
#include "storage/database.hpp"

namespace trellis::storage {

/// The raw committed record of one block: its encoded consensus header and QC.
struct CommittedRecord {
    Bytes header;
    Bytes qc;
};

class ConsensusRecords {
public:
    /// db must outlive this.
    explicit ConsensusRecords(Database& db) : db_(db) {}

    /// Adds block_num's committed header, QC and id index to batch.
    static void put_committed(WriteBatch& batch, const consensus::BlockHeader& header, const Hash32& block_id,
                              const consensus::QuorumCert& qc);
    /// nullopt when neither record exists; kCorruption when only one does.
    Result<std::optional<CommittedRecord>, Status> committed(uint64_t block_num);
    /// The block number committed with this consensus block id, if any.
    Result<std::optional<uint64_t>, Status> block_num_of(const Hash32& block_id);

    /// Writes a pending block on its own (sync: durable before it is voted on).
    Status put_pending(const consensus::Block& b, bool sync);
    /// Adds to batch the erasure of every pending record up to block_num.
    Status erase_pending_through(WriteBatch& batch, uint64_t block_num);
    /// The encoded pending blocks numbered from block_num up.
    Result<std::vector<Bytes>, Status> pending_from(uint64_t block_num);

private:
    Database& db_;
};

}  // namespace trellis::storage
