#pragma once
// The P2P transport (DESIGN.md §4, docs/p2p.md): TCP + TLS 1.3 with mutual
// authentication against the consortium CA, then a Hello exchange that
// checks chain id, genesis hash, protocol version and the admission list.
// After the handshake a Connection carries framed messages (frame.hpp) with
// a bounded send queue, a read timeout and keep-alive pings.
//
// Boost.Asio callbacks, one strand per connection; the io_context belongs to
// the caller. Policy (which peers to keep, scores, bans, dialing) lives in
// PeerManager, which is the TransportListener; the transport only enforces
// the protocol.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "p2p/messages.hpp"
#include "p2p/scoring.hpp"

namespace boost::asio {
class io_context;
}

namespace trellis::p2p {

/// What a test-only fault filter does with one outgoing message.
struct FaultAction {
    enum Kind { kPass, kDrop, kDelay } kind = kPass;
    std::chrono::milliseconds delay{0};  ///< for kDelay
};
/// Decides per outgoing message (peer, type): every message after the
/// handshake, pings and pongs included (Hello and Disconnect are not filtered). Runs on the connection's
/// strand; must be thread-safe and quick.
using FaultFilter = std::function<FaultAction(const NodeId& peer, MessageType type)>;

struct TransportSettings {
    /// Listen address and port (0 picks a free port: see Transport::port()).
    std::string listen_address = "127.0.0.1";
    uint16_t listen_port = 30700;
    /// Accept inbound connections at all (an observer may only dial).
    bool listen = true;

    /// PEM files: this node's certificate and key (`trellis ca issue`), and the
    /// consortium CA certificate that every peer's certificate must chain to.
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    std::filesystem::path ca_file;

    /// Hello checks: peers on another chain or genesis are refused.
    uint64_t chain_id = 0;
    Hash32 genesis_hash;
    /// Node ids (SPKI hashes) allowed to connect, from genesis for now
    /// (on-chain governance later). Empty admits nobody.
    std::set<NodeId> admitted;

