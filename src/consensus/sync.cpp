#include "consensus/sync.hpp"

#include "codec/rlp.hpp"

namespace trellis::consensus {

Bytes encode_sync_item(const Block& b, const QuorumCert& qc) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    encode_block(out, b);
    encode_qc(out, qc);
    rlp::end_list(out, mark);
    return out;
}

Result<SyncItem, RejectReason> decode_sync_item(ByteView item, const SignatureScheme& scheme) {
    ByteView in = item;
    auto list = rlp::ListReader::open(in);
    if (!list || !in.empty()) return Unexpected{RejectReason::kMalformed};
    auto b = list->next();
    auto q = b ? list->next() : b;
    if (!b || !q || !list->finish()) return Unexpected{RejectReason::kMalformed};
    auto block = decode_block(b->encoded, scheme);
    if (!block) return Unexpected{block.error()};
    auto qc = decode_qc(q->encoded);
    if (!qc) return Unexpected{qc.error()};
    return SyncItem{std::move(*block), std::move(*qc)};
}

bool child_commits(const BlockHeader& parent, const Hash32& parent_id, const BlockHeader& child) {
    return child.parent_id() == parent_id && child.view == parent.view + 1;
}

size_t committed_prefix(std::span<const SyncItem> chain) {
    size_t proven = 0;
    for (size_t i = 0; i + 1 < chain.size(); ++i)
        if (child_commits(chain[i].block.header, chain[i].block.id, chain[i + 1].block.header)) proven = i + 1;
    return proven;
}

bool is_sync_request(ByteView bytes) {
    ByteView in = bytes;
    auto list = rlp::ListReader::open(in);
    if (!list) return false;
    auto type = list->read_uint64();
    return type && *type == uint64_t(MessageTag::kSyncRequest);
}

}  // namespace trellis::consensus
