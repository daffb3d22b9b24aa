#include "rpc/eth_api.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <random>
#include <unordered_map>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "rpc/eth_json.hpp"
#include "rpc/subscriptions.hpp"

namespace trellis::rpc {

std::string revert_message(ByteView d) {
    // Error(string): selector 0x08c379a0, then ABI (offset, length, bytes).
    static constexpr uint8_t kSelector[4] = {0x08, 0xc3, 0x79, 0xa0};
    std::string msg = "execution reverted";
    if (d.size() < 4 + 64 || !std::equal(kSelector, kSelector + 4, d.begin())) return msg;
    const ByteView body = d.subspan(4);
    const uint256 off = uint256::from_be(body.subspan(0, 32));
    if (!off.fits_u64() || uint64_t(off) > body.size() - 32) return msg;
    const uint256 len = uint256::from_be(body.subspan(size_t(uint64_t(off)), 32));
    const size_t start = size_t(uint64_t(off)) + 32;
    if (!len.fits_u64() || uint64_t(len) > body.size() - start) return msg;
    return msg + ": " + std::string(reinterpret_cast<const char*>(body.data() + start), size_t(uint64_t(len)));
}

std::string checksum_address(const Address& a) {
    const std::string hex = to_hex(a);  // lower case
    const Hash32 h = crypto::keccak256(as_view(hex));
    std::string out = "0x";
    for (size_t i = 0; i < hex.size(); ++i) {
        const uint8_t nibble = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
        char c = hex[i];
        if (c >= 'a' && c <= 'f' && nibble >= 8) c = char(c - 'a' + 'A');
        out += c;
    }
    return out;
}

namespace {

using Clock = std::chrono::steady_clock;

enum class FilterKind { kLogs, kBlocks, kPending };

struct Filter {
    FilterKind kind;
    Clock::time_point last_poll;
    FilterQuery query;           // kLogs
    BlockNum next_block = 0;     // kLogs: first block not yet reported
    std::deque<Hash32> backlog;  // kBlocks / kPending
};

[[noreturn]] void server_error(std::string msg) { throw RpcError(code::kServerError, std::move(msg)); }

/// A storage slot or key as geth's decodeHash takes it: 0x-prefixed, at most
/// 64 hex digits (odd counts allowed), left-padded to 32 bytes.
Result<Bytes32, ValueError> parse_slot(const json& j) {
    if (!j.is_string()) return Unexpected{ValueError::kNotString};
    std::string s = j.get<std::string>();
    if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return Unexpected{ValueError::kMissingPrefix};
    s.erase(0, 2);
    if (s.size() > 64) return Unexpected{ValueError::kTooLarge};
    if (s.size() % 2) s.insert(s.begin(), '0');
    auto b = from_hex(s);
    if (!b) return Unexpected{ValueError::kInvalidHex};
    return Bytes32::right_aligned(*b);
}

/// A count that clients send either as a JSON number or a hex quantity
/// (geth's math.HexOrDecimal64).
Result<uint64_t, ValueError> parse_count(const json& j) {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number()) return Unexpected{ValueError::kInvalidObject};
    return parse_quantity_u64(j);
}

template <class T>
Result<T, ValueError> ok(T v) {
    return v;
}

// --- helpers of the method registration --------------------------------------

/// Registers handlers that read only their params (not the call context):
/// reg(name, json(const json& params)).
auto plain_registrar(Dispatcher& d) {
    return [&d](const char* name, std::function<json(const json&)> f) {
        d.register_method(name, [f = std::move(f)](const json& p, CallContext&) { return f(p); });
    };
}

Address addr_param(const json& p, size_t i) {
    return param(p, i, parse_address);
}
Hash32 hash_param(const json& p, size_t i) {
    return param(p, i, parse_hash);
}

bool bool_param(const json& p, size_t i) {
    if (i >= p.size()) throw_invalid_params("missing value for required argument " + std::to_string(i));
    if (!p[i].is_boolean())
        throw_invalid_params("invalid argument " + std::to_string(i) + ": expected a boolean");
    return p[i].get<bool>();
}

std::string filter_id_param(const json& p) {
    if (p.empty() || !p[0].is_string()) throw_invalid_params("invalid argument 0: expected a filter id");
    return p[0].get<std::string>();
}

/// One answer for one send, shared by the single and the batch form of
/// eth_sendRawTransaction so both word results and errors alike.
json send_answer(const Result<Hash32, SendFailure>& r) {
    if (!r) {
        const auto& f = r.error();
        if (f.error == txpool::AddError::kInvalid && f.tx_error)
            server_error(std::string("invalid transaction: ") + chain::to_string(*f.tx_error));
        server_error(txpool::to_string(f.error));
    }
    return json(hex_data(*r));
}

json eth_subscribe(const json& p, CallContext& ctx) {
    if (!ctx.subscriptions) throw RpcError(code::kMethodNotFound, "notifications not supported");
    if (p.empty() || !p[0].is_string())
        throw_invalid_params("invalid argument 0: expected a subscription name");
    const std::string& kind = p[0].get_ref<const std::string&>();
    if (kind == "newHeads") return ctx.subscriptions->subscribe(SubscriptionKind::kNewHeads, {});
    if (kind == "newPendingTransactions")
        return ctx.subscriptions->subscribe(SubscriptionKind::kPendingTransactions, {});
    if (kind == "logs") {
        LogFilter filter;
        if (p.size() > 1 && !p[1].is_null()) {
            auto q = parse_filter(p[1]);
            if (!q) throw_invalid_params(std::string("invalid argument 1: ") + to_string(q.error()));
            if (q->from || q->to || q->block_hash)
                throw_invalid_params("invalid argument 1: a logs subscription takes only address and topics");
            filter = std::move(q->filter);
        }
        return ctx.subscriptions->subscribe(SubscriptionKind::kLogs, std::move(filter));
    }
    throw_invalid_params("unsupported subscription: " + kind);
}

}  // namespace

