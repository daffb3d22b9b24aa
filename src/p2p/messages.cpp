#include "p2p/messages.hpp"

#include "codec/rlp.hpp"

namespace trellis::p2p {

const char* to_string(DisconnectReason r) noexcept {
    switch (r) {
        case DisconnectReason::kRequested:
            return "requested";
        case DisconnectReason::kProtocolError:
            return "protocol error";
        case DisconnectReason::kWrongChain:
            return "wrong chain id or genesis";
        case DisconnectReason::kNotAdmitted:
            return "not on the admission list";
        case DisconnectReason::kIdentityMismatch:
            return "node id does not match the certificate";
        case DisconnectReason::kIncompatibleVersion:
            return "incompatible protocol version";
        case DisconnectReason::kTooManyPeers:
            return "too many peers";
        case DisconnectReason::kDuplicate:
            return "duplicate connection";
        case DisconnectReason::kBanned:
            return "banned";
        case DisconnectReason::kTimeout:
            return "timeout";
        case DisconnectReason::kSlowPeer:
            return "send queue overflow";
        case DisconnectReason::kSelf:
            return "connected to self";
    }
    return "unknown";
}

const char* to_string(MessageError e) noexcept {
    switch (e) {
        case MessageError::kMalformed:
            return "malformed message";
        case MessageError::kTooManyItems:
            return "too many items in message";
        case MessageError::kInvalidField:
            return "invalid message field";
        case MessageError::kTooLarge:
            return "message larger than its frame limit";
    }
    return "unknown message error";
}

MessageType type_of(const Message& m) noexcept {
    struct V {
        MessageType operator()(const Hello&) const { return MessageType::kHello; }
        MessageType operator()(const Ping&) const { return MessageType::kPing; }
        MessageType operator()(const Pong&) const { return MessageType::kPong; }
        MessageType operator()(const Disconnect&) const { return MessageType::kDisconnect; }
        MessageType operator()(const Status&) const { return MessageType::kStatus; }
        MessageType operator()(const TxAnnounce&) const { return MessageType::kTxAnnounce; }
        MessageType operator()(const TxRequest&) const { return MessageType::kTxRequest; }
        MessageType operator()(const Txs&) const { return MessageType::kTxs; }
        MessageType operator()(const Consensus&) const { return MessageType::kConsensus; }
        MessageType operator()(const GetBlocks&) const { return MessageType::kGetBlocks; }
        MessageType operator()(const Blocks&) const { return MessageType::kBlocks; }
    };
    return std::visit(V{}, m);
}

namespace {

void put_hashes(Bytes& out, const std::vector<Hash32>& hs) {
    const size_t m = rlp::begin_list(out);
    for (const auto& h : hs) rlp::encode_string(out, h.view());
    rlp::end_list(out, m);
}

struct Encoder {
    Bytes& out;
    void operator()(const Hello& h) {
        const size_t m = rlp::begin_list(out);
        rlp::encode_uint(out, h.chain_id);
        rlp::encode_string(out, h.genesis_hash.view());
        rlp::encode_string(out, h.node_id.view());
        rlp::encode_uint(out, h.protocol_version);
        rlp::encode_uint(out, h.head_num);
        rlp::encode_string(out, h.head_hash.view());
        rlp::end_list(out, m);
    }
    void operator()(const Ping& p) { rlp::encode_uint(out, p.nonce); }
    void operator()(const Pong& p) { rlp::encode_uint(out, p.nonce); }
    void operator()(const Disconnect& d) { rlp::encode_uint(out, static_cast<uint64_t>(d.reason)); }
    void operator()(const Status& s) {
        const size_t m = rlp::begin_list(out);
        rlp::encode_uint(out, s.head_num);
        rlp::encode_string(out, s.head_hash.view());
        rlp::end_list(out, m);
    }
    void operator()(const TxAnnounce& a) { put_hashes(out, a.hashes); }
    void operator()(const TxRequest& r) { put_hashes(out, r.hashes); }
    void operator()(const Txs& t) {
        const size_t m = rlp::begin_list(out);
        for (const auto& tx : t.txs) rlp::encode_string(out, tx);
        rlp::end_list(out, m);
    }
    void operator()(const Consensus& c) { rlp::encode_string(out, c.payload); }
    void operator()(const GetBlocks& g) {
        const size_t m = rlp::begin_list(out);
        rlp::encode_uint(out, g.from);
        rlp::encode_uint(out, g.count);
        rlp::end_list(out, m);
    }
    void operator()(const Blocks& b) {
        // Each block is already an RLP item: splice it in as is.
        const size_t m = rlp::begin_list(out);
        for (const auto& blk : b.blocks) out.insert(out.end(), blk.begin(), blk.end());
        rlp::end_list(out, m);
    }
};

Result<std::vector<Hash32>, MessageError> read_hashes(ByteView in) {
    auto list = rlp::ListReader::open(in);
    if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
    // Bound before allocating: each hash takes exactly 33 bytes on the wire.
    const size_t n = list->rest().size() / 33;
    if (n > kMaxHashesPerMessage) return Unexpected{MessageError::kTooManyItems};
    std::vector<Hash32> hs;
    hs.reserve(n);
    while (!list->at_end()) {
        if (hs.size() == kMaxHashesPerMessage) return Unexpected{MessageError::kTooManyItems};
        auto h = list->read_fixed<32>();
        if (!h) return Unexpected{MessageError::kMalformed};
        hs.push_back(*h);
    }
    return hs;
}

Result<std::vector<Bytes>, MessageError> read_byte_strings(ByteView in, size_t max_items) {
    auto list = rlp::ListReader::open(in);
    if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
    std::vector<Bytes> out;
    while (!list->at_end()) {
        if (out.size() == max_items) return Unexpected{MessageError::kTooManyItems};
        auto b = list->read_bytes();
        if (!b) return Unexpected{MessageError::kMalformed};
        if (b->empty()) return Unexpected{MessageError::kInvalidField};
        out.emplace_back(b->begin(), b->end());
    }
    return out;
}

Result<Message, MessageError> decode_hello(ByteView in) {
    auto list = rlp::ListReader::open(in);
    if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
    Hello h;
    auto chain_id = list->read_uint64();
    auto genesis = list->read_fixed<32>();
    auto node = list->read_fixed<32>();
    auto version = list->read_uint64();
    auto head_num = list->read_uint64();
    auto head_hash = list->read_fixed<32>();
    if (!chain_id || !genesis || !node || !version || !head_num || !head_hash || !list->finish())
        return Unexpected{MessageError::kMalformed};
    h.chain_id = *chain_id;
    h.genesis_hash = *genesis;
    h.node_id = *node;
    h.protocol_version = *version;
    h.head_num = *head_num;
    h.head_hash = *head_hash;
    return Message{h};
}

Result<uint64_t, MessageError> read_single_uint(ByteView in) {
    auto v = rlp::decode_uint64(in);
    if (!v || !in.empty()) return Unexpected{MessageError::kMalformed};
    return *v;
}

}  // namespace

Bytes encode_payload(const Message& m) {
    Bytes out;
    std::visit(Encoder{out}, m);
    return out;
}

Result<Bytes, MessageError> encode_message(const Message& m) {
    const MessageType type = type_of(m);
    Bytes out(kFrameHeaderSize);
    std::visit(Encoder{out}, m);
    const size_t n = out.size() - kFrameHeaderSize;
    if (n > max_payload(type)) return Unexpected{MessageError::kTooLarge};
    out[0] = uint8_t(n >> 24);
    out[1] = uint8_t(n >> 16);
    out[2] = uint8_t(n >> 8);
    out[3] = uint8_t(n);
    out[4] = static_cast<uint8_t>(type);
    return out;
}

Result<Message, MessageError> decode_message(MessageType type, ByteView in) {
    if (in.size() > max_payload(type)) return Unexpected{MessageError::kTooLarge};
    switch (type) {
        case MessageType::kHello:
            return decode_hello(in);
        case MessageType::kPing:
        case MessageType::kPong: {
            auto v = read_single_uint(in);
            if (!v) return Unexpected{v.error()};
            if (type == MessageType::kPing) return Message{Ping{*v}};
            return Message{Pong{*v}};
        }
        case MessageType::kDisconnect: {
            auto v = read_single_uint(in);
            if (!v) return Unexpected{v.error()};
            if (*v > kMaxDisconnectReason) return Unexpected{MessageError::kInvalidField};
            return Message{Disconnect{static_cast<DisconnectReason>(*v)}};
        }
        case MessageType::kStatus: {
            auto list = rlp::ListReader::open(in);
            if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
            auto num = list->read_uint64();
            auto hash = list->read_fixed<32>();
            if (!num || !hash || !list->finish()) return Unexpected{MessageError::kMalformed};
            return Message{Status{*num, *hash}};
        }
        case MessageType::kTxAnnounce:
        case MessageType::kTxRequest: {
            auto hs = read_hashes(in);
            if (!hs) return Unexpected{hs.error()};
            if (type == MessageType::kTxAnnounce) return Message{TxAnnounce{std::move(hs).value()}};
            return Message{TxRequest{std::move(hs).value()}};
        }
        case MessageType::kTxs: {
            auto txs = read_byte_strings(in, kMaxTxsPerMessage);
            if (!txs) return Unexpected{txs.error()};
            return Message{Txs{std::move(txs).value()}};
        }
        case MessageType::kConsensus: {
            auto b = rlp::decode_bytes(in);
            if (!b || !in.empty()) return Unexpected{MessageError::kMalformed};
            if (b->size() > kMaxConsensusBytes) return Unexpected{MessageError::kTooLarge};
            return Message{Consensus{Bytes(b->begin(), b->end())}};
        }
        case MessageType::kGetBlocks: {
            auto list = rlp::ListReader::open(in);
            if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
            auto from = list->read_uint64();
            auto count = list->read_uint64();
            if (!from || !count || !list->finish()) return Unexpected{MessageError::kMalformed};
            if (*count == 0 || *count > kMaxBlocksPerRequest) return Unexpected{MessageError::kInvalidField};
            return Message{GetBlocks{*from, *count}};
        }
        case MessageType::kBlocks: {
            auto list = rlp::ListReader::open(in);
            if (!list || !in.empty()) return Unexpected{MessageError::kMalformed};
            Blocks b;
            while (!list->at_end()) {
                if (b.blocks.size() == kMaxBlocksPerRequest) return Unexpected{MessageError::kTooManyItems};
                auto item = list->next();
                // A block is a list; its contents are checked by the chain module.
                if (!item || !item->is_list) return Unexpected{MessageError::kMalformed};
                b.blocks.emplace_back(item->encoded.begin(), item->encoded.end());
            }
            return Message{std::move(b)};
        }
    }
    return Unexpected{MessageError::kMalformed};
}

}  // namespace trellis::p2p
