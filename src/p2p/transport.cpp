#include "p2p/transport.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>

#include "runtime/asio.hpp"  // first: every translation unit configures Asio alike

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <deque>
#include <map>

#include "base/assert.hpp"
#include "crypto/hash.hpp"

namespace trellis::p2p {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;

const char* to_string(TransportError e) noexcept {
    switch (e) {
        case TransportError::kTlsSetup:
            return "TLS certificate, key or CA file unreadable or invalid";
        case TransportError::kBadAddress:
            return "listen address is not an IP address";
        case TransportError::kBindFailed:
            return "cannot bind the listen port";
        case TransportError::kAlreadyStarted:
            return "transport already started";
    }
    return "unknown transport error";
}

namespace {

NodeId spki_hash(X509* cert) {
    const EVP_PKEY* key = cert ? X509_get0_pubkey(cert) : nullptr;
    unsigned char* der = nullptr;
    const int n = key ? i2d_PUBKEY(const_cast<EVP_PKEY*>(key), &der) : -1;
    if (n <= 0) return NodeId{};
    const NodeId id = crypto::sha256(ByteView(der, static_cast<size_t>(n)));
    OPENSSL_free(der);
    return id;
}

std::shared_ptr<const Bytes> frame_of(const Message& m) {
    auto f = encode_message(m);
    TRELLIS_ASSERT(f.ok());  // transport-made messages are small
    return std::make_shared<const Bytes>(std::move(f).value());
}

}  // namespace

Result<NodeId, TransportError> node_id_of_certificate_file(const std::filesystem::path& file) {
    FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return Unexpected{TransportError::kTlsSetup};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return Unexpected{TransportError::kTlsSetup};
    const NodeId id = spki_hash(cert);
    X509_free(cert);
    if (id == NodeId{}) return Unexpected{TransportError::kTlsSetup};
    return id;
}

class ConnectionImpl;

class Transport::Impl : public std::enable_shared_from_this<Transport::Impl> {
public:
    Impl(asio::io_context& io, TransportSettings settings, TransportListener& listener)
        : io_(io),
          settings_(std::move(settings)),
          listener_(listener),
          tls_(ssl::context::tls),
          acceptor_strand_(asio::make_strand(io)),
          acceptor_(acceptor_strand_) {}

    asio::io_context& io_;
    const TransportSettings settings_;
    TransportListener& listener_;
    ssl::context tls_;
    NodeId self_id_;
    TransportStats stats_;
    Strand acceptor_strand_;
    tcp::acceptor acceptor_;
    uint16_t port_ = 0;
    std::atomic<uint64_t> next_id_{1};

    mutable std::mutex mu_;                                     // guards everything below
    std::condition_variable cv_;                                // live_ became empty
    std::map<uint64_t, std::shared_ptr<ConnectionImpl>> live_;  // not yet finalized
    bool started_ = false;
    bool stopping_ = false;
    uint64_t head_num_ = 0;
    Hash32 head_hash_;
    FaultFilter filter_;

    Hello make_hello() const {
        std::lock_guard lock(mu_);
        Hello h;
        h.chain_id = settings_.chain_id;
        h.genesis_hash = settings_.genesis_hash;
        h.node_id = self_id_;
        h.protocol_version = kProtocolVersion;
        h.head_num = head_num_;
        h.head_hash = head_hash_;
        return h;
    }
    FaultFilter filter() const {
        std::lock_guard lock(mu_);
        return filter_;
    }

    void accept_next();
    void finalized(uint64_t id);
};

/// One connection. All socket, timer and state work happens on strand_;
/// the send queue is also touched by send_frame callers, under qmu_.
class ConnectionImpl final : public Connection, public std::enable_shared_from_this<ConnectionImpl> {
public:
    enum class State { kConnecting, kTls, kHello, kEstablished, kClosing, kClosed };

    ConnectionImpl(std::shared_ptr<Transport::Impl> t, Strand strand, tcp::socket socket, bool outbound,
                   uint64_t tag)
        : t_(std::move(t)),
          strand_(std::move(strand)),
          stream_(std::move(socket), t_->tls_),
          handshake_timer_(strand_),
          read_timer_(strand_),
          ping_timer_(strand_),
          linger_timer_(strand_),
          id_(t_->next_id_++),
          outbound_(outbound),
          tag_(tag) {}