struct EthApi::Impl {
    Backend& backend;
    ApiSettings settings;
    uint64_t listener_id = 0;

    mutable std::mutex filters_mutex;  // guards filters and rng
    std::unordered_map<std::string, Filter> filters;
    std::mt19937_64 rng{std::random_device{}()};

    Impl(Backend& b, ApiSettings s) : backend(b), settings(std::move(s)) {
        listener_id = backend.add_listener([this](const ChainEvent& ev) { on_event(ev); });
    }
    ~Impl() { backend.remove_listener(listener_id); }

    void on_event(const ChainEvent& ev) {
        // Runs on the node's commit path: only appends hashes under a short lock.
        std::lock_guard lock(filters_mutex);
        for (auto& [_, f] : filters) {
            if ((f.kind == FilterKind::kBlocks && ev.block) || (f.kind == FilterKind::kPending && ev.pending_tx)) {
                f.backlog.push_back(ev.block ? ev.block->hash : *ev.pending_tx);
                if (f.backlog.size() > settings.max_filter_backlog) f.backlog.pop_front();
            }
        }
    }

    // --- block resolution -------------------------------------------------

    BlockNum tag_number(const BlockId& id) {
        switch (id.tag) {
            case BlockId::Tag::kNumber: return id.number;
            case BlockId::Tag::kEarliest: return 0;
            case BlockId::Tag::kSafe:
            case BlockId::Tag::kFinalized: return backend.finalized_number();
            case BlockId::Tag::kLatest:
            case BlockId::Tag::kPending:  // no pending block: blocks are sealed as soon as built
            case BlockId::Tag::kHash: break;
        }
        return backend.head_number();
    }

    struct Found {
        chain::BlockHeader header;
        Hash32 hash;
    };
    /// The block id names, or nullopt. Throws for a non-canonical hash with requireCanonical.
    std::optional<Found> find_block(const BlockId& id) {
        if (id.tag == BlockId::Tag::kHash) {
            auto h = backend.header_by_hash(id.hash);
            if (!h) return std::nullopt;
            if (id.require_canonical && backend.canonical_hash(h->number) != id.hash)
                server_error("hash " + hex_data(id.hash) + " is not currently canonical");
            return Found{std::move(*h), id.hash};
        }
        const BlockNum n = tag_number(id);
        auto hash = backend.canonical_hash(n);
        if (!hash) return std::nullopt;
        auto h = backend.header_by_hash(*hash);
        if (!h) return std::nullopt;
        return Found{std::move(*h), *hash};
    }
    /// For state queries: the block must exist ("header not found" otherwise, as geth).
    Found require_block(const json& params, size_t index) {
        BlockId id;  // latest when absent
        if (index < params.size() && !params[index].is_null()) id = param(params, index, [](const json& j) { return parse_block_id(j); });
        auto f = find_block(id);
        if (!f) server_error("header not found");
        return *f;
    }
    std::unique_ptr<StateView> state(const Found& f) {
        auto s = backend.state_at(f.header.number);
        if (!s) server_error("state not available for block " + std::to_string(f.header.number));
        return s;
    }

    // --- transactions -----------------------------------------------------

    json tx_by_location(const Found& b, uint64_t index) {
        auto body = backend.body(b.hash);
        if (!body || index >= body->transactions.size()) return nullptr;
        const auto senders = backend.senders(b.hash, *body);
        const auto& tx = body->transactions[index];
        return transaction_json(tx, chain::transaction_hash(tx), senders.at(index),
                                TxContext{b.hash, b.header.number, index, b.header.base_fee});
    }

    // --- calls ------------------------------------------------------------

    CallMsg to_msg(const CallArgs& a, Gas default_gas) {
        CallMsg m;
        m.from = a.from.value_or(Address{});
        m.to = a.to;
        m.gas = std::min<Gas>(a.gas.value_or(default_gas), settings.gas_cap);
        m.gas_price = a.gas_price;
        m.max_fee_per_gas = a.max_fee_per_gas;
        m.max_priority_fee_per_gas = a.max_priority_fee_per_gas;
        m.value = a.value.value_or(uint256{});
        m.data = a.input.value_or(Bytes{});
        m.access_list = a.access_list.value_or(chain::AccessList{});
        m.nonce = a.nonce;
        return m;
    }

    [[noreturn]] void throw_call_failure(const CallFailure& f) {
        switch (f.error) {
            case CallError::kRejected:
                server_error(f.rejection ? execution::to_string(*f.rejection) : "transaction rejected");
            case CallError::kStateUnavailable: server_error("state not available");
            case CallError::kTimeout: server_error("execution aborted (timeout)");
        }
        server_error("call failed");
    }
    [[noreturn]] void throw_exec_failure(const CallResult& r) {
        if (r.status == evm::Status::kRevert)
            throw RpcError(code::kExecutionReverted, revert_message(r.output), json(hex_data(r.output)));
        server_error(evm::to_string(r.status));
    }

