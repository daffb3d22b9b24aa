#include "consensus/sync.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "consensus/signer.hpp"
#include "crypto/suite.hpp"

using namespace trellis;
using namespace trellis::consensus;

namespace {

TEST(Sync, items_round_trip_and_reject_anything_else) {
    const SuiteScheme scheme(crypto::ethereum_suite(), std::nullopt);
    BlockHeader h;
    h.view = 7;
    h.block_num = 3;
    h.state_root.bytes[0] = 1;
    h.justify.view = 6;
    h.justify.block_id.bytes[5] = 9;
    const Block b = make_block(scheme, h, Bytes{0xc0});
    QuorumCert qc;
    qc.view = 7;
    qc.block_id = b.id;
    qc.sigs.push_back({0, Bytes(65, 0x11)});
    const Bytes item = encode_sync_item(b, qc);
    auto d = decode_sync_item(item, scheme);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    EXPECT_EQ(d->block, b);
    EXPECT_EQ(d->qc, qc);
    if (const char* out = std::getenv("TRELLIS_SEED_OUT"))
        std::ofstream(out, std::ios::binary)
            .write(reinterpret_cast<const char*>(item.data()), std::streamsize(item.size()));

    Bytes trailing = item;
    trailing.push_back(0);
    EXPECT_FALSE(decode_sync_item(trailing, scheme).ok());
    EXPECT_FALSE(decode_sync_item(ByteView(item.data(), item.size() - 1), scheme).ok());
    EXPECT_FALSE(decode_sync_item(Bytes{0xc0}, scheme).ok());
    Bytes flipped = item;
    flipped[item.size() / 2] ^= 0xff;
    auto f = decode_sync_item(flipped, scheme);
    EXPECT_TRUE(!f.ok() || !(f->block == b && f->qc == qc));
}


/// A chain of certified blocks: block i in views[i], each extending the one before.
std::vector<SyncItem> chain_in_views(const SignatureScheme& scheme, std::initializer_list<ViewNum> views) {
    std::vector<SyncItem> out;
    Hash32 parent{};
    ViewNum parent_view = 0;
    uint64_t num = 1;
    for (ViewNum v : views) {
        BlockHeader h;
        h.view = v;
        h.block_num = num++;
        h.justify.view = parent_view;
        h.justify.block_id = parent;
        Block b = make_block(scheme, h, Bytes{0xc0});
        QuorumCert qc;
        qc.view = v;
        qc.block_id = b.id;
        parent = b.id;
        parent_view = v;
        out.push_back(SyncItem{std::move(b), std::move(qc)});
    }
    return out;
}

TEST(Sync, committed_prefix_ends_at_the_last_block_with_a_direct_child_in_the_next_view) {
    const SuiteScheme scheme(crypto::ethereum_suite(), std::nullopt);
    // Views 1,2,3 are consecutive: blocks 1 and 2 are committed; 3 waits for its child.
    EXPECT_EQ(committed_prefix(chain_in_views(scheme, {1, 2, 3})), 2u);
    // A gap after view 2 (a timeout): block 2's child is not in view 3, so only block 1 is proven.
    EXPECT_EQ(committed_prefix(chain_in_views(scheme, {1, 2, 5})), 1u);
    // A later consecutive pair proves everything before it (ancestors of a committed block).
    EXPECT_EQ(committed_prefix(chain_in_views(scheme, {1, 3, 5, 6})), 3u);
    EXPECT_EQ(committed_prefix(chain_in_views(scheme, {4})), 0u);
    EXPECT_EQ(committed_prefix({}), 0u);
}

TEST(Sync, a_child_of_another_block_commits_nothing) {
    const SuiteScheme scheme(crypto::ethereum_suite(), std::nullopt);
    auto chain = chain_in_views(scheme, {1, 2});
    // Same views, but the second block extends something else.
    BlockHeader h = chain[1].block.header;
    h.justify.block_id.bytes[0] ^= 1;
    chain[1].block = make_block(scheme, h, Bytes{0xc0});
    EXPECT_FALSE(child_commits(chain[0].block.header, chain[0].block.id, chain[1].block.header));
    EXPECT_EQ(committed_prefix(chain), 0u);
}

TEST(Sync, is_sync_request_recognises_only_sync_requests) {
    EXPECT_TRUE(is_sync_request(encode_message(SyncRequest{Hash32{}, 4})));
    EXPECT_FALSE(is_sync_request(encode_message(Vote{})));
    EXPECT_FALSE(is_sync_request(Bytes{0x01}));
    EXPECT_FALSE(is_sync_request(Bytes{}));
}

}  // namespace