    uint64_t id() const noexcept override { return id_; }
    const NodeId& node_id() const noexcept override { return node_id_; }
    const Hello& hello() const noexcept override { return hello_; }
    bool outbound() const noexcept override { return outbound_; }
    uint64_t dial_tag() const noexcept override { return tag_; }
    std::string remote() const override {
        std::lock_guard lock(qmu_);
        return remote_;
    }

    bool send_frame(std::shared_ptr<const Bytes> frame) override {
        TRELLIS_ASSERT(frame && frame->size() >= kFrameHeaderSize);
        if (t_->settings_.enable_test_faults) {
            if (auto filter = t_->filter()) {
                const FaultAction a = filter(node_id_, static_cast<MessageType>((*frame)[4]));
                if (a.kind == FaultAction::kDrop) return true;
                if (a.kind == FaultAction::kDelay) {
                    auto timer = std::make_shared<asio::steady_timer>(strand_, a.delay);
                    timer->async_wait([self = shared_from_this(), timer, frame](boost::system::error_code) {
                        self->enqueue(frame);
                    });
                    return true;
                }
            }
        }
        return enqueue(std::move(frame));
    }

    void close(DisconnectReason reason) override {
        asio::post(strand_, [self = shared_from_this(), reason] { self->do_close(reason); });
    }

    void send_raw_for_test(Bytes bytes) override {
        TRELLIS_ASSERT(t_->settings_.enable_test_faults);
        enqueue(std::make_shared<const Bytes>(std::move(bytes)));
    }

    // ---- start-up (called once, by the transport) ----

    void start_inbound() {
        asio::dispatch(strand_, [self = shared_from_this()] {
            self->set_remote();
            self->arm_handshake_timer();
            self->state_ = State::kTls;
            self->stream_.async_handshake(ssl::stream_base::server,
                                          [self](boost::system::error_code ec) { self->on_tls(ec); });
        });
    }

    void start_outbound(std::string host, uint16_t port) {
        asio::dispatch(strand_, [self = shared_from_this(), host = std::move(host), port] {
            self->arm_handshake_timer();
            auto resolver = std::make_shared<tcp::resolver>(self->strand_);
            resolver->async_resolve(
                host, std::to_string(port),
                [self, resolver](boost::system::error_code ec, tcp::resolver::results_type results) {
                    if (self->state_ != State::kConnecting) return;
                    if (ec) return self->do_close(DisconnectReason::kTimeout);
                    asio::async_connect(self->stream_.lowest_layer(), results,
                                        [self](boost::system::error_code ec2, const tcp::endpoint&) {
                                            if (self->state_ != State::kConnecting) return;
                                            if (ec2) return self->do_close(DisconnectReason::kTimeout);
                                            self->set_remote();
                                            self->state_ = State::kTls;
                                            self->stream_.async_handshake(
                                                ssl::stream_base::client,
                                                [self](boost::system::error_code ec3) { self->on_tls(ec3); });
                                        });
                });
        });
    }

private:
    void set_remote() {
        boost::system::error_code ec;
        const auto ep = stream_.lowest_layer().remote_endpoint(ec);
        std::lock_guard lock(qmu_);
        remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    }

