#include "storage/consensus_records.hpp"

namespace trellis::storage {
namespace {

constexpr uint8_t kHeaderTag = 'h';
constexpr uint8_t kQcTag = 'q';
constexpr uint8_t kPendingTag = 'p';
constexpr uint8_t kIdTag = 'i';

Bytes numbered_key(uint8_t tag, uint64_t num) {
    Bytes k(9);
    k[0] = tag;
    for (int i = 0; i < 8; ++i) k[1 + i] = uint8_t(num >> (56 - 8 * i));
    return k;
}

Bytes id_key(const Hash32& id) {
    Bytes k{kIdTag};
    k.insert(k.end(), id.bytes.begin(), id.bytes.end());
    return k;
}

}  // namespace

void ConsensusRecords::put_committed(WriteBatch& batch, const consensus::BlockHeader& header,
                                     const Hash32& block_id, const consensus::QuorumCert& qc) {
    Bytes h;
    consensus::encode_header(h, header);
    Bytes q;
    consensus::encode_qc(q, qc);
    const uint64_t num = header.block_num;
    batch.put(Column::kConsensusWal, numbered_key(kHeaderTag, num), h);
    batch.put(Column::kConsensusWal, numbered_key(kQcTag, num), q);
    batch.put(Column::kConsensusWal, id_key(block_id), numbered_key(kIdTag, num));
}

Result<std::optional<CommittedRecord>, Status> ConsensusRecords::committed(uint64_t block_num) {
    auto h = db_.get(Column::kConsensusWal, numbered_key(kHeaderTag, block_num));
    if (!h) return Unexpected{h.error()};
    auto q = db_.get(Column::kConsensusWal, numbered_key(kQcTag, block_num));
    if (!q) return Unexpected{q.error()};
    if (!*h && !*q) return std::optional<CommittedRecord>{};
    if (!*h || !*q)
        return Unexpected{Status::corruption("consensus record of block " + std::to_string(block_num) +
                                             " is incomplete")};
    return std::optional<CommittedRecord>{CommittedRecord{std::move(**h), std::move(**q)}};
}

Result<std::optional<uint64_t>, Status> ConsensusRecords::block_num_of(const Hash32& block_id) {
    auto v = db_.get(Column::kConsensusWal, id_key(block_id));
    if (!v) return Unexpected{v.error()};
    if (!*v) return std::optional<uint64_t>{};
    if ((*v)->size() != 9 || (**v)[0] != kIdTag)
        return Unexpected{Status::corruption("consensus block index entry is malformed")};
    uint64_t num = 0;
    for (size_t i = 1; i < 9; ++i) num = (num << 8) | (**v)[i];
    return std::optional<uint64_t>{num};
}

Status ConsensusRecords::put_pending(const consensus::Block& b, bool sync) {
    Bytes value;
    consensus::encode_block(value, b);
    Bytes key = numbered_key(kPendingTag, b.header.block_num);
    key.insert(key.end(), b.id.bytes.begin(), b.id.bytes.end());
    WriteBatch batch;
    batch.put(Column::kConsensusWal, key, value);
    return db_.write(batch, sync);
}

Status ConsensusRecords::erase_pending_through(WriteBatch& batch, uint64_t block_num) {
    auto it = db_.iterate(Column::kConsensusWal, numbered_key(kPendingTag, 0),
                          numbered_key(kPendingTag, block_num + 1));
    for (; it->valid(); it->next()) batch.erase(Column::kConsensusWal, it->key());
    return it->status();
}

Result<std::vector<Bytes>, Status> ConsensusRecords::pending_from(uint64_t block_num) {
    std::vector<Bytes> out;
    auto it = db_.iterate(Column::kConsensusWal, numbered_key(kPendingTag, block_num),
                          numbered_key(kPendingTag + 1, 0));
    for (; it->valid(); it->next()) out.emplace_back(it->value().begin(), it->value().end());
    if (auto s = it->status(); !s.is_ok()) return Unexpected{s};
    return out;
}

}  // namespace trellis::storage