    CallResult run(const CallMsg& m, BlockNum n, const StateOverrides& ov) {
        auto r = backend.call(m, n, ov);
        if (!r) throw_call_failure(r.error());
        return *r;
    }

    json eth_call(const json& p) {
        const CallArgs args = param(p, 0, parse_call_args);
        const Found b = require_block(p, 1);
        StateOverrides ov;
        if (p.size() > 2) ov = param(p, 2, parse_state_overrides);
        const CallResult r = run(to_msg(args, settings.gas_cap), b.header.number, ov);
        if (!r.success()) throw_exec_failure(r);
        return hex_data(r.output);
    }

    json eth_estimate_gas(const json& p, CallContext& ctx) {
        const CallArgs args = param(p, 0, parse_call_args);
        const Found b = require_block(p, 1);
        StateOverrides ov;
        if (p.size() > 2) ov = param(p, 2, parse_state_overrides);

        // Bounds: the given gas or the block's limit (both capped), and what
        // the sender can pay for at the given price (geth does the same).
        Gas hi = std::min<Gas>(args.gas && *args.gas >= 21000 ? *args.gas : b.header.gas_limit, settings.gas_cap);
        const uint256 price = args.gas_price ? *args.gas_price : args.max_fee_per_gas.value_or(uint256{});
        if (price) {
            auto st = state(b);
            uint256 balance = st->balance(args.from.value_or(Address{}));
            if (auto it = ov.find(args.from.value_or(Address{})); it != ov.end() && it->second.balance)
                balance = *it->second.balance;
            const uint256 value = args.value.value_or(uint256{});
            if (value > balance) server_error("insufficient funds for transfer");
            const uint256 allowance = (balance - value) / price;
            if (allowance.fits_u64() && uint64_t(allowance) < hi) hi = Gas(uint64_t(allowance));
        }
        CallMsg m = to_msg(args, hi);
        chain::Transaction probe;
        probe.to = m.to;
        probe.data = m.data;
        probe.access_list = m.access_list;
        probe.type = m.access_list.empty() ? chain::TxType::kLegacy : chain::TxType::kAccessList;
        Gas lo = chain::intrinsic_gas(probe);
        if (lo > 0) --lo;  // lo always fails, hi always succeeds

        m.gas = hi;
        auto first = backend.call(m, b.header.number, ov);
        if (!first) {
            if (first.error().error == CallError::kRejected && first.error().rejection &&
                *first.error().rejection == execution::TxRejection::kIntrinsicGasTooLow)
                server_error("gas required exceeds allowance (" + std::to_string(hi) + ")");
            throw_call_failure(first.error());
        }
        if (!first->success()) {
            if (first->status == evm::Status::kRevert) throw_exec_failure(*first);
            server_error("gas required exceeds allowance (" + std::to_string(hi) + ")");
        }
        // A call never succeeds with less than it used after refunds.
        if (first->gas_used > 0) lo = std::max(lo, first->gas_used - 1);
        // Exact minimum by bisection: the answer is the least gas limit at
        // which the call succeeds, so contracts that check gasleft() get
        // enough. The first probe is geth's optimistic guess (used * 64/63
        // plus a call stipend), which usually ends the search in a few steps.
        bool optimistic = true;
        while (lo + 1 < hi) {
            if (ctx.expired()) server_error("execution aborted (timeout): eth_estimateGas did not converge");
            Gas mid = lo + (hi - lo) / 2;
            if (optimistic) {
                optimistic = false;
                const Gas guess = (first->gas_used + 2300) * 64 / 63;
                if (guess > lo && guess < mid) mid = guess;
            }
            m.gas = mid;
            auto r = backend.call(m, b.header.number, ov);
            if (r && r->success()) hi = mid;
            else if (!r && r.error().error != CallError::kRejected) throw_call_failure(r.error());
            else lo = mid;
        }
        return quantity(hi);
    }

    json eth_create_access_list(const json& p) {
        const CallArgs args = param(p, 0, parse_call_args);
        const Found b = require_block(p, 1);
        auto r = backend.create_access_list(to_msg(args, settings.gas_cap), b.header.number);
        if (!r) throw_call_failure(r.error());
        json out = {{"accessList", access_list_json(r->access_list)}, {"gasUsed", quantity(r->gas_used)}};
        if (r->failure) {
            out["error"] = r->failure->status == evm::Status::kRevert ? revert_message(r->failure->output)
                                                                       : std::string(evm::to_string(r->failure->status));
        }
        return out;
    }

    // --- logs -------------------------------------------------------------