    void arm_handshake_timer() {
        handshake_timer_.expires_after(t_->settings_.handshake_timeout);
        handshake_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->state_ >= State::kEstablished) return;
            self->t_->stats_.timeouts++;
            self->t_->stats_.handshake_failures++;
            self->do_close(DisconnectReason::kTimeout);
        });
    }

    void on_tls(boost::system::error_code ec) {
        if (state_ != State::kTls) return;
        if (ec) {
            // Wrong CA, no certificate, wrong EKU, not TLS 1.3, or not TLS at all.
            t_->stats_.handshake_failures++;
            return do_close(DisconnectReason::kProtocolError);
        }
        X509* peer = SSL_get0_peer_certificate(stream_.native_handle());
        node_id_ = spki_hash(peer);
        state_ = State::kHello;
        start_read();
        // Refuse early, before telling anything about the chain.
        std::optional<DisconnectReason> refuse;
        if (node_id_ == NodeId{})
            refuse = DisconnectReason::kProtocolError;
        else if (node_id_ == t_->self_id_)
            refuse = DisconnectReason::kSelf;
        else if (!t_->settings_.admitted.contains(node_id_))
            refuse = DisconnectReason::kNotAdmitted;
        else if (t_->listener_.is_banned(node_id_))
            refuse = DisconnectReason::kBanned;
        if (refuse) {
            t_->stats_.rejected_hello++;
            return do_close(*refuse);
        }
        enqueue(frame_of(t_->make_hello()));
    }

    // ---- reading ----

    void start_read() {
        last_rx_ = Clock::now();
        arm_read_timer(t_->settings_.read_timeout);
        read_more();
    }

    void arm_read_timer(Clock::duration after) {
        read_timer_.expires_after(after);
        read_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->state_ >= State::kClosing) return;
            const auto idle = Clock::now() - self->last_rx_;
            if (idle >= self->t_->settings_.read_timeout) {
                self->t_->stats_.timeouts++;
                return self->do_close(DisconnectReason::kTimeout);
            }
            self->arm_read_timer(self->t_->settings_.read_timeout - idle);
        });
    }

    void read_more() {
        stream_.async_read_some(
            asio::buffer(read_buf_),
            [self = shared_from_this()](boost::system::error_code ec, size_t n) { self->on_read(ec, n); });
    }

    void on_read(boost::system::error_code ec, size_t n) {
        if (state_ >= State::kClosing) return;
        if (ec) {
            if (state_ == State::kHello) t_->stats_.handshake_failures++;
            return do_close(remote_reason_.value_or(DisconnectReason::kRequested));
        }
        last_rx_ = Clock::now();
        decoder_.feed(ByteView(read_buf_.data(), n));
        for (;;) {
            auto f = decoder_.next();
            if (!f) {
                t_->stats_.frame_errors++;
                misbehaved(f.error() == FrameError::kOversized ? Misbehaviour::kOversizedFrame
                                                               : Misbehaviour::kMalformedFrame);
                return do_close(DisconnectReason::kProtocolError);
            }
            if (!*f) break;
            t_->stats_.frames_in++;
            handle_frame((*f)->type, (*f)->payload);
            if (state_ >= State::kClosing) return;
        }
        if (state_ == State::kHello &&
            decoder_.buffered() > kFrameHeaderSize + max_payload(MessageType::kHello)) {
            // Still waiting for Hello, and what is buffered cannot be one: do
            // not buffer a large frame for a peer not yet accepted.
            misbehaved(Misbehaviour::kUnexpectedMessage);
            t_->stats_.handshake_failures++;
            return do_close(DisconnectReason::kProtocolError);
        }
        read_more();
    }

    void misbehaved(Misbehaviour m) {
        if (node_id_ == NodeId{}) return;
        t_->listener_.on_misbehaviour(shared_from_this(), m);
    }

    void handle_frame(MessageType type, ByteView payload) {
        switch (type) {
            case MessageType::kDisconnect: {
                auto m = decode_message(type, payload);
                remote_reason_ = m ? std::get<Disconnect>(*m).reason : DisconnectReason::kProtocolError;
                return do_close(*remote_reason_, /*send_disconnect=*/false);
            }
            case MessageType::kHello: {
                if (state_ != State::kHello) {
                    misbehaved(Misbehaviour::kUnexpectedMessage);
                    return;
                }
                auto m = decode_message(type, payload);
                if (!m) {
                    misbehaved(Misbehaviour::kMalformedMessage);
                    t_->stats_.handshake_failures++;
                    return do_close(DisconnectReason::kProtocolError);
                }
                return on_hello(std::get<Hello>(*m));
            }
            default:
                break;
        }
        if (state_ != State::kEstablished) {
            // Nothing but Hello or Disconnect may come before the handshake ends.
            misbehaved(Misbehaviour::kUnexpectedMessage);
            t_->stats_.handshake_failures++;
            return do_close(DisconnectReason::kProtocolError);
        }
        if (type == MessageType::kPing) {
            auto m = decode_message(type, payload);
            if (!m) return misbehaved(Misbehaviour::kMalformedMessage);
            send_frame(frame_of(Pong{std::get<Ping>(*m).nonce}));  // through the fault filter, as pings
            return;
        }
        if (type == MessageType::kPong) return;  // its arrival already reset the read deadline
        t_->listener_.on_frame(shared_from_this(), type, payload);
    }

    void on_hello(const Hello& h) {
        std::optional<DisconnectReason> refuse;
        if (h.chain_id != t_->settings_.chain_id || h.genesis_hash != t_->settings_.genesis_hash)
            refuse = DisconnectReason::kWrongChain;
        else if (h.protocol_version != kProtocolVersion)
            refuse = DisconnectReason::kIncompatibleVersion;
        else if (h.node_id != node_id_)
            // The claimed id is only a cross-check; identity is the certificate's key.
            refuse = DisconnectReason::kIdentityMismatch;
        if (refuse) {
            t_->stats_.rejected_hello++;
            return do_close(*refuse);
        }
        hello_ = h;
        if (auto r = t_->listener_.on_established(shared_from_this())) return do_close(*r);
        state_ = State::kEstablished;
        established_ = true;
        handshake_timer_.cancel();
        arm_ping_timer();
    }

    void arm_ping_timer() {
        ping_timer_.expires_after(t_->settings_.ping_interval);
        ping_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->state_ != State::kEstablished) return;
            self->send_frame(frame_of(Ping{++self->ping_nonce_}));
            self->arm_ping_timer();
        });
    }

    // ---- writing ----

    bool enqueue(std::shared_ptr<const Bytes> frame) {
        bool start = false;
        bool overflow = false;
        {
            std::lock_guard lock(qmu_);
            if (closed_for_send_) return false;
            if (queue_.size() + 1 > t_->settings_.max_send_queue_messages ||
                queued_bytes_ + frame->size() > t_->settings_.max_send_queue_bytes) {
                overflow = true;
            } else {
                queued_bytes_ += frame->size();
                queue_.push_back(std::move(frame));
                start = !writing_;
                writing_ = writing_ || start;
            }
        }
        if (overflow) {
            t_->stats_.send_overflows++;
            close(DisconnectReason::kSlowPeer);
            return false;
        }
        if (start) asio::post(strand_, [self = shared_from_this()] { self->write_front(); });
        return true;
    }

    void write_front() {
        if (state_ >= State::kClosed) return;
        std::shared_ptr<const Bytes> f;
        {
            std::lock_guard lock(qmu_);
            if (queue_.empty()) {
                writing_ = false;
                return;
            }
            f = queue_.front();
        }
        asio::async_write(stream_, asio::buffer(*f),
                          [self = shared_from_this(), f](boost::system::error_code ec, size_t) {
                              if (self->state_ >= State::kClosed) return;
                              if (ec) {
                                  {
                                      std::lock_guard lock(self->qmu_);
                                      self->writing_ = false;
                                  }
                                  if (self->state_ == State::kClosing) return self->finalize();
                                  return self->do_close(DisconnectReason::kRequested);
                              }
                              self->t_->stats_.frames_out++;
                              bool more;
                              {
                                  std::lock_guard lock(self->qmu_);
                                  self->queued_bytes_ -= self->queue_.front()->size();
                                  self->queue_.pop_front();
                                  more = !self->queue_.empty();
                                  self->writing_ = more;
                              }
                              if (more) return self->write_front();
                              if (self->state_ == State::kClosing)
                                  self->finalize();  // the Disconnect went out
                          });
    }

    // ---- closing ----

    /// Stops reading and delivering; sends Disconnect(reason) when the TLS
    /// session is up and the queue can take it, then finalizes.
    void do_close(DisconnectReason reason, bool send_disconnect = true) {
        if (state_ >= State::kClosing) return;
        const bool tls_up = state_ == State::kHello || state_ == State::kEstablished;
        state_ = State::kClosing;
        reason_ = reason;
        handshake_timer_.cancel();
        read_timer_.cancel();
        ping_timer_.cancel();
        bool writing;
        {
            std::lock_guard lock(qmu_);
            closed_for_send_ = true;
            // Drop what was not yet written; keep only the frame in flight.
            while (queue_.size() > (writing_ ? 1u : 0u)) {
                queued_bytes_ -= queue_.back()->size();
                queue_.pop_back();
            }
            if (tls_up && send_disconnect && !writing_) {
                auto d = frame_of(Disconnect{reason});
                queued_bytes_ += d->size();
                queue_.push_back(std::move(d));
                writing_ = true;
                asio::post(strand_, [self = shared_from_this()] { self->write_front(); });
            }
            writing = writing_;
        }
        if (!writing) return finalize();
        // Do not wait long for a peer that does not read.
        linger_timer_.expires_after(std::chrono::milliseconds(500));
        linger_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->finalize();
        });
    }

    void finalize() {
        if (state_ == State::kClosed) return;
        state_ = State::kClosed;
        linger_timer_.cancel();
        boost::system::error_code ignored;
        stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.lowest_layer().close(ignored);
        t_->listener_.on_closed(shared_from_this(), reason_, established_);
        t_->finalized(id_);
    }

    std::shared_ptr<Transport::Impl> t_;
    Strand strand_;
    ssl::stream<tcp::socket> stream_;
    asio::steady_timer handshake_timer_;
    asio::steady_timer read_timer_;
    asio::steady_timer ping_timer_;
    asio::steady_timer linger_timer_;
    const uint64_t id_;
    const bool outbound_;
    const uint64_t tag_;

    // Strand-only state.
    State state_ = State::kConnecting;
    NodeId node_id_;  // written once on the strand before any listener call
    Hello hello_;
    bool established_ = false;
    DisconnectReason reason_ = DisconnectReason::kRequested;
    std::optional<DisconnectReason> remote_reason_;
    Clock::time_point last_rx_{};
    uint64_t ping_nonce_ = 0;
    FrameDecoder decoder_;
    std::array<uint8_t, 16 * 1024> read_buf_{};  // one TLS record

    mutable std::mutex qmu_;                          // guards the send queue and remote_
    std::deque<std::shared_ptr<const Bytes>> queue_;  // front is in flight while writing_
    size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closed_for_send_ = false;
    std::string remote_;
};

