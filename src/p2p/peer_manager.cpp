#include "p2p/peer_manager.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <charconv>

namespace trellis::p2p {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::optional<PeerAddress> parse_peer_address(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
    std::string host = s.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return std::nullopt;  // IPv6 must be bracketed
    }
    unsigned port = 0;
    const char* first = s.data() + colon + 1;
    const char* last = s.data() + s.size();
    const auto r = std::from_chars(first, last, port);
    if (r.ec != std::errc() || r.ptr != last || port == 0 || port > 65535) return std::nullopt;
    return PeerAddress{host, static_cast<uint16_t>(port)};
}

PeerManager::PeerManager(boost::asio::io_context& io, Settings settings)
    : io_(io), settings_(std::move(settings)), transport_(io_, settings_.transport, *this) {
    rng_.seed(settings_.seed != 0 ? settings_.seed
                                  : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}());
    for (const auto& a : settings_.static_peers) add_peer(a, true);
    for (const auto& a : settings_.bootnodes) add_peer(a, false);
}

void PeerManager::add_peer(const PeerAddress& address, bool is_static) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    DialSlot slot;
    slot.address = address;
    slot.is_static = is_static;
    slot.timer = std::make_unique<boost::asio::steady_timer>(io_);
    slots_.push_back(std::move(slot));
    if (started_) schedule_dial_locked(slots_.size() - 1, milliseconds(0));
}

PeerManager::~PeerManager() {
    stop();
}

void PeerManager::on_message(MessageType type, MessageHandler handler) {
    handlers_[static_cast<uint8_t>(type)] = std::move(handler);
}
void PeerManager::on_peer_up(PeerUpHandler handler) {
    peer_up_ = std::move(handler);
}
void PeerManager::on_peer_down(PeerDownHandler handler) {
    peer_down_ = std::move(handler);
}

Result<void, TransportError> PeerManager::start() {
    if (auto r = transport_.start(); !r) return r;
    std::lock_guard lock(mu_);
    started_ = true;
    for (size_t i = 0; i < slots_.size(); ++i) schedule_dial_locked(i, milliseconds(0));
    return {};
}

void PeerManager::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        stopping_ = true;
        for (auto& slot : slots_) slot.timer->cancel();
    }
    {
        // A timer handler may already be queued (expired before the cancel):
        // wait for every one to run so none outlives the manager.
        std::unique_lock lock(mu_);
        const bool done =
            timers_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return pending_timers_ == 0; });
        TRELLIS_ASSERT(done);
    }
    transport_.stop();
}

milliseconds PeerManager::backoff_locked(unsigned failures) {
    const auto cap = settings_.backoff_max.count();
    int64_t d = settings_.backoff_initial.count();
    for (unsigned i = 0; i < failures && d < cap; ++i) d *= 2;
    d = std::min<int64_t>(d, cap);
    // Equal jitter: [d/2, d].
    const int64_t half = d / 2;
    const int64_t extra = half > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(half + 1)) : 0;
    return milliseconds(half + extra);
}

void PeerManager::schedule_dial_locked(size_t i, milliseconds delay) {
    if (stopping_) return;
    DialSlot& slot = slots_[i];
    slot.timer->expires_after(delay);  // a pending wait completes as aborted (and is counted down)
    ++pending_timers_;
    slot.timer->async_wait([this, i](boost::system::error_code ec) {
        if (!ec) dial_now(i);
        std::lock_guard lock(mu_);
        if (--pending_timers_ == 0) timers_cv_.notify_all();
    });
}

void PeerManager::dial_now(size_t i) {
    PeerAddress address;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        DialSlot& slot = slots_[i];
        if (slot.dialing || slot.connected) return;
        if (!slot.is_static && peers_.size() >= settings_.max_peers) {
            // Full: look again later rather than dial and be refused by ourselves.
            return schedule_dial_locked(i, settings_.backoff_max);
        }
        slot.dialing = true;
        address = slot.address;
    }
    transport_.dial(address.host, address.port, i + 1);
}

bool PeerManager::banned_locked(const NodeId& peer) {
    const auto it = bans_.find(peer);
    if (it == bans_.end()) return false;
    if (Clock::now() < it->second) return true;
    // The ban served, the node starts over.
    bans_.erase(it);
    scores_.erase(peer);
    return false;
}

