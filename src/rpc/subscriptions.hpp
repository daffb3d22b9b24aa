#pragma once

// eth_subscribe over WebSocket (geth's pub/sub): newHeads, logs and
// newPendingTransactions. The hub formats each event once per subscription
// kind and hands the text to each subscribed connection's push function,
// which only queues (bounded). A connection whose queue is full is dropped
// with all its subscriptions: one slow client never holds up the others or
// the node's commit path.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "rpc/backend.hpp"
#include "rpc/json_rpc.hpp"

namespace trellis::rpc {

enum class SubscriptionKind { kNewHeads, kLogs, kPendingTransactions };

/// What handlers see of a connection's subscriptions (CallContext::subscriptions).
class SubscriptionSink {
public:
    virtual ~SubscriptionSink() = default;
    /// The new subscription's id ("0x" + 32 hex digits); throws RpcError
    /// -32005 when the connection has too many.
    virtual std::string subscribe(SubscriptionKind kind, LogFilter filter) = 0;
    virtual bool unsubscribe(const std::string& id) = 0;
};

class SubscriptionHub {
public:
    /// Queues one notification for a connection; false when its queue is
    /// full (the hub then disconnects it). Called under the hub's mutex:
    /// must not call back into the hub.
    using Push = std::function<bool(std::shared_ptr<const std::string>)>;

    explicit SubscriptionHub(size_t max_per_connection) : max_per_connection_(max_per_connection) {}

    uint64_t connect(Push push);
    /// Removes the connection and its subscriptions (idempotent).
    void disconnect(uint64_t conn);
    std::string subscribe(uint64_t conn, SubscriptionKind kind, LogFilter filter);
    bool unsubscribe(uint64_t conn, const std::string& id);
    /// Fans ev out to the matching subscriptions. Thread-safe.
    void publish(const ChainEvent& ev);
    size_t subscription_count() const;
    size_t connection_count() const;

private:
    struct Sub {
        uint64_t conn;
        SubscriptionKind kind;
        LogFilter filter;
    };
    mutable std::mutex mutex_;  // guards everything below
    size_t max_per_connection_;
    uint64_t next_conn_ = 1;
    std::unordered_map<uint64_t, Push> connections_;
    std::unordered_map<uint64_t, size_t> per_connection_;
    std::unordered_map<std::string, Sub> subs_;
    std::mt19937_64 rng_{std::random_device{}()};
};

/// One connection's view of the hub.
class ConnectionSubscriptions : public SubscriptionSink {
public:
    ConnectionSubscriptions(SubscriptionHub& hub, uint64_t conn) : hub_(hub), conn_(conn) {}
    std::string subscribe(SubscriptionKind kind, LogFilter filter) override {
        return hub_.subscribe(conn_, kind, std::move(filter));
    }
    bool unsubscribe(const std::string& id) override { return hub_.unsubscribe(conn_, id); }

private:
    SubscriptionHub& hub_;
    uint64_t conn_;
};

/// The eth_subscription notification text for one subscription.
std::string notification(const std::string& sub_id, const json& result);

}  // namespace trellis::rpc