void Transport::Impl::accept_next() {
    auto strand = std::make_shared<Strand>(asio::make_strand(io_));
    acceptor_.async_accept(
        *strand, [self = shared_from_this(), strand](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
            if (!ec) {
                std::shared_ptr<ConnectionImpl> c;
                {
                    std::lock_guard lock(self->mu_);
                    if (self->stopping_) return;
                    self->stats_.accepted++;
                    if (self->live_.size() < self->settings_.max_connections) {
                        c = std::make_shared<ConnectionImpl>(self, *strand, std::move(socket), false, 0);
                        self->live_.emplace(c->id(), c);
                    } else {
                        self->stats_.refused_connections++;  // the socket closes as it goes out of scope
                    }
                }
                if (c) c->start_inbound();
            }
            self->accept_next();
        });
}

void Transport::Impl::finalized(uint64_t id) {
    std::lock_guard lock(mu_);
    live_.erase(id);
    if (live_.empty()) cv_.notify_all();
}

Transport::Transport(asio::io_context& io, TransportSettings settings, TransportListener& listener)
    : impl_(std::make_shared<Impl>(io, std::move(settings), listener)) {}

Transport::~Transport() {
    stop();
}

const NodeId& Transport::node_id() const noexcept {
    return impl_->self_id_;
}
const TransportSettings& Transport::settings() const noexcept {
    return impl_->settings_;
}
const TransportStats& Transport::stats() const noexcept {
    return impl_->stats_;
}
uint16_t Transport::port() const noexcept {
    return impl_->port_;
}