    /// TCP connect + TLS handshake + Hello must finish within this.
    std::chrono::milliseconds handshake_timeout{5'000};
    /// A connection that receives no frame for this long is closed. Peers
    /// ping every ping_interval, so an idle but healthy peer never hits it.
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds ping_interval{10'000};

    /// Open connections of every kind, handshakes included. Beyond it new
    /// TCP connections are closed at once: unauthenticated handshakes are the
    /// cheapest way to make a node spend memory and CPU.
    size_t max_connections = 256;

    /// Per-connection send queue bounds. A peer that lets more pile up is
    /// too slow to follow consensus: it is disconnected (kSlowPeer), not fed
    /// with silently dropped messages (docs/p2p.md §Back-pressure).
    size_t max_send_queue_messages = 4096;
    size_t max_send_queue_bytes = size_t{96} << 20;

    /// Enables set_fault_filter and inject_raw (test builds of the network:
    /// the CLI exposes it only as a hidden --test-faults flag).
    bool enable_test_faults = false;
};

enum class TransportError {
    kTlsSetup,    ///< certificate, key or CA file unreadable or invalid
    kBadAddress,  ///< listen address is not an IP address
    kBindFailed,  ///< the port is taken or not permitted
    kAlreadyStarted,
};
const char* to_string(TransportError e) noexcept;

/// One TLS connection to a peer. Thread-safe: every method may be called
/// from any thread; work is posted to the connection's strand.
class Connection {
public:
    virtual ~Connection() = default;
    /// A process-unique number (for logs and for telling connections apart).
    virtual uint64_t id() const noexcept = 0;
    /// Known after the TLS handshake: SHA-256 of the peer certificate's SPKI.
    virtual const NodeId& node_id() const noexcept = 0;
    /// The peer's Hello (valid once the connection is established).
    virtual const Hello& hello() const noexcept = 0;
    /// Whether this side dialed.
    virtual bool outbound() const noexcept = 0;
    /// The dial tag given to Transport::dial (0 for inbound connections).
    virtual uint64_t dial_tag() const noexcept = 0;
    /// "ip:port" of the other end.
    virtual std::string remote() const = 0;

    /// Queues a complete frame. Returns false (and closes with kSlowPeer)
    /// when the queue bounds would be exceeded, and false if closed.
    virtual bool send_frame(std::shared_ptr<const Bytes> frame) = 0;
    /// Sends Disconnect(reason) (best effort, briefly) and closes. Idempotent.
    virtual void close(DisconnectReason reason) = 0;
    /// Test faults only: writes bytes as they are, unframed.
    virtual void send_raw_for_test(Bytes bytes) = 0;
};
using ConnectionPtr = std::shared_ptr<Connection>;

/// The transport's view of its owner. Called on connection strands (never
/// with transport locks held); implementations must be thread-safe.
class TransportListener {
public:
    virtual ~TransportListener() = default;
    /// After the TLS handshake, before Hello: refuse banned peers early.
    virtual bool is_banned(const NodeId& id) = 0;
    /// Hello checked: keep the connection (nullopt) or refuse it with a reason.
    virtual std::optional<DisconnectReason> on_established(const ConnectionPtr& c) = 0;
    /// A frame other than Ping/Pong/Hello/Disconnect on an established connection.
    virtual void on_frame(const ConnectionPtr& c, MessageType type, ByteView payload) = 0;
    /// The transport caught the peer misbehaving (it closes the connection
    /// itself when the penalty says so).
    virtual void on_misbehaviour(const ConnectionPtr& c, Misbehaviour m) = 0;
    /// Called exactly once per connection: it closed (was_established tells
    /// whether on_established accepted it). For a dial that never reached
    /// TLS, c->node_id() is all zero.
    virtual void on_closed(const ConnectionPtr& c, DisconnectReason reason, bool was_established) = 0;
};

struct TransportStats {
    std::atomic<uint64_t> accepted{0};             ///< TCP connections accepted
    std::atomic<uint64_t> refused_connections{0};  ///< closed at once: max_connections reached
    std::atomic<uint64_t> dials{0};
    std::atomic<uint64_t> handshake_failures{0};  ///< TLS or Hello failed (incl. wrong CA)
    std::atomic<uint64_t> rejected_hello{0};      ///< Hello checks refused the peer
    std::atomic<uint64_t> frames_in{0};
    std::atomic<uint64_t> frames_out{0};
    std::atomic<uint64_t> frame_errors{0};
    std::atomic<uint64_t> timeouts{0};
    std::atomic<uint64_t> send_overflows{0};
};

class Transport {
public:
    /// io and listener must outlive the transport. Call stop() before
    /// destroying it and keep the io_context running until stop returns.
    Transport(boost::asio::io_context& io, TransportSettings settings, TransportListener& listener);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    /// Loads the TLS identity and (when settings.listen) binds and accepts.
    Result<void, TransportError> start();
    /// The bound port (after start with listen).
    uint16_t port() const noexcept;
    /// Closes the listener and every connection (with Disconnect kRequested)
    /// and waits until they are gone. Idempotent. Must not be called from an
    /// io_context thread.
    void stop();

    /// Dials host:port (host: an IP address or a name to resolve). The outcome
    /// arrives through the listener (on_established or on_closed).
    void dial(const std::string& host, uint16_t port, uint64_t tag);

    /// This node's id (from its own certificate), valid after start().
    const NodeId& node_id() const noexcept;
    /// Hello this node sends; head fields can be updated at any time.
    void set_head(uint64_t head_num, const Hash32& head_hash);

    /// Test faults only (asserts settings.enable_test_faults): the filter
    /// sees every outgoing message; nullptr removes it.
    void set_fault_filter(FaultFilter filter);

    const TransportSettings& settings() const noexcept;
    const TransportStats& stats() const noexcept;

    class Impl;  // internal (transport.cpp)

private:
    // Shared with the connections, so a handler that runs after the
    // transport is gone still finds what it needs.
    std::shared_ptr<Impl> impl_;
};

/// SHA-256 of the DER SubjectPublicKeyInfo of the PEM certificate in file
/// (the node id); kTlsSetup when unreadable.
Result<NodeId, TransportError> node_id_of_certificate_file(const std::filesystem::path& file);

}  // namespace trellis::p2p