    std::vector<LogEntry> logs_of_block(const Found& b, const LogFilter& filter) {
        auto body = backend.body(b.hash);
        auto receipts = backend.receipts(b.hash);
        if (!body || !receipts) server_error("block receipts not available");
        std::vector<LogEntry> out;
        uint64_t log_index = 0;
        for (size_t i = 0; i < receipts->size(); ++i) {
            const Hash32 th = i < body->transactions.size() ? chain::transaction_hash(body->transactions[i]) : Hash32{};
            for (const auto& l : (*receipts)[i].logs) {
                if (log_matches(l, filter)) {
                    if (out.size() >= settings.max_log_results) too_many_results();
                    out.push_back(LogEntry{l, b.header.number, b.hash, th, i, log_index, false});
                }
                ++log_index;
            }
        }
        return out;
    }
    [[noreturn]] void too_many_results() {
        throw RpcError(code::kLimitExceeded,
                       "query returned more than " + std::to_string(settings.max_log_results) + " results");
    }
    std::vector<LogEntry> range_logs(BlockNum from, BlockNum to, const LogFilter& filter) {
        if (from > to) server_error("invalid block range params");
        if (to - from + 1 > settings.max_log_range)
            throw RpcError(code::kLimitExceeded, "block range too large: " + std::to_string(to - from + 1) +
                                                     " blocks, limit " + std::to_string(settings.max_log_range));
        auto r = backend.logs(from, to, filter, settings.max_log_results);
        if (!r) {
            if (r.error() == LogQueryError::kTooManyResults) too_many_results();
            server_error("logs not available for the range");
        }
        return std::move(*r);
    }
    std::vector<LogEntry> query_logs(const FilterQuery& q) {
        if (q.block_hash) {
            auto h = backend.header_by_hash(*q.block_hash);
            if (!h) server_error("unknown block");
            return logs_of_block(Found{*h, *q.block_hash}, q.filter);
        }
        const BlockNum head = backend.head_number();
        const BlockNum from = q.from ? tag_number(*q.from) : head;
        const BlockNum to = q.to ? tag_number(*q.to) : head;
        if (from > head) return {};
        return range_logs(from, std::min(to, head), q.filter);
    }
    static json logs_json(const std::vector<LogEntry>& v) {
        json out = json::array();
        for (const auto& e : v) out.push_back(log_json(e));
        return out;
    }

    // --- filters ----------------------------------------------------------

    std::string new_filter_id() {
        FixedBytes<16> raw;
        for (size_t i = 0; i < 16; i += 8) {
            const uint64_t v = rng();
            std::memcpy(raw.data() + i, &v, 8);
        }
        return to_0x_hex(raw);
    }
    void expire_filters_locked() {
        const auto now = Clock::now();
        std::erase_if(filters, [&](const auto& kv) { return now - kv.second.last_poll > settings.filter_timeout; });
    }
    std::string install(Filter f) {
        std::lock_guard lock(filters_mutex);
        expire_filters_locked();
        if (filters.size() >= settings.max_filters)
            throw RpcError(code::kLimitExceeded, "too many filters (limit " + std::to_string(settings.max_filters) + ")");
        f.last_poll = Clock::now();
        std::string id = new_filter_id();
        filters.emplace(id, std::move(f));
        return id;
    }
    json filter_changes(const std::string& id) {
        Filter snapshot;
        {
            std::lock_guard lock(filters_mutex);
            expire_filters_locked();
            auto it = filters.find(id);
            if (it == filters.end()) server_error("filter not found");
            it->second.last_poll = Clock::now();
            if (it->second.kind != FilterKind::kLogs) {
                json out = json::array();
                for (const auto& h : it->second.backlog) out.push_back(hex_data(h));
                it->second.backlog.clear();
                return out;
            }
            snapshot = it->second;
        }
        // Log filter: report blocks [next_block, min(to, head)] and advance.
        const BlockNum head = backend.head_number();
        BlockNum to = snapshot.query.to ? tag_number(*snapshot.query.to) : head;
        to = std::min(to, head);
        if (snapshot.next_block > to) return json::array();
        // Do not ask for more than the range limit at once; the rest comes next poll.
        BlockNum from = snapshot.next_block;
        if (to - from + 1 > settings.max_log_range) to = from + settings.max_log_range - 1;
        auto logs = range_logs(from, to, snapshot.query.filter);
        {
            std::lock_guard lock(filters_mutex);
            if (auto it = filters.find(id); it != filters.end()) it->second.next_block = to + 1;
        }
        return logs_json(logs);
    }

    // --- fee history --------------------------------------------------------