Result<void, TransportError> Transport::start() {
    Impl& t = *impl_;
    {
        std::lock_guard lock(t.mu_);
        if (t.started_) return Unexpected{TransportError::kAlreadyStarted};
    }
    auto id = node_id_of_certificate_file(t.settings_.cert_file);
    if (!id) return Unexpected{id.error()};
    boost::system::error_code ec;
    SSL_CTX* ctx = t.tls_.native_handle();
    // TLS 1.3 only (DESIGN.md §4): no downgrade, no renegotiation, no legacy ciphers.
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
        return Unexpected{TransportError::kTlsSetup};
    t.tls_.use_certificate_chain_file(t.settings_.cert_file.string(), ec);
    if (!ec) t.tls_.use_private_key_file(t.settings_.key_file.string(), ssl::context::pem, ec);
    if (!ec) t.tls_.load_verify_file(t.settings_.ca_file.string(), ec);
    if (ec || SSL_CTX_check_private_key(ctx) != 1) return Unexpected{TransportError::kTlsSetup};
    // Mutual authentication: both ends must present a certificate that chains
    // to the consortium CA (the only trust anchor loaded). OpenSSL checks the
    // EKU for the role (clientAuth inbound, serverAuth outbound). Host names
    // are not checked: identity is the key (node id + admission list).
    t.tls_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    t.tls_.set_verify_depth(2);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    t.self_id_ = *id;

    if (t.settings_.listen) {
        const auto addr = asio::ip::make_address(t.settings_.listen_address, ec);
        if (ec) return Unexpected{TransportError::kBadAddress};
        const tcp::endpoint ep(addr, t.settings_.listen_port);
        t.acceptor_.open(ep.protocol(), ec);
        if (!ec) t.acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) t.acceptor_.bind(ep, ec);
        if (!ec) t.acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            t.acceptor_.close(ec);
            return Unexpected{TransportError::kBindFailed};
        }
        t.port_ = t.acceptor_.local_endpoint().port();
    }
    {
        std::lock_guard lock(t.mu_);
        t.started_ = true;
    }
    if (t.settings_.listen) asio::post(t.acceptor_strand_, [impl = impl_] { impl->accept_next(); });
    return {};
}

