#include "p2p/frame.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace trellis;
using namespace trellis::p2p;

namespace {

Bytes header(uint32_t length, uint8_t type) {
    return Bytes{uint8_t(length >> 24), uint8_t(length >> 16), uint8_t(length >> 8), uint8_t(length), type};
}

}  // namespace

TEST(Frame, encodes_big_endian_length_then_type_then_payload) {
    const Bytes payload{0xc2, 0x01, 0x02};
    const Bytes f = encode_frame(MessageType::kStatus, payload);
    EXPECT_EQ(f, (Bytes{0, 0, 0, 3, 0x05, 0xc2, 0x01, 0x02}));
    ByteView in = f;
    auto d = decode_frame(in);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->type, MessageType::kStatus);
    EXPECT_EQ(Bytes(d->payload.begin(), d->payload.end()), payload);
    EXPECT_TRUE(in.empty());
}

TEST(Frame, every_type_has_a_limit_and_a_name) {
    for (int b = 0; b < 256; ++b) {
        const auto t = message_type_from_byte(uint8_t(b));
        if (!t) continue;
        EXPECT_GT(max_payload(*t), 0u) << b;
        EXPECT_LE(max_payload(*t), max_payload_any());
        EXPECT_STRNE(to_string(*t), "unknown");
    }
    EXPECT_FALSE(message_type_from_byte(0x00));
    EXPECT_FALSE(message_type_from_byte(0xff));
}

TEST(Frame, oversized_length_is_rejected_from_the_header_alone) {
    const Bytes h = header(uint32_t(max_payload(MessageType::kPing) + 1), 0x02);
    ByteView in = h;
    auto d = decode_frame(in);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), FrameError::kOversized);

    FrameDecoder dec;
    dec.feed(h);
    auto n = dec.next();
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error(), FrameError::kOversized);
    EXPECT_TRUE(dec.failed());
}

TEST(Frame, length_at_the_limit_is_accepted) {
    const size_t limit = max_payload(MessageType::kHello);
    const Bytes f = encode_frame(MessageType::kHello, Bytes(limit, 0x55));
    ByteView in = f;
    auto d = decode_frame(in);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->payload.size(), limit);
}

TEST(Frame, unknown_type_is_rejected) {
    const Bytes h = header(0, 0x7e);
    ByteView in = h;
    EXPECT_EQ(decode_frame(in).error(), FrameError::kUnknownType);
    FrameDecoder dec;
    dec.feed(h);
    EXPECT_EQ(dec.next().error(), FrameError::kUnknownType);
}

TEST(Frame, truncated_input_is_reported) {
    const Bytes f = encode_frame(MessageType::kPing, Bytes{0x05});
    for (size_t cut = 0; cut < f.size(); ++cut) {
        ByteView in = ByteView(f).first(cut);
        auto d = decode_frame(in);
        ASSERT_FALSE(d.ok()) << cut;
        EXPECT_EQ(d.error(), FrameError::kTruncated);
        FrameDecoder dec;
        dec.feed(ByteView(f).first(cut));
        auto n = dec.next();
        ASSERT_TRUE(n.ok());
        EXPECT_FALSE(*n);
        if (cut > 0) {
            EXPECT_EQ(dec.finish().error(), FrameError::kTruncated);
        }
    }
}

TEST(Frame, decoder_reassembles_frames_fed_one_byte_at_a_time) {
    Bytes stream;
    append_frame(stream, MessageType::kPing, Bytes{0x01});
    append_frame(stream, MessageType::kConsensus, Bytes(1000, 0xab));
    append_frame(stream, MessageType::kPong, Bytes{0x01});
    FrameDecoder dec;
    std::vector<std::pair<MessageType, size_t>> got;
    for (uint8_t b : stream) {
        dec.feed(ByteView(&b, 1));
        for (;;) {
            auto n = dec.next();
            ASSERT_TRUE(n.ok());
            if (!*n) break;
            got.emplace_back((*n)->type, (*n)->payload.size());
        }
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], std::make_pair(MessageType::kPing, size_t{1}));
    EXPECT_EQ(got[1], std::make_pair(MessageType::kConsensus, size_t{1000}));
    EXPECT_EQ(got[2], std::make_pair(MessageType::kPong, size_t{1}));
    EXPECT_TRUE(dec.finish().ok());
    EXPECT_EQ(dec.buffered(), 0u);
}

TEST(Frame, decoder_does_not_allocate_the_announced_size) {
    // A Blocks frame may announce tens of MiB; only received bytes are buffered.
    const uint32_t announced = uint32_t(max_payload(MessageType::kBlocks));
    FrameDecoder dec;
    dec.feed(header(announced, uint8_t(MessageType::kBlocks)));
    dec.feed(Bytes(10, 0));
    auto n = dec.next();
    ASSERT_TRUE(n.ok());
    EXPECT_FALSE(*n);
    EXPECT_EQ(dec.buffered(), kFrameHeaderSize + 10);
}

TEST(Frame, decoder_stays_failed_after_an_error) {
    FrameDecoder dec;
    dec.feed(header(0, 0xee));
    EXPECT_FALSE(dec.next().ok());
    dec.feed(encode_frame(MessageType::kPing, Bytes{0x01}));
    auto n = dec.next();
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error(), FrameError::kUnknownType);
    EXPECT_FALSE(dec.finish().ok());
}

TEST(Frame, random_garbage_never_crashes_and_never_yields_an_over_limit_frame) {
    std::mt19937 rng(7);
    for (int round = 0; round < 2000; ++round) {
        Bytes junk(rng() % 64);
        for (auto& b : junk) b = uint8_t(rng());
        FrameDecoder dec;
        dec.feed(junk);
        for (;;) {
            auto n = dec.next();
            if (!n || !*n) break;
            EXPECT_LE((*n)->payload.size(), max_payload((*n)->type));
        }
    }
}