    json fee_history(const json& p) {
        uint64_t count = param(p, 0, parse_count);
        const BlockId newest_id = param(p, 1, [](const json& j) { return parse_block_id(j, false); });
        std::vector<double> percentiles;
        if (p.size() > 2 && !p[2].is_null()) {
            if (!p[2].is_array()) throw_invalid_params("invalid argument 2: expected an array of percentiles");
            if (p[2].size() > settings.max_reward_percentiles)
                throw RpcError(code::kLimitExceeded, "too many reward percentiles");
            double prev = 0;
            for (const auto& x : p[2]) {
                if (!x.is_number()) throw_invalid_params("invalid argument 2: percentiles must be numbers");
                const double v = x.get<double>();
                if (!(v >= 0 && v <= 100) || v < prev) throw_invalid_params("invalid reward percentile");
                prev = v;
                percentiles.push_back(v);
            }
        }
        if (count == 0) return {{"oldestBlock", "0x0"}, {"baseFeePerGas", json::array()}, {"gasUsedRatio", json::array()}};
        count = std::min(count, settings.max_fee_history);
        const BlockNum head = backend.head_number();
        BlockNum newest = tag_number(newest_id);
        if (newest > head) server_error("request beyond head block");
        count = std::min<uint64_t>(count, newest + 1);
        const BlockNum oldest = newest + 1 - count;
        json base = json::array(), ratio = json::array(), reward = json::array();
        for (BlockNum n = oldest; n <= newest; ++n) {
            auto f = find_block(BlockId{BlockId::Tag::kNumber, n, {}, false});
            if (!f) server_error("header not found");
            const auto& h = f->header;
            base.push_back(quantity(h.base_fee));
            ratio.push_back(h.gas_limit ? double(h.gas_used) / double(h.gas_limit) : 0.0);
            if (!percentiles.empty()) reward.push_back(block_rewards(*f, percentiles));
        }
        // The base fee after the newest block.
        if (newest == head) {
            base.push_back(quantity(backend.next_base_fee()));
        } else {
            auto f = find_block(BlockId{BlockId::Tag::kNumber, newest + 1, {}, false});
            base.push_back(quantity(f ? f->header.base_fee : uint256{}));
        }
        json out = {{"oldestBlock", quantity(oldest)}, {"baseFeePerGas", std::move(base)}, {"gasUsedRatio", std::move(ratio)}};
        if (!percentiles.empty()) out["reward"] = std::move(reward);
        return out;
    }
    json block_rewards(const Found& f, const std::vector<double>& percentiles) {
        json out = json::array();
        auto body = backend.body(f.hash);
        auto receipts = backend.receipts(f.hash);
        if (!body || !receipts || body->transactions.empty() || receipts->size() != body->transactions.size()) {
            for (size_t i = 0; i < percentiles.size(); ++i) out.push_back("0x0");
            return out;
        }
        // Tips sorted ascending, each weighted by the gas the transaction used (geth's rule).
        std::vector<std::pair<uint256, Gas>> tips;
        Gas prev = 0;
        for (size_t i = 0; i < receipts->size(); ++i) {
            const auto& tx = body->transactions[i];
            const uint256 price = effective_gas_price(tx, f.header.base_fee);
            tips.emplace_back(price > f.header.base_fee ? price - f.header.base_fee : uint256{},
                              (*receipts)[i].cumulative_gas_used - prev);
            prev = (*receipts)[i].cumulative_gas_used;
        }
        std::sort(tips.begin(), tips.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        size_t i = 0;
        Gas sum = tips[0].second;
        for (double pct : percentiles) {
            const double threshold = double(f.header.gas_used) * pct / 100.0;
            while (double(sum) < threshold && i + 1 < tips.size()) sum += tips[++i].second;
            out.push_back(quantity(tips[i].first));
        }
        return out;
    }

    // --- handlers too long to read inline in the registration --------------

    json eth_get_transaction_count(const json& p) {
        const Address a = addr_param(p, 0);
        const bool pending = p.size() > 1 && p[1].is_string() && p[1].get_ref<const std::string&>() == "pending";
        uint64_t nonce = state(require_block(p, 1))->nonce(a);
        if (pending) {
            // geth: the next nonce after the sender's executable pool transactions.
            const auto content = backend.pool_content();
            if (auto it = content.pending.find(a); it != content.pending.end())
                for (const auto& [n, _] : it->second)
                    if (n == nonce) ++nonce;
        }
        return json(quantity(nonce));
    }

    json eth_get_proof(const json& p) {
        const Address a = addr_param(p, 0);
        if (p.size() < 2 || !p[1].is_array()) throw_invalid_params("invalid argument 1: expected an array of storage keys");
        std::vector<Bytes32> keys;
        for (const auto& k : p[1]) {
            auto r = parse_slot(k);
            if (!r) throw_invalid_params(std::string("invalid argument 1: ") + to_string(r.error()));
            keys.push_back(*r);
        }
        const AccountProof pr = state(require_block(p, 2))->proof(a, keys);
        const auto nodes = [](const std::vector<Bytes>& v) {
            json out = json::array();
            for (const auto& n : v) out.push_back(hex_data(n));
            return out;
        };
        json sp = json::array();
        for (size_t i = 0; i < pr.storage_proof.size(); ++i) {
            const auto& s = pr.storage_proof[i];
            // geth echoes the key as the caller wrote it.
            sp.push_back({{"key", i < p[1].size() ? p[1][i] : json(hex_data(s.key))},
                          {"value", quantity(s.value)},
                          {"proof", nodes(s.proof)}});
        }
        return json{{"address", hex_data(a)},
                    {"accountProof", nodes(pr.account_proof)},
                    {"balance", quantity(pr.balance)},
                    {"codeHash", hex_data(pr.code_hash)},
                    {"nonce", quantity(pr.nonce)},
                    {"storageHash", hex_data(pr.storage_hash)},
                    {"storageProof", std::move(sp)}};
    }

    /// The batch form of eth_sendRawTransaction: the sends reach the backend
    /// as one call, so the node recovers their senders in parallel; params
    /// errors stay per element.
    std::vector<BatchAnswer> eth_send_raw_transaction_batch(std::span<const json* const> params) {
        std::vector<BatchAnswer> answers(params.size());
        std::vector<Bytes> raws(params.size());
        std::vector<size_t> sent;
        sent.reserve(params.size());
        for (size_t i = 0; i < params.size(); ++i) {
            try {
                raws[i] = param(*params[i], 0, parse_data);
                sent.push_back(i);
            } catch (...) {
                answers[i].error = std::current_exception();
            }
        }
        std::vector<ByteView> views;
        views.reserve(sent.size());
        for (const size_t i : sent) views.push_back(raws[i]);
        auto results = backend.send_raw_transactions(views);
        for (size_t k = 0; k < sent.size(); ++k) {
            try {
                answers[sent[k]].result = send_answer(results[k]);
            } catch (...) {
                answers[sent[k]].error = std::current_exception();
            }
        }
        return answers;
    }

    /// eth_getBlockByHash (by_hash) and eth_getBlockByNumber.
    json block_by(const json& p, bool by_hash) {
        BlockId id;
        if (by_hash) {
            id.tag = BlockId::Tag::kHash;
            id.hash = param(p, 0, parse_hash);
        } else {
            id = param(p, 0, [](const json& j) { return parse_block_id(j, false); });
        }
        const bool full = bool_param(p, 1);
        auto f = find_block(id);
        if (!f) return nullptr;
        auto body = backend.body(f->hash);
        std::vector<Address> senders;
        if (body && full) senders = backend.senders(f->hash, *body);
        return block_json(f->header, f->hash, body ? &*body : nullptr, full, &senders);
    }

    json block_tx_count(const BlockId& id) {
        auto f = find_block(id);
        if (!f) return nullptr;
        auto body = backend.body(f->hash);
        return quantity(uint64_t(body ? body->transactions.size() : 0));
    }

    json block_tx_at(const BlockId& id, uint64_t index) {
        auto f = find_block(id);
        if (!f) return nullptr;
        return tx_by_location(*f, index);
    }

    json eth_get_transaction_by_hash(const json& p) {
        const Hash32 h = hash_param(p, 0);
        if (auto loc = backend.tx_location(h)) {
            auto header = backend.header_by_hash(loc->block_hash);
            if (header) return tx_by_location(Found{*header, loc->block_hash}, loc->index);
        }
        if (auto pooled = backend.pool_transaction(h)) return transaction_json(pooled->tx, h, pooled->sender, std::nullopt);
        return nullptr;
    }

    json eth_get_transaction_receipt(const json& p) {
        const Hash32 h = hash_param(p, 0);
        auto loc = backend.tx_location(h);
        if (!loc) return nullptr;
        auto header = backend.header_by_hash(loc->block_hash);
        auto body = backend.body(loc->block_hash);
        auto receipts = backend.receipts(loc->block_hash);
        if (!header || !body || !receipts || loc->index >= receipts->size() || loc->index >= body->transactions.size())
            return nullptr;
        const auto senders = backend.senders(loc->block_hash, *body);
        const size_t i = loc->index;
        const Gas prev = i ? (*receipts)[i - 1].cumulative_gas_used : 0;
        uint64_t log_start = 0;
        for (size_t k = 0; k < i; ++k) log_start += (*receipts)[k].logs.size();
        return receipt_json((*receipts)[i], body->transactions[i], h, senders.at(i),
                            TxContext{loc->block_hash, header->number, i, header->base_fee},
                            (*receipts)[i].cumulative_gas_used - prev, log_start);
    }

    json eth_get_block_receipts(const json& p) {
        const BlockId id = param(p, 0, [](const json& j) { return parse_block_id(j); });
        auto f = find_block(id);
        if (!f) return nullptr;
        auto body = backend.body(f->hash);
        auto receipts = backend.receipts(f->hash);
        if (!body || !receipts) return nullptr;
        return block_receipts_json(f->header, f->hash, *body, *receipts, backend.senders(f->hash, *body));
    }

    json eth_new_filter(const json& p) {
        Filter f{FilterKind::kLogs, {}, param(p, 0, parse_filter), 0, {}};
        if (f.query.block_hash) throw_invalid_params("invalid argument 0: blockHash is not allowed in a filter");
        f.next_block = f.query.from ? tag_number(*f.query.from) : backend.head_number() + 1;
        // "latest" as fromBlock means "from now on" for a polling filter.
        if (f.query.from && f.query.from->tag == BlockId::Tag::kLatest) f.next_block = backend.head_number() + 1;
        return json(install(std::move(f)));
    }

    json eth_get_filter_logs(const json& p) {
        FilterQuery q;
        {
            std::lock_guard lock(filters_mutex);
            expire_filters_locked();
            auto it = filters.find(filter_id_param(p));
            if (it == filters.end() || it->second.kind != FilterKind::kLogs) server_error("filter not found");
            it->second.last_poll = Clock::now();
            q = it->second.query;
        }
        return logs_json(query_logs(q));
    }

    json txpool_content() {
        const auto c = backend.pool_content();
        const auto side = [](const auto& m) {
            json out = json::object();
            for (const auto& [sender, txs] : m) {
                json by_nonce = json::object();
                for (const auto& [n, ptx] : txs)
                    by_nonce[std::to_string(n)] = transaction_json(ptx->tx, ptx->hash, ptx->sender, std::nullopt);
                out[checksum_address(sender)] = std::move(by_nonce);
            }
            return out;
        };
        return json{{"pending", side(c.pending)}, {"queued", side(c.queued)}};
    }

    json trellis_node_info() {
        Backend& be = backend;
        const NodeInfo info = be.node_info();
        const BlockNum head = be.head_number();
        const auto hash = be.canonical_hash(head);
        json out{{"clientVersion", info.client_version},
                 {"name", info.name},
                 {"chainId", quantity(be.chain_id())},
                 {"headBlock", quantity(head)},
                 {"headHash", hash ? json(hex_data(*hash)) : json(nullptr)},
                 {"finalizedBlock", quantity(be.finalized_number())},
                 {"validator", info.validator ? json(hex_data(*info.validator)) : json(nullptr)},
                 {"peers", quantity(uint64_t(be.peer_count()))},
                 {"txpool", {{"pending", quantity(uint64_t(be.pool_pending()))},
                             {"queued", quantity(uint64_t(be.pool_queued()))}}},
                 {"nodeId", nullptr}};
        if (const auto& n = info.network) {
            out["nodeId"] = hex_data(n->node_id);
            out["validatorIndex"] = n->validator_index ? json(*n->validator_index) : json(nullptr);
            out["syncing"] = n->syncing;
            out["bestPeerHead"] = quantity(n->best_peer_head);
            out["syncBlocksPerSecond"] = n->sync_blocks_per_second;
            out["blocksImported"] = n->blocks_imported;
            out["view"] = n->view;
            out["consensusExits"] = n->consensus_exits;
            out["p2pPort"] = n->p2p_port;
        }
        return out;
    }

    // --- registration -------------------------------------------------------
    // One function per area; register_methods calls them in this order.

    void register_methods(Dispatcher& d);
    void register_web3_and_net(Dispatcher& d);
    void register_chain_and_fees(Dispatcher& d);
    void register_state(Dispatcher& d);
    void register_execution(Dispatcher& d);
    void register_blocks(Dispatcher& d);
    void register_transactions(Dispatcher& d);
    void register_filters(Dispatcher& d);
    void register_subscriptions(Dispatcher& d);
    void register_txpool_and_trellis(Dispatcher& d);
};

void EthApi::Impl::register_methods(Dispatcher& d) {
    register_web3_and_net(d);
    register_chain_and_fees(d);
    register_state(d);
    register_execution(d);
    register_blocks(d);
    register_transactions(d);
    register_filters(d);
    register_subscriptions(d);
    register_txpool_and_trellis(d);
}

void EthApi::Impl::register_web3_and_net(Dispatcher& d) {
    Backend& be = backend;
    const auto reg = plain_registrar(d);
    reg("web3_clientVersion", [&be](const json&) { return json(be.node_info().client_version); });
    reg("web3_sha3",
        [](const json& p) { return json(hex_data(crypto::keccak256(param(p, 0, parse_data)))); });
    reg("net_version", [&be](const json&) { return json(std::to_string(be.chain_id())); });
    reg("net_listening", [](const json&) { return json(true); });
    reg("net_peerCount", [&be](const json&) { return json(quantity(uint64_t(be.peer_count()))); });
}

void EthApi::Impl::register_chain_and_fees(Dispatcher& d) {
    Backend& be = backend;
    const auto reg = plain_registrar(d);
    reg("eth_chainId", [&be](const json&) { return json(quantity(be.chain_id())); });
    reg("eth_blockNumber", [&be](const json&) { return json(quantity(be.head_number())); });
    reg("eth_syncing", [&be](const json&) -> json {
        auto s = be.sync_status();
        if (!s) return false;
        return {{"startingBlock", quantity(s->starting_block)},
                {"currentBlock", quantity(s->current_block)},
                {"highestBlock", quantity(s->highest_block)}};
    });
    reg("eth_accounts", [](const json&) { return json::array(); });  // the node holds no user keys
    reg("eth_gasPrice",
        [&be](const json&) { return json(quantity(be.next_base_fee() + be.suggested_tip())); });
    reg("eth_maxPriorityFeePerGas", [&be](const json&) { return json(quantity(be.suggested_tip())); });
    reg("eth_feeHistory", [this](const json& p) { return fee_history(p); });
}

void EthApi::Impl::register_state(Dispatcher& d) {
    const auto reg = plain_registrar(d);
    reg("eth_getBalance", [this](const json& p) {
        const Address a = addr_param(p, 0);
        return json(quantity(state(require_block(p, 1))->balance(a)));
    });
    reg("eth_getCode", [this](const json& p) {
        const Address a = addr_param(p, 0);
        return json(hex_data(state(require_block(p, 1))->code(a)));
    });
    reg("eth_getStorageAt", [this](const json& p) {
        const Address a = addr_param(p, 0);
        const Bytes32 slot = param(p, 1, parse_slot);
        return json(hex_data(state(require_block(p, 2))->storage(a, slot)));
    });
    reg("eth_getTransactionCount", [this](const json& p) { return eth_get_transaction_count(p); });
    reg("eth_getProof", [this](const json& p) { return eth_get_proof(p); });
}

void EthApi::Impl::register_execution(Dispatcher& d) {
    Backend& be = backend;
    const auto reg = plain_registrar(d);
    reg("eth_call", [this](const json& p) { return eth_call(p); });
    d.register_method("eth_estimateGas",
                      [this](const json& p, CallContext& ctx) { return eth_estimate_gas(p, ctx); });
    reg("eth_createAccessList", [this](const json& p) { return eth_create_access_list(p); });
    reg("eth_sendRawTransaction", [&be](const json& p) {
        const Bytes raw = param(p, 0, parse_data);
        return send_answer(be.send_raw_transaction(raw));
    });
    d.register_batch_method("eth_sendRawTransaction",
                            [this](std::span<const json* const> params, CallContext&) {
                                return eth_send_raw_transaction_batch(params);
                            });
}

void EthApi::Impl::register_blocks(Dispatcher& d) {
    const auto reg = plain_registrar(d);
    reg("eth_getBlockByNumber", [this](const json& p) { return block_by(p, false); });
    reg("eth_getBlockByHash", [this](const json& p) { return block_by(p, true); });
    reg("eth_getBlockTransactionCountByNumber", [this](const json& p) {
        return block_tx_count(param(p, 0, [](const json& j) { return parse_block_id(j, false); }));
    });
    reg("eth_getBlockTransactionCountByHash", [this](const json& p) {
        return block_tx_count(BlockId{BlockId::Tag::kHash, 0, hash_param(p, 0), false});
    });
    reg("eth_getUncleCountByBlockNumber", [](const json&) { return json("0x0"); });
    reg("eth_getUncleCountByBlockHash", [](const json&) { return json("0x0"); });
}

void EthApi::Impl::register_transactions(Dispatcher& d) {
    const auto reg = plain_registrar(d);
    reg("eth_getTransactionByBlockNumberAndIndex", [this](const json& p) {
        const BlockId id = param(p, 0, [](const json& j) { return parse_block_id(j, false); });
        return block_tx_at(id, param(p, 1, parse_quantity_u64));
    });
    reg("eth_getTransactionByBlockHashAndIndex", [this](const json& p) {
        const Hash32 h = hash_param(p, 0);
        return block_tx_at(BlockId{BlockId::Tag::kHash, 0, h, false}, param(p, 1, parse_quantity_u64));
    });
    reg("eth_getTransactionByHash", [this](const json& p) { return eth_get_transaction_by_hash(p); });
    reg("eth_getTransactionReceipt", [this](const json& p) { return eth_get_transaction_receipt(p); });
    reg("eth_getBlockReceipts", [this](const json& p) { return eth_get_block_receipts(p); });
}

void EthApi::Impl::register_filters(Dispatcher& d) {
    const auto reg = plain_registrar(d);
    reg("eth_getLogs", [this](const json& p) { return logs_json(query_logs(param(p, 0, parse_filter))); });
    reg("eth_newFilter", [this](const json& p) { return eth_new_filter(p); });
    reg("eth_newBlockFilter", [this](const json&) {
        return json(install(Filter{FilterKind::kBlocks, {}, {}, 0, {}}));
    });
    reg("eth_newPendingTransactionFilter", [this](const json&) {
        return json(install(Filter{FilterKind::kPending, {}, {}, 0, {}}));
    });
    reg("eth_getFilterChanges", [this](const json& p) { return filter_changes(filter_id_param(p)); });
    reg("eth_getFilterLogs", [this](const json& p) { return eth_get_filter_logs(p); });
    reg("eth_uninstallFilter", [this](const json& p) {
        const std::string id = filter_id_param(p);
        std::lock_guard lock(filters_mutex);
        return json(filters.erase(id) == 1);
    });
}

// pub/sub (WebSocket only)
void EthApi::Impl::register_subscriptions(Dispatcher& d) {
    d.register_method("eth_subscribe", eth_subscribe);
    d.register_method("eth_unsubscribe", [](const json& p, CallContext& ctx) -> json {
        if (!ctx.subscriptions) throw RpcError(code::kMethodNotFound, "notifications not supported");
        if (p.empty() || !p[0].is_string())
            throw_invalid_params("invalid argument 0: expected a subscription id");
        return ctx.subscriptions->unsubscribe(p[0].get<std::string>());
    });
}

void EthApi::Impl::register_txpool_and_trellis(Dispatcher& d) {
    Backend& be = backend;
    const auto reg = plain_registrar(d);
    reg("txpool_status", [&be](const json&) {
        return json{{"pending", quantity(uint64_t(be.pool_pending()))},
                    {"queued", quantity(uint64_t(be.pool_queued()))}};
    });
    reg("txpool_content", [this](const json&) { return txpool_content(); });
    reg("trellis_nodeInfo", [this](const json&) { return trellis_node_info(); });
}

EthApi::EthApi(Backend& backend, ApiSettings settings) : impl_(std::make_unique<Impl>(backend, std::move(settings))) {}
EthApi::~EthApi() = default;
void EthApi::register_methods(Dispatcher& d) { impl_->register_methods(d); }
size_t EthApi::filter_count() const {
    std::lock_guard lock(impl_->filters_mutex);
    return impl_->filters.size();
}

std::vector<Result<Hash32, SendFailure>> Backend::send_raw_transactions(std::span<const ByteView> encoded) {
    std::vector<Result<Hash32, SendFailure>> out;
    out.reserve(encoded.size());
    for (const ByteView e : encoded) out.push_back(send_raw_transaction(e));
    return out;
}

std::vector<Address> Backend::senders(const Hash32&, const chain::BlockBody& body) {
    std::vector<Address> out;
    out.reserve(body.transactions.size());
    for (const auto& tx : body.transactions) {
        auto s = chain::recover_sender(tx);
        out.push_back(s ? *s : Address{});
    }
    return out;
}

}  // namespace trellis::rpc
