#pragma once

// A three-block chain for the rpc tests, built from real signed
// transactions of all three types.

#include "base/hex.hpp"
#include "chain/receipt.hpp"
#include "mock_backend.hpp"
#include "rpc/json_rpc.hpp"

namespace trellis::rpc::test {

inline Bytes32 test_key(uint8_t b) {
    Bytes32 k;
    k.bytes[31] = b;
    return k;
}
inline Address addr(uint8_t b) {
    Address a;
    a.bytes[19] = b;
    return a;
}
inline Hash32 topic(uint8_t b) {
    Hash32 h;
    h.bytes[0] = b;
    return h;
}

struct TestChain {
    MockBackend backend;
    Address alice;       // sender of every transaction
    Address contract = addr(0xcc);
    std::vector<chain::Transaction> txs;  // all mined, in order

    TestChain() {
        chain::Transaction probe;
        probe.chain_id = 1337;
        (void)chain::sign(probe, test_key(1));
        alice = *chain::recover_sender(probe);

        std::map<Address, MockAccount> genesis;
        genesis[alice].balance = uint256(1'000'000'000'000'000'000ull);
        backend.add_block({}, {}, genesis);

        // Block 1: legacy transfer, type-1 call with a log, type-2 creation.
        chain::Transaction t0;
        t0.type = chain::TxType::kLegacy;
        t0.chain_id = 1337;
        t0.nonce = 0;
        t0.gas_price = 10;
        t0.gas_limit = 21000;
        t0.to = addr(0xbb);
        t0.value = 5;
        (void)chain::sign(t0, test_key(1));

        chain::Transaction t1;
        t1.type = chain::TxType::kAccessList;
        t1.chain_id = 1337;
        t1.nonce = 1;
        t1.gas_price = 10;
        t1.gas_limit = 60000;
        t1.to = contract;
        t1.data = {0xa9, 0x05, 0x9c, 0xbb};
        t1.access_list = {{contract, {key_of(1)}}};
        (void)chain::sign(t1, test_key(1));

        chain::Transaction t2;
        t2.type = chain::TxType::kDynamicFee;
        t2.chain_id = 1337;
        t2.nonce = 2;
        t2.max_priority_fee_per_gas = 2;
        t2.max_fee_per_gas = 100;
        t2.gas_limit = 100000;
        t2.data = {0x60, 0x00};
        (void)chain::sign(t2, test_key(1));

        std::vector<chain::Receipt> r1 = {
            chain::make_receipt(chain::TxType::kLegacy, true, 21000, {}),
            chain::make_receipt(chain::TxType::kAccessList, true, 21000 + 40000,
                                {chain::Log{contract, {topic(1), topic(2)}, {0x01}}}),
            chain::make_receipt(chain::TxType::kDynamicFee, true, 21000 + 40000 + 53000, {}),
        };
        auto s1 = genesis;
        s1[alice].nonce = 3;
        s1[alice].balance = uint256(999'000'000'000'000'000ull);
        s1[addr(0xbb)].balance = 5;
        s1[contract].code = {0x60, 0x01};
        s1[contract].storage[key_of(1)] = key_of(0x2a);
        backend.add_block({t0, t1, t2}, r1, s1);

        // Block 2: a failed type-2 call and a call logging topic 3 twice.
        chain::Transaction t3 = t2;
        t3.nonce = 3;
        t3.to = contract;
        t3.data = {0xde, 0xad};
        (void)chain::sign(t3, test_key(1));
        chain::Transaction t4 = t3;
        t4.nonce = 4;
        t4.data = {0xbe, 0xef};
        (void)chain::sign(t4, test_key(1));
        std::vector<chain::Receipt> r2 = {
            chain::make_receipt(chain::TxType::kDynamicFee, false, 30000, {}),
            chain::make_receipt(chain::TxType::kDynamicFee, true, 60000,
                                {chain::Log{contract, {topic(3)}, {}}, chain::Log{addr(0xdd), {topic(3), topic(4)}, {0x02, 0x03}}}),
        };
        auto s2 = s1;
        s2[alice].nonce = 5;
        backend.add_block({t3, t4}, r2, s2);
        txs = {t0, t1, t2, t3, t4};
    }
};

/// Sends one request through d and returns the parsed response.
inline json call(const Dispatcher& d, const std::string& method, json params = json::array(),
                 CallContext* ctx = nullptr) {
    CallContext local;
    json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}};
    auto out = d.handle(req.dump(), ctx ? *ctx : local);
    return out ? json::parse(*out) : json();
}

}  // namespace trellis::rpc::test
