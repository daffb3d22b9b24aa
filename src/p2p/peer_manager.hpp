#pragma once
// Peer policy on top of the transport (docs/p2p.md §Peers): which addresses
// to dial and when (exponential backoff with jitter), how many peers to
// keep, one connection per node id, a score per node that misbehaviour
// lowers, and bans. The node registers handlers per message type and for
// peers going up and down, and sends through send/broadcast.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "p2p/transport.hpp"

namespace trellis::p2p {

struct PeerAddress {
    std::string host;
    uint16_t port = 0;
    friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};
/// Parses "host:port" (IPv6 as "[addr]:port"); nullopt when malformed.
std::optional<PeerAddress> parse_peer_address(const std::string& s);

struct Settings {
    TransportSettings transport;
    /// Always kept connected (redialled forever) and not counted against
    /// max_peers: the consortium's validators, typically.
    std::vector<PeerAddress> static_peers;
    /// Dialled (and redialled) while fewer than max_peers are connected.
    /// Without address gossip yet, they are otherwise like static peers.
    std::vector<PeerAddress> bootnodes;
    /// Peers kept; beyond it only static peers are admitted. More inbound: kTooManyPeers.
    size_t max_peers = 25;
    /// Redial delay after the n-th consecutive failure: min(max, initial * 2^n),
    /// with "equal jitter" (half fixed, half random) so restarted networks do
    /// not redial in lock-step.
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{60'000};
    /// A node whose score falls to this or below is disconnected and banned.
    int ban_threshold = 0;
    std::chrono::milliseconds ban_duration{std::chrono::hours(1)};
    /// Seed of the jitter generator; 0 draws one from std::random_device.
    uint64_t seed = 0;
};

struct PeerInfo {
    NodeId node_id;
    bool outbound = false;
    std::string remote;
    int score = kInitialScore;
    Hello hello;
};

struct PeerManagerStats {
    std::atomic<uint64_t> peers_up{0};
    std::atomic<uint64_t> peers_down{0};
    std::atomic<uint64_t> penalties{0};
    std::atomic<uint64_t> bans{0};
    std::atomic<uint64_t> duplicates{0};
    std::atomic<uint64_t> malformed_messages{0};
};

using MessageHandler = std::function<void(const NodeId& from, const Message& message)>;
using PeerUpHandler = std::function<void(const NodeId& peer)>;
using PeerDownHandler = std::function<void(const NodeId& peer, DisconnectReason reason)>;

/// Thread-safe (one mutex, mu_, guards the peer table, scores, bans and dial
/// slots). Handlers run on connection strands, never under mu_; a handler
/// for one peer sees that peer's messages in order.
class PeerManager final : private TransportListener {
public:
    /// io must outlive the manager and be run by the caller.
    PeerManager(boost::asio::io_context& io, Settings settings);
    /// Calls stop().
    ~PeerManager() override;
    PeerManager(const PeerManager&) = delete;
    PeerManager& operator=(const PeerManager&) = delete;

    /// Handlers: set before start().
    void on_message(MessageType type, MessageHandler handler);
    void on_peer_up(PeerUpHandler handler);
    void on_peer_down(PeerDownHandler handler);

    /// Adds an address to dial (and keep redialling), e.g. from an operator
    /// command. Thread-safe; before or after start().
    void add_peer(const PeerAddress& address, bool is_static);

    /// Starts the transport (listen) and dials static peers and bootnodes.
    Result<void, TransportError> start();
    /// Stops dialing, closes every connection and waits for them. Not from
    /// an io_context thread. Idempotent.
    void stop();

    /// Sends to one connected peer; false if not connected or its queue
    /// overflowed (it is then disconnected).
    bool send(const NodeId& peer, const Message& message);
    /// Sends to every connected peer except `except`; returns how many.
    size_t broadcast(const Message& message, const std::optional<NodeId>& except = std::nullopt);

    /// Lowers peer's score by the penalty for m (scoring.hpp); disconnects
    /// when the table says so and bans at or below the threshold. For
    /// rejection reasons found by consensus, the txpool or block sync.
    void penalise(const NodeId& peer, Misbehaviour m);

    /// The current score (kInitialScore for unknown nodes).
    int score(const NodeId& peer) const;
    bool is_banned(const NodeId& peer) override;
    /// Nodes banned now.
    std::vector<NodeId> banned() const;
    bool connected(const NodeId& peer) const;
    size_t peer_count() const;
    std::vector<PeerInfo> peers() const;

    /// Updates the head advertised in Hello (Status is the node's to send).
    void set_head(uint64_t head_num, const Hash32& head_hash);

    const NodeId& node_id() const noexcept { return transport_.node_id(); }
    uint16_t port() const noexcept { return transport_.port(); }
    const TransportStats& transport_stats() const noexcept { return transport_.stats(); }
    const PeerManagerStats& stats() const noexcept { return stats_; }

    /// Test faults only (settings.transport.enable_test_faults):
    /// drop or delay outgoing messages per peer, e.g. to partition a network.
    void set_fault_filter(FaultFilter filter) { transport_.set_fault_filter(std::move(filter)); }
    /// Writes raw bytes (garbage, bad frames) to a connected peer.
    bool inject_raw(const NodeId& peer, Bytes bytes);

private:
    struct Peer {
        ConnectionPtr conn;
    };
    struct DialSlot {
        PeerAddress address;
        bool is_static = false;
        unsigned failures = 0;
        bool dialing = false;
        std::optional<NodeId> connected;  ///< the node this slot reaches, while connected (any direction)
        std::unique_ptr<boost::asio::steady_timer> timer;
    };

    // TransportListener
    std::optional<DisconnectReason> on_established(const ConnectionPtr& c) override;
    void on_frame(const ConnectionPtr& c, MessageType type, ByteView payload) override;
    void on_misbehaviour(const ConnectionPtr& c, Misbehaviour m) override;
    void on_closed(const ConnectionPtr& c, DisconnectReason reason, bool was_established) override;

    void schedule_dial_locked(size_t slot, std::chrono::milliseconds delay);
    std::chrono::milliseconds backoff_locked(unsigned failures);
    void dial_now(size_t slot);
    void penalise_conn(const NodeId& peer, Misbehaviour m, const ConnectionPtr& offender);
    bool banned_locked(const NodeId& peer);

    boost::asio::io_context& io_;
    const Settings settings_;
    Transport transport_;
    std::array<MessageHandler, 256> handlers_;
    PeerUpHandler peer_up_;
    PeerDownHandler peer_down_;
    PeerManagerStats stats_;

    mutable std::mutex mu_;  // guards everything below
    bool started_ = false;
    bool stopping_ = false;
    std::map<NodeId, Peer> peers_;
    std::map<NodeId, int> scores_;
    std::map<NodeId, std::chrono::steady_clock::time_point> bans_;
    std::vector<DialSlot> slots_;
    size_t pending_timers_ = 0;  // dial timer handlers not yet run
    std::condition_variable timers_cv_;
    std::mt19937_64 rng_;
};

}  // namespace trellis::p2p
