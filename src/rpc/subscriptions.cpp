#include "rpc/subscriptions.hpp"

#include <cstring>
#include <vector>

#include "base/hex.hpp"
#include "rpc/eth_json.hpp"

namespace trellis::rpc {

std::string notification(const std::string& sub_id, const json& result) {
    const json n = {{"jsonrpc", "2.0"},
                    {"method", "eth_subscription"},
                    {"params", {{"subscription", sub_id}, {"result", result}}}};
    return n.dump();
}

uint64_t SubscriptionHub::connect(Push push) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_conn_++;
    connections_[id] = std::move(push);
    return id;
}

void SubscriptionHub::disconnect(uint64_t conn) {
    std::lock_guard lock(mutex_);
    connections_.erase(conn);
    per_connection_.erase(conn);
    std::erase_if(subs_, [&](const auto& kv) { return kv.second.conn == conn; });
}

std::string SubscriptionHub::subscribe(uint64_t conn, SubscriptionKind kind, LogFilter filter) {
    std::lock_guard lock(mutex_);
    if (!connections_.count(conn)) throw RpcError(code::kServerError, "connection closed");
    auto& n = per_connection_[conn];
    if (n >= max_per_connection_)
        throw RpcError(code::kLimitExceeded,
                       "too many subscriptions on this connection (limit " + std::to_string(max_per_connection_) + ")");
    FixedBytes<16> raw;
    const uint64_t a = rng_(), b = rng_();
    std::memcpy(raw.data(), &a, 8);
    std::memcpy(raw.data() + 8, &b, 8);
    std::string id = to_0x_hex(raw);
    subs_[id] = Sub{conn, kind, std::move(filter)};
    ++n;
    return id;
}

bool SubscriptionHub::unsubscribe(uint64_t conn, const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = subs_.find(id);
    if (it == subs_.end() || it->second.conn != conn) return false;
    subs_.erase(it);
    --per_connection_[conn];
    return true;
}

void SubscriptionHub::publish(const ChainEvent& ev) {
    // Format outside the lock where it does not depend on the subscription.
    std::shared_ptr<const std::string> none;
    json head;
    if (ev.block) head = header_json(ev.block->header, ev.block->hash);
    std::vector<LogEntry> logs;
    if (ev.block) {
        uint64_t log_index = 0;
        for (size_t i = 0; i < ev.block->receipts.size(); ++i) {
            const Hash32 tx_hash = i < ev.block->tx_hashes.size() ? ev.block->tx_hashes[i] : Hash32{};
            for (const auto& l : ev.block->receipts[i].logs)
                logs.push_back(LogEntry{l, ev.block->header.number, ev.block->hash, tx_hash, i, log_index++, false});
        }
    }
    std::vector<uint64_t> overflowed;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, sub] : subs_) {
            auto conn = connections_.find(sub.conn);
            if (conn == connections_.end()) continue;
            bool ok = true;
            if (sub.kind == SubscriptionKind::kNewHeads && ev.block) {
                ok = conn->second(std::make_shared<const std::string>(notification(id, head)));
            } else if (sub.kind == SubscriptionKind::kPendingTransactions && ev.pending_tx) {
                ok = conn->second(std::make_shared<const std::string>(notification(id, hex_data(*ev.pending_tx))));
            } else if (sub.kind == SubscriptionKind::kLogs) {
                // geth sends one notification per matching log.
                for (const auto& e : logs) {
                    if (!log_matches(e.log, sub.filter)) continue;
                    ok = conn->second(std::make_shared<const std::string>(notification(id, log_json(e))));
                    if (!ok) break;
                }
            }
            if (!ok) overflowed.push_back(sub.conn);
        }
    }
    for (uint64_t c : overflowed) disconnect(c);
}

size_t SubscriptionHub::subscription_count() const {
    std::lock_guard lock(mutex_);
    return subs_.size();
}

size_t SubscriptionHub::connection_count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

}  // namespace trellis::rpc