std::vector<NodeId> PeerManager::banned() const {
    std::lock_guard lock(mu_);
    std::vector<NodeId> out;
    const auto now = Clock::now();
    for (const auto& [id, until] : bans_)
        if (now < until) out.push_back(id);
    return out;
}

bool PeerManager::is_banned(const NodeId& peer) {
    std::lock_guard lock(mu_);
    return banned_locked(peer);
}

std::optional<DisconnectReason> PeerManager::on_established(const ConnectionPtr& c) {
    const NodeId id = c->node_id();
    ConnectionPtr replaced;
    bool fresh = false;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return DisconnectReason::kRequested;
        if (banned_locked(id)) return DisconnectReason::kBanned;
        DialSlot* slot = c->outbound() && c->dial_tag() > 0 ? &slots_[c->dial_tag() - 1] : nullptr;
        const bool is_static =
            (slot && slot->is_static) || std::any_of(slots_.begin(), slots_.end(), [&](const DialSlot& s) {
                return s.is_static && s.connected == id;
            });
        auto it = peers_.find(id);
        if (it != peers_.end()) {
            // Two connections to one node (both dialed at once, or a redial
            // racing a stale one). Both ends must keep the same one: the
            // connection dialed by the lower node id wins; if one node dialed
            // both, the newer wins (the older is likely stale).
            const ConnectionPtr& old = it->second.conn;
            const NodeId& self = transport_.node_id();
            const NodeId& new_dialer = c->outbound() ? self : id;
            const NodeId& old_dialer = old->outbound() ? self : id;
            stats_.duplicates++;
            if (new_dialer != old_dialer && old_dialer < new_dialer) {
                if (slot) slot->connected = id;  // reached through the kept connection
                return DisconnectReason::kDuplicate;
            }
            replaced = old;
            it->second.conn = c;
        } else {
            if (!is_static && peers_.size() >= settings_.max_peers) return DisconnectReason::kTooManyPeers;
            peers_.emplace(id, Peer{c});
            fresh = true;
        }
        if (slot) {
            slot->connected = id;
            slot->failures = 0;
        }
    }
    if (replaced) replaced->close(DisconnectReason::kDuplicate);
    if (fresh) {
        stats_.peers_up++;
        if (peer_up_) peer_up_(id);
    }
    return std::nullopt;
}

void PeerManager::on_frame(const ConnectionPtr& c, MessageType type, ByteView payload) {
    {
        std::lock_guard lock(mu_);
        auto it = peers_.find(c->node_id());
        if (it == peers_.end() || it->second.conn != c) return;  // being replaced or closed
    }
    auto m = decode_message(type, payload);
    if (!m) {
        stats_.malformed_messages++;
        return penalise_conn(c->node_id(), Misbehaviour::kMalformedMessage, c);
    }
    if (const auto& h = handlers_[static_cast<uint8_t>(type)]) h(c->node_id(), *m);
}

void PeerManager::on_misbehaviour(const ConnectionPtr& c, Misbehaviour m) {
    penalise_conn(c->node_id(), m, c);
}

void PeerManager::penalise(const NodeId& peer, Misbehaviour m) {
    penalise_conn(peer, m, nullptr);
}

void PeerManager::penalise_conn(const NodeId& peer, Misbehaviour m, const ConnectionPtr& offender) {
    const Penalty p = penalty_of(m);
    ConnectionPtr to_close;
    DisconnectReason reason = DisconnectReason::kProtocolError;
    {
        std::lock_guard lock(mu_);
        stats_.penalties++;
        if (banned_locked(peer)) return;
        auto [it, inserted] = scores_.try_emplace(peer, kInitialScore);
        it->second -= p.points;
        auto pit = peers_.find(peer);
        if (it->second <= settings_.ban_threshold) {
            bans_[peer] = Clock::now() + settings_.ban_duration;
            stats_.bans++;
            reason = DisconnectReason::kBanned;
            to_close = pit != peers_.end() ? pit->second.conn : offender;
        } else if (p.disconnect) {
            to_close = offender ? offender : (pit != peers_.end() ? pit->second.conn : nullptr);
        }
    }
    if (to_close) to_close->close(reason);
    if (offender && to_close != offender && reason == DisconnectReason::kBanned) offender->close(reason);
}