void Transport::stop() {
    Impl& t = *impl_;
    std::vector<std::shared_ptr<ConnectionImpl>> conns;
    {
        std::lock_guard lock(t.mu_);
        if (!t.started_ || t.stopping_) {
            t.stopping_ = true;
            return;
        }
        t.stopping_ = true;
        for (auto& [id, c] : t.live_) conns.push_back(c);
    }
    asio::post(t.acceptor_strand_, [impl = impl_] {
        boost::system::error_code ignored;
        impl->acceptor_.close(ignored);
    });
    for (auto& c : conns) c->close(DisconnectReason::kRequested);
    conns.clear();
    std::unique_lock lock(t.mu_);
    // Bounded: every close finalizes within the linger time.
    const bool done = t.cv_.wait_for(lock, std::chrono::seconds(10), [&] { return t.live_.empty(); });
    TRELLIS_ASSERT(done);
}

void Transport::dial(const std::string& host, uint16_t port, uint64_t tag) {
    Impl& t = *impl_;
    std::shared_ptr<ConnectionImpl> c;
    {
        std::lock_guard lock(t.mu_);
        if (!t.started_ || t.stopping_) return;
        auto strand = asio::make_strand(t.io_);
        tcp::socket socket(strand);
        c = std::make_shared<ConnectionImpl>(impl_, strand, std::move(socket), true, tag);
        t.live_.emplace(c->id(), c);
        t.stats_.dials++;
    }
    c->start_outbound(host, port);
}

void Transport::set_head(uint64_t head_num, const Hash32& head_hash) {
    std::lock_guard lock(impl_->mu_);
    impl_->head_num_ = head_num;
    impl_->head_hash_ = head_hash;
}

void Transport::set_fault_filter(FaultFilter filter) {
    TRELLIS_ASSERT(impl_->settings_.enable_test_faults);
    std::lock_guard lock(impl_->mu_);
    impl_->filter_ = std::move(filter);
}

}  // namespace trellis::p2p
