#include "rpc/eth_json.hpp"

#include "base/hex.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"

namespace trellis::rpc {

const char* to_string(ValueError e) noexcept {
    switch (e) {
        case ValueError::kNotString: return "expected a JSON string";
        case ValueError::kMissingPrefix: return "hex string without 0x prefix";
        case ValueError::kEmptyNumber: return "hex string \"0x\"";
        case ValueError::kLeadingZero: return "hex number with leading zero digits";
        case ValueError::kInvalidHex: return "invalid hex string";
        case ValueError::kOddLength: return "hex string of odd length";
        case ValueError::kTooLarge: return "hex number too large";
        case ValueError::kWrongLength: return "hex string has wrong length";
        case ValueError::kInvalidBlockTag: return "invalid block number or tag";
        case ValueError::kInvalidObject: return "invalid object";
    }
    return "invalid value";
}

std::string quantity(uint64_t v) { return to_hex_quantity(uint256(v)); }
std::string quantity(const uint256& v) { return to_hex_quantity(v); }
std::string hex_data(ByteView v) { return to_0x_hex(v); }

namespace {

bool has_prefix(std::string_view s) { return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The digits of a quantity, checked (prefix, non-empty, no leading zero, hex, width).
Result<std::string_view, ValueError> quantity_digits(const json& j, size_t max_digits) {
    if (!j.is_string()) return Unexpected{ValueError::kNotString};
    std::string_view s = j.get_ref<const std::string&>();
    if (!has_prefix(s)) return Unexpected{ValueError::kMissingPrefix};
    s.remove_prefix(2);
    if (s.empty()) return Unexpected{ValueError::kEmptyNumber};
    for (char c : s)
        if (hex_digit(c) < 0) return Unexpected{ValueError::kInvalidHex};
    if (s.size() > 1 && s[0] == '0') return Unexpected{ValueError::kLeadingZero};
    if (s.size() > max_digits) return Unexpected{ValueError::kTooLarge};
    return s;
}

}  // namespace

Result<uint64_t, ValueError> parse_quantity_u64(const json& j) {
    auto d = quantity_digits(j, 16);
    if (!d) return Unexpected{d.error()};
    uint64_t v = 0;
    for (char c : *d) v = (v << 4) | uint64_t(hex_digit(c));
    return v;
}

Result<uint256, ValueError> parse_quantity(const json& j) {
    auto d = quantity_digits(j, 64);
    if (!d) return Unexpected{d.error()};
    uint256 v;
    for (char c : *d) v = (v << 4) | uint256(uint64_t(hex_digit(c)));
    return v;
}

Result<Bytes, ValueError> parse_data(const json& j) {
    if (!j.is_string()) return Unexpected{ValueError::kNotString};
    const std::string& s = j.get_ref<const std::string&>();
    if (!has_prefix(s)) return Unexpected{ValueError::kMissingPrefix};
    if (s.size() % 2) return Unexpected{ValueError::kOddLength};
    auto b = from_hex(s);
    if (!b) return Unexpected{ValueError::kInvalidHex};
    return std::move(*b);
}

namespace {
template <class Fixed>
Result<Fixed, ValueError> parse_fixed(const json& j) {
    auto b = parse_data(j);
    if (!b) return Unexpected{b.error()};
    if (b->size() != Fixed::kSize) return Unexpected{ValueError::kWrongLength};
    return Fixed::from(*b);
}
}  // namespace

Result<Hash32, ValueError> parse_hash(const json& j) { return parse_fixed<Hash32>(j); }
Result<Address, ValueError> parse_address(const json& j) { return parse_fixed<Address>(j); }

Result<BlockId, ValueError> parse_block_id(const json& j, bool allow_hash) {
    BlockId id;
    if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        if (s == "latest") id.tag = BlockId::Tag::kLatest;
        else if (s == "pending") id.tag = BlockId::Tag::kPending;
        else if (s == "safe") id.tag = BlockId::Tag::kSafe;
        else if (s == "finalized") id.tag = BlockId::Tag::kFinalized;
        else if (s == "earliest") id.tag = BlockId::Tag::kEarliest;
        else if (allow_hash && s.size() == 66 && has_prefix(s)) {
            // geth's BlockNumberOrHash also takes a bare 32-byte hash.
            auto h = parse_hash(j);
            if (!h) return Unexpected{h.error()};
            id.tag = BlockId::Tag::kHash;
            id.hash = *h;
        } else {
            auto n = parse_quantity_u64(j);
            if (!n) return Unexpected{n.error() == ValueError::kMissingPrefix ? ValueError::kInvalidBlockTag : n.error()};
            // geth refuses numbers above int64 max (rpc.BlockNumber is int64).
            if (*n > uint64_t(INT64_MAX)) return Unexpected{ValueError::kTooLarge};
            id.tag = BlockId::Tag::kNumber;
            id.number = *n;
        }
        return id;
    }
    if (j.is_object() && allow_hash) {
        // EIP-1898.
        const bool has_num = j.contains("blockNumber"), has_hash = j.contains("blockHash");
        if (has_num == has_hash) return Unexpected{ValueError::kInvalidObject};
        if (has_num) {
            if (j.contains("requireCanonical")) return Unexpected{ValueError::kInvalidObject};
            return parse_block_id(j["blockNumber"], false);
        }
        auto h = parse_hash(j["blockHash"]);
        if (!h) return Unexpected{h.error()};
        id.tag = BlockId::Tag::kHash;
        id.hash = *h;
        if (auto rc = j.find("requireCanonical"); rc != j.end()) {
            if (!rc->is_boolean()) return Unexpected{ValueError::kInvalidObject};
            id.require_canonical = rc->get<bool>();
        }
        return id;
    }
    return Unexpected{ValueError::kInvalidBlockTag};
}

uint256 effective_gas_price(const chain::Transaction& tx, const uint256& base_fee) {
    if (tx.type != chain::TxType::kDynamicFee) return tx.gas_price;
    if (tx.max_fee_per_gas < base_fee) return tx.max_fee_per_gas;  // not includable; report the cap
    const uint256 headroom = tx.max_fee_per_gas - base_fee;
    return base_fee + (tx.max_priority_fee_per_gas < headroom ? tx.max_priority_fee_per_gas : headroom);
}

Address create_address(const Address& sender, uint64_t nonce) {
    Bytes out;
    const size_t mark = rlp::begin_list(out);
    rlp::encode_string(out, sender.view());
    rlp::encode_uint(out, nonce);
    rlp::end_list(out, mark);
    const Hash32 h = crypto::keccak256(out);
    return Address::from(ByteView(h.data() + 12, 20));
}

json access_list_json(const chain::AccessList& list) {
    json out = json::array();
    for (const auto& e : list) {
        json keys = json::array();
        for (const auto& k : e.storage_keys) keys.push_back(hex_data(k));
        out.push_back({{"address", hex_data(e.address)}, {"storageKeys", std::move(keys)}});
    }
    return out;
}

json transaction_json(const chain::Transaction& tx, const Hash32& hash, const Address& from,
                      const std::optional<TxContext>& where) {
    json j;
    if (where) {
        j["blockHash"] = hex_data(where->block_hash);
        j["blockNumber"] = quantity(where->block_num);
        j["transactionIndex"] = quantity(where->index);
    } else {
        j["blockHash"] = nullptr;
        j["blockNumber"] = nullptr;
        j["transactionIndex"] = nullptr;
    }
    j["from"] = hex_data(from);
    j["gas"] = quantity(tx.gas_limit);
    j["hash"] = hex_data(hash);
    j["input"] = hex_data(tx.data);
    j["nonce"] = quantity(tx.nonce);
    j["to"] = tx.to ? json(hex_data(*tx.to)) : json(nullptr);
    j["value"] = quantity(tx.value);
    j["type"] = quantity(uint64_t(tx.type));
    j["r"] = quantity(tx.r);
    j["s"] = quantity(tx.s);
    switch (tx.type) {
        case chain::TxType::kLegacy: {
            j["gasPrice"] = quantity(tx.gas_price);
            // EIP-155: v = chainId * 2 + 35 + y; pre-155: 27 + y.
            if (tx.chain_id) {
                j["chainId"] = quantity(*tx.chain_id);
                j["v"] = quantity(uint256(*tx.chain_id) * 2 + 35 + tx.y_parity);
            } else {
                j["v"] = quantity(uint64_t(27 + tx.y_parity));
            }
            break;
        }
        case chain::TxType::kAccessList:
            j["gasPrice"] = quantity(tx.gas_price);
            j["chainId"] = quantity(tx.chain_id.value_or(0));
            j["accessList"] = access_list_json(tx.access_list);
            j["v"] = quantity(uint64_t(tx.y_parity));
            j["yParity"] = quantity(uint64_t(tx.y_parity));
            break;
        case chain::TxType::kDynamicFee:
            j["gasPrice"] = quantity(where ? effective_gas_price(tx, where->base_fee) : tx.max_fee_per_gas);
            j["maxFeePerGas"] = quantity(tx.max_fee_per_gas);
            j["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas);
            j["chainId"] = quantity(tx.chain_id.value_or(0));
            j["accessList"] = access_list_json(tx.access_list);
            j["v"] = quantity(uint64_t(tx.y_parity));
            j["yParity"] = quantity(uint64_t(tx.y_parity));
            break;
    }
    return j;
}

json log_json(const LogEntry& e) {
    json topics = json::array();
    for (const auto& t : e.log.topics) topics.push_back(hex_data(t));
    return {{"address", hex_data(e.log.address)},
            {"topics", std::move(topics)},
            {"data", hex_data(e.log.data)},
            {"blockNumber", quantity(e.block_num)},
            {"transactionHash", hex_data(e.tx_hash)},
            {"transactionIndex", quantity(e.tx_index)},
            {"blockHash", hex_data(e.block_hash)},
            {"logIndex", quantity(e.log_index)},
            {"removed", e.removed}};
}

json receipt_json(const chain::Receipt& r, const chain::Transaction& tx, const Hash32& tx_hash,
                  const Address& from, const TxContext& where, Gas gas_used, uint64_t log_index_start) {
    json logs = json::array();
    for (size_t i = 0; i < r.logs.size(); ++i) {
        LogEntry e{r.logs[i], where.block_num, where.block_hash, tx_hash, where.index, log_index_start + i, false};
        logs.push_back(log_json(e));
    }
    json j = {{"blockHash", hex_data(where.block_hash)},
              {"blockNumber", quantity(where.block_num)},
              {"contractAddress", nullptr},
              {"cumulativeGasUsed", quantity(r.cumulative_gas_used)},
              {"effectiveGasPrice", quantity(effective_gas_price(tx, where.base_fee))},
              {"from", hex_data(from)},
              {"gasUsed", quantity(gas_used)},
              {"logs", std::move(logs)},
              {"logsBloom", hex_data(r.bloom)},
              {"status", quantity(uint64_t(r.success ? 1 : 0))},
              {"to", tx.to ? json(hex_data(*tx.to)) : json(nullptr)},
              {"transactionHash", hex_data(tx_hash)},
              {"transactionIndex", quantity(where.index)},
              {"type", quantity(uint64_t(r.type))}};
    if (tx.is_create()) j["contractAddress"] = hex_data(create_address(from, tx.nonce));
    return j;
}

json block_receipts_json(const chain::BlockHeader& h, const Hash32& block_hash, const chain::BlockBody& body,
                         const std::vector<chain::Receipt>& receipts, const std::vector<Address>& senders) {
    json out = json::array();
    Gas prev = 0;
    uint64_t log_index = 0;
    for (size_t i = 0; i < receipts.size() && i < body.transactions.size(); ++i) {
        const auto& tx = body.transactions[i];
        const TxContext where{block_hash, h.number, i, h.base_fee};
        out.push_back(receipt_json(receipts[i], tx, chain::transaction_hash(tx), senders.at(i), where,
                                   receipts[i].cumulative_gas_used - prev, log_index));
        prev = receipts[i].cumulative_gas_used;
        log_index += receipts[i].logs.size();
    }
    return out;
}

Hash32 empty_uncles_hash() {
    static const Hash32 h = crypto::keccak256(Bytes{0xc0});
    return h;
}

json header_json(const chain::BlockHeader& h, const Hash32& hash) {
    return {{"baseFeePerGas", quantity(h.base_fee)},
            {"difficulty", "0x0"},
            {"extraData", hex_data(h.extra_data)},
            {"gasLimit", quantity(h.gas_limit)},
            {"gasUsed", quantity(h.gas_used)},
            {"hash", hex_data(hash)},
            {"logsBloom", hex_data(h.logs_bloom)},
            {"miner", hex_data(h.proposer)},
            {"mixHash", hex_data(Hash32{})},
            {"nonce", "0x0000000000000000"},
            {"number", quantity(h.number)},
            {"parentHash", hex_data(h.parent_hash)},
            {"receiptsRoot", hex_data(h.receipts_root)},
            {"sha3Uncles", hex_data(empty_uncles_hash())},
            {"stateRoot", hex_data(h.state_root)},
            {"timestamp", quantity(h.timestamp)},
            {"transactionsRoot", hex_data(h.transactions_root)}};
}

json block_json(const chain::BlockHeader& h, const Hash32& hash, const chain::BlockBody* body, bool full,
                const std::vector<Address>* senders) {
    json j = header_json(h, hash);
    j["totalDifficulty"] = "0x0";
    j["uncles"] = json::array();
    json txs = json::array();
    if (body) {
        j["size"] = quantity(uint64_t(chain::encode_block(chain::Block{h, *body}).size()));
        for (size_t i = 0; i < body->transactions.size(); ++i) {
            const auto& tx = body->transactions[i];
            const Hash32 th = chain::transaction_hash(tx);
            if (full && senders) {
                txs.push_back(transaction_json(tx, th, senders->at(i), TxContext{hash, h.number, i, h.base_fee}));
            } else {
                txs.push_back(hex_data(th));
            }
        }
    }
    j["transactions"] = std::move(txs);
    return j;
}

Result<chain::AccessList, ValueError> parse_access_list(const json& j) {
    if (!j.is_array()) return Unexpected{ValueError::kInvalidObject};
    chain::AccessList out;
    for (const auto& e : j) {
        if (!e.is_object() || !e.contains("address")) return Unexpected{ValueError::kInvalidObject};
        auto a = parse_address(e["address"]);
        if (!a) return Unexpected{a.error()};
        chain::AccessListEntry entry{*a, {}};
        if (auto k = e.find("storageKeys"); k != e.end() && !k->is_null()) {
            if (!k->is_array()) return Unexpected{ValueError::kInvalidObject};
            for (const auto& key : *k) {
                auto h = parse_hash(key);
                if (!h) return Unexpected{h.error()};
                entry.storage_keys.push_back(*h);
            }
        }
        out.push_back(std::move(entry));
    }
    return out;
}

Result<CallArgs, ValueError> parse_call_args(const json& j) {
    if (!j.is_object()) return Unexpected{ValueError::kInvalidObject};
    CallArgs a;
    const auto opt = [&](const char* key) -> const json* {
        auto it = j.find(key);
        return it == j.end() || it->is_null() ? nullptr : &*it;
    };
#define TRELLIS_FIELD(key, member, parser)               \
    if (const json* v = opt(key)) {                      \
        auto r = parser(*v);                             \
        if (!r) return Unexpected{r.error()};            \
        a.member = std::move(*r);                        \
    }
    TRELLIS_FIELD("from", from, parse_address)
    TRELLIS_FIELD("to", to, parse_address)
    TRELLIS_FIELD("gas", gas, parse_quantity_u64)
    TRELLIS_FIELD("gasPrice", gas_price, parse_quantity)
    TRELLIS_FIELD("maxFeePerGas", max_fee_per_gas, parse_quantity)
    TRELLIS_FIELD("maxPriorityFeePerGas", max_priority_fee_per_gas, parse_quantity)
    TRELLIS_FIELD("value", value, parse_quantity)
    TRELLIS_FIELD("nonce", nonce, parse_quantity_u64)
    TRELLIS_FIELD("accessList", access_list, parse_access_list)
    TRELLIS_FIELD("input", input, parse_data)
#undef TRELLIS_FIELD
    if (const json* v = opt("data")) {
        auto d = parse_data(*v);
        if (!d) return Unexpected{d.error()};
        // geth: both given and different is an error.
        if (a.input && *a.input != *d) return Unexpected{ValueError::kInvalidObject};
        a.input = std::move(*d);
    }
    if (a.gas_price && (a.max_fee_per_gas || a.max_priority_fee_per_gas))
        return Unexpected{ValueError::kInvalidObject};  // geth: both legacy and 1559 fees
    return a;
}

Result<StateOverrides, ValueError> parse_state_overrides(const json& j) {
    StateOverrides out;
    if (j.is_null()) return out;
    if (!j.is_object()) return Unexpected{ValueError::kInvalidObject};
    const auto slots = [](const json& m) -> Result<std::map<Bytes32, Bytes32>, ValueError> {
        if (!m.is_object()) return Unexpected{ValueError::kInvalidObject};
        std::map<Bytes32, Bytes32> r;
        for (const auto& [k, v] : m.items()) {
            auto key = parse_hash(json(k));
            auto val = parse_hash(v);
            if (!key) return Unexpected{key.error()};
            if (!val) return Unexpected{val.error()};
            r[*key] = *val;
        }
        return r;
    };
    for (const auto& [addr_s, o] : j.items()) {
        auto addr = parse_address(json(addr_s));
        if (!addr) return Unexpected{addr.error()};
        if (!o.is_object()) return Unexpected{ValueError::kInvalidObject};
        AccountOverride ov;
        for (const auto& [k, v] : o.items()) {
            if (k == "balance") {
                auto r = parse_quantity(v);
                if (!r) return Unexpected{r.error()};
                ov.balance = *r;
            } else if (k == "nonce") {
                auto r = parse_quantity_u64(v);
                if (!r) return Unexpected{r.error()};
                ov.nonce = *r;
            } else if (k == "code") {
                auto r = parse_data(v);
                if (!r) return Unexpected{r.error()};
                ov.code = std::move(*r);
            } else if (k == "state") {
                auto r = slots(v);
                if (!r) return Unexpected{r.error()};
                ov.state = std::move(*r);
            } else if (k == "stateDiff") {
                auto r = slots(v);
                if (!r) return Unexpected{r.error()};
                ov.state_diff = std::move(*r);
            } else {
                return Unexpected{ValueError::kInvalidObject};
            }
        }
        // geth: state and stateDiff together are ambiguous.
        if (ov.state && !ov.state_diff.empty()) return Unexpected{ValueError::kInvalidObject};
        out[*addr] = std::move(ov);
    }
    return out;
}

Result<FilterQuery, ValueError> parse_filter(const json& j) {
    if (!j.is_object()) return Unexpected{ValueError::kInvalidObject};
    FilterQuery q;
    const auto present = [&](const char* k) { return j.contains(k) && !j[k].is_null(); };
    if (present("blockHash")) {
        // EIP-234: blockHash excludes fromBlock/toBlock.
        if (present("fromBlock") || present("toBlock")) return Unexpected{ValueError::kInvalidObject};
        auto h = parse_hash(j["blockHash"]);
        if (!h) return Unexpected{h.error()};
        q.block_hash = *h;
    }
    if (present("fromBlock")) {
        auto b = parse_block_id(j["fromBlock"], false);
        if (!b) return Unexpected{b.error()};
        q.from = *b;
    }
    if (present("toBlock")) {
        auto b = parse_block_id(j["toBlock"], false);
        if (!b) return Unexpected{b.error()};
        q.to = *b;
    }
    if (present("address")) {
        const json& a = j["address"];
        if (a.is_array()) {
            for (const auto& x : a) {
                auto r = parse_address(x);
                if (!r) return Unexpected{r.error()};
                q.filter.addresses.push_back(*r);
            }
        } else {
            auto r = parse_address(a);
            if (!r) return Unexpected{r.error()};
            q.filter.addresses.push_back(*r);
        }
    }
    if (present("topics")) {
        const json& t = j["topics"];
        if (!t.is_array() || t.size() > chain::kMaxLogTopics) return Unexpected{ValueError::kInvalidObject};
        for (const auto& pos : t) {
            std::vector<Hash32> alts;
            if (pos.is_null()) {
                // wildcard
            } else if (pos.is_array()) {
                for (const auto& x : pos) {
                    if (x.is_null()) {  // a null inside an OR list matches anything (geth)
                        alts.clear();
                        break;
                    }
                    auto r = parse_hash(x);
                    if (!r) return Unexpected{r.error()};
                    alts.push_back(*r);
                }
            } else {
                auto r = parse_hash(pos);
                if (!r) return Unexpected{r.error()};
                alts.push_back(*r);
            }
            q.filter.topics.push_back(std::move(alts));
        }
    }
    return q;
}

bool log_matches(const chain::Log& log, const LogFilter& f) noexcept {
    if (!f.addresses.empty()) {
        bool any = false;
        for (const auto& a : f.addresses) any = any || a == log.address;
        if (!any) return false;
    }
    // A position beyond the log's topics cannot match (unless a wildcard? geth: no).
    if (f.topics.size() > log.topics.size()) return false;
    for (size_t i = 0; i < f.topics.size(); ++i) {
        if (f.topics[i].empty()) continue;
        bool any = false;
        for (const auto& t : f.topics[i]) any = any || t == log.topics[i];
        if (!any) return false;
    }
    return true;
}

}  // namespace trellis::rpc
