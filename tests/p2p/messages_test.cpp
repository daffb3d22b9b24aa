#include "p2p/messages.hpp"

#include <gtest/gtest.h>

#include "codec/rlp.hpp"

using namespace trellis;
using namespace trellis::p2p;

namespace {

Hash32 h(uint8_t v) {
    Hash32 x;
    x.bytes.fill(v);
    return x;
}

Message round_trip(const Message& m) {
    auto f = encode_message(m);
    EXPECT_TRUE(f.ok());
    ByteView in = *f;
    auto frame = decode_frame(in);
    EXPECT_TRUE(frame.ok());
    EXPECT_EQ(frame->type, type_of(m));
    auto back = decode_message(frame->type, frame->payload);
    EXPECT_TRUE(back.ok()) << (back.ok() ? "" : to_string(back.error()));
    return back.ok() ? *back : Message{};
}

}  // namespace

TEST(Messages, every_message_round_trips) {
    Hello hello{1337, h(1), h(2), kProtocolVersion, 99, h(3)};
    std::vector<Message> all = {
        hello,
        Ping{0},
        Ping{~uint64_t{0}},
        Pong{42},
        Disconnect{DisconnectReason::kBanned},
        Status{7, h(9)},
        TxAnnounce{{h(1), h(2), h(3)}},
        TxAnnounce{},
        TxRequest{{h(4)}},
        Txs{{Bytes{0x01}, Bytes(300, 0xaa)}},
        Consensus{Bytes(5000, 0x11)},
        Consensus{},
        GetBlocks{0, 1},
        GetBlocks{123456, kMaxBlocksPerRequest},
        Blocks{{Bytes{0xc0}, Bytes{0xc3, 0x01, 0x02, 0x03}}},
    };
    for (const auto& m : all) EXPECT_EQ(round_trip(m), m) << to_string(type_of(m));
}

TEST(Messages, hello_with_a_short_hash_is_malformed) {
    Bytes p;
    const size_t mark = rlp::begin_list(p);
    rlp::encode_uint(p, 1);
    rlp::encode_string(p, Bytes(31, 0));  // genesis hash one byte short
    rlp::encode_string(p, Bytes(32, 0));
    rlp::encode_uint(p, 1);
    rlp::encode_uint(p, 0);
    rlp::encode_string(p, Bytes(32, 0));
    rlp::end_list(p, mark);
    EXPECT_EQ(decode_message(MessageType::kHello, p).error(), MessageError::kMalformed);
}

TEST(Messages, trailing_bytes_and_extra_fields_are_malformed) {
    Bytes ping = encode_payload(Ping{5});
    ping.push_back(0x00);
    EXPECT_EQ(decode_message(MessageType::kPing, ping).error(), MessageError::kMalformed);
    Bytes status;
    const size_t mark = rlp::begin_list(status);
    rlp::encode_uint(status, 1);
    rlp::encode_string(status, Bytes(32, 0));
    rlp::encode_uint(status, 2);  // extra
    rlp::end_list(status, mark);
    EXPECT_EQ(decode_message(MessageType::kStatus, status).error(), MessageError::kMalformed);
}

TEST(Messages, non_canonical_integers_are_malformed) {
    const Bytes leading_zero{0x82, 0x00, 0x01};
    EXPECT_EQ(decode_message(MessageType::kPing, leading_zero).error(), MessageError::kMalformed);
}

TEST(Messages, unknown_disconnect_reason_is_invalid) {
    Bytes p;
    rlp::encode_uint(p, kMaxDisconnectReason + 1);
    EXPECT_EQ(decode_message(MessageType::kDisconnect, p).error(), MessageError::kInvalidField);
}

TEST(Messages, get_blocks_count_must_be_within_bounds) {
    EXPECT_EQ(decode_message(MessageType::kGetBlocks, encode_payload(GetBlocks{1, 0})).error(),
              MessageError::kInvalidField);
    EXPECT_EQ(decode_message(MessageType::kGetBlocks, encode_payload(GetBlocks{1, kMaxBlocksPerRequest + 1}))
                  .error(),
              MessageError::kInvalidField);
}

TEST(Messages, too_many_hashes_are_refused) {
    TxAnnounce a;
    a.hashes.assign(kMaxHashesPerMessage + 1, h(1));
    const Bytes p = encode_payload(a);
    auto r = decode_message(MessageType::kTxAnnounce, p);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error() == MessageError::kTooManyItems || r.error() == MessageError::kTooLarge);
    a.hashes.resize(kMaxHashesPerMessage);
    EXPECT_TRUE(encode_message(a).ok());
    EXPECT_TRUE(decode_message(MessageType::kTxAnnounce, encode_payload(a)).ok());
}

TEST(Messages, empty_transactions_are_invalid) {
    EXPECT_EQ(decode_message(MessageType::kTxs, encode_payload(Txs{{Bytes{}}})).error(),
              MessageError::kInvalidField);
}

TEST(Messages, blocks_items_must_be_lists) {
    Bytes p;
    const size_t mark = rlp::begin_list(p);
    rlp::encode_string(p, Bytes{0x01, 0x02});
    rlp::end_list(p, mark);
    EXPECT_EQ(decode_message(MessageType::kBlocks, p).error(), MessageError::kMalformed);
}

TEST(Messages, oversized_consensus_payload_cannot_be_encoded) {
    auto r = encode_message(Consensus{Bytes(kMaxConsensusBytes + 100, 0)});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), MessageError::kTooLarge);
}

TEST(Messages, every_type_rejects_empty_and_garbage_payloads_cleanly) {
    const Bytes garbage{0xff, 0xff, 0xff};
    for (int b = 0; b < 256; ++b) {
        const auto t = message_type_from_byte(uint8_t(b));
        if (!t) continue;
        EXPECT_FALSE(decode_message(*t, Bytes{}).ok()) << to_string(*t);
        EXPECT_FALSE(decode_message(*t, garbage).ok()) << to_string(*t);
    }
}