void PeerManager::on_closed(const ConnectionPtr& c, DisconnectReason reason, bool was_established) {
    const NodeId id = c->node_id();
    bool down = false;
    {
        std::lock_guard lock(mu_);
        if (was_established) {
            auto it = peers_.find(id);
            if (it != peers_.end() && it->second.conn == c) {
                peers_.erase(it);
                down = true;
            }
        }
        if (c->outbound() && c->dial_tag() > 0) {
            const size_t i = c->dial_tag() - 1;
            DialSlot& slot = slots_[i];
            slot.dialing = false;
            const bool covered = reason == DisconnectReason::kDuplicate && peers_.contains(id);
            if (covered) {
                slot.connected = id;  // redialled when that connection goes down
            } else {
                slot.connected.reset();
                if (!was_established) slot.failures++;
                schedule_dial_locked(i, backoff_locked(was_established ? 0 : slot.failures));
            }
        }
        if (down) {
            // Slots that reached this node through another connection dial again.
            for (size_t i = 0; i < slots_.size(); ++i) {
                if (slots_[i].connected == id && !slots_[i].dialing) {
                    slots_[i].connected.reset();
                    schedule_dial_locked(i, backoff_locked(0));
                }
            }
        }
    }
    if (down) {
        stats_.peers_down++;
        if (peer_down_) peer_down_(id, reason);
    }
}

bool PeerManager::send(const NodeId& peer, const Message& message) {
    auto frame = encode_message(message);
    if (!frame) return false;
    ConnectionPtr c;
    {
        std::lock_guard lock(mu_);
        auto it = peers_.find(peer);
        if (it == peers_.end()) return false;
        c = it->second.conn;
    }
    return c->send_frame(std::make_shared<const Bytes>(std::move(frame).value()));
}

size_t PeerManager::broadcast(const Message& message, const std::optional<NodeId>& except) {
    auto encoded = encode_message(message);
    if (!encoded) return 0;
    const auto frame = std::make_shared<const Bytes>(std::move(encoded).value());
    std::vector<ConnectionPtr> targets;
    {
        std::lock_guard lock(mu_);
        targets.reserve(peers_.size());
        for (const auto& [id, p] : peers_)
            if (!except || id != *except) targets.push_back(p.conn);
    }
    size_t n = 0;
    for (const auto& c : targets) n += c->send_frame(frame) ? 1 : 0;
    return n;
}

bool PeerManager::inject_raw(const NodeId& peer, Bytes bytes) {
    TRELLIS_ASSERT(settings_.transport.enable_test_faults);
    ConnectionPtr c;
    {
        std::lock_guard lock(mu_);
        auto it = peers_.find(peer);
        if (it == peers_.end()) return false;
        c = it->second.conn;
    }
    c->send_raw_for_test(std::move(bytes));
    return true;
}

int PeerManager::score(const NodeId& peer) const {
    std::lock_guard lock(mu_);
    auto it = scores_.find(peer);
    return it == scores_.end() ? kInitialScore : it->second;
}

bool PeerManager::connected(const NodeId& peer) const {
    std::lock_guard lock(mu_);
    return peers_.contains(peer);
}

size_t PeerManager::peer_count() const {
    std::lock_guard lock(mu_);
    return peers_.size();
}

std::vector<PeerInfo> PeerManager::peers() const {
    std::vector<PeerInfo> out;
    std::lock_guard lock(mu_);
    for (const auto& [id, p] : peers_) {
        PeerInfo info;
        info.node_id = id;
        info.outbound = p.conn->outbound();
        info.remote = p.conn->remote();
        auto s = scores_.find(id);
        info.score = s == scores_.end() ? kInitialScore : s->second;
        info.hello = p.conn->hello();
        out.push_back(std::move(info));
    }
    return out;
}

void PeerManager::set_head(uint64_t head_num, const Hash32& head_hash) {
    transport_.set_head(head_num, head_hash);
}

}  // namespace trellis::p2p
