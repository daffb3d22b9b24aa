#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/keccak.hpp"
#include "rpc/eth_api.hpp"
#include "rpc/eth_json.hpp"

namespace trellis::rpc {
namespace {

Hash32 h32(uint8_t b) {
    Hash32 h;
    h.bytes.fill(b);
    return h;
}
Address a20(const char* hex) { return *fixed_from_hex<Address>(hex); }

// --- quantities and data -----------------------------------------------------

TEST(EthJson, quantity_is_minimal_hex_with_0x0_for_zero) {
    EXPECT_EQ(quantity(uint64_t(0)), "0x0");
    EXPECT_EQ(quantity(uint64_t(1)), "0x1");
    EXPECT_EQ(quantity(uint64_t(0x400)), "0x400");
    EXPECT_EQ(quantity(uint256::max()), "0x" + std::string(64, 'f'));
}

TEST(EthJson, data_is_even_length_hex) {
    EXPECT_EQ(hex_data(Bytes{}), "0x");
    EXPECT_EQ(hex_data(Bytes{0x00, 0x0a}), "0x000a");
}

TEST(EthJson, quantity_parser_is_strict_as_geth_hexutil) {
    EXPECT_EQ(*parse_quantity_u64(json("0x0")), 0u);
    EXPECT_EQ(*parse_quantity_u64(json("0x1f")), 31u);
    EXPECT_EQ(*parse_quantity_u64(json("0XFF")), 255u);
    EXPECT_EQ(*parse_quantity_u64(json("0xffffffffffffffff")), UINT64_MAX);
    EXPECT_EQ(parse_quantity_u64(json("0x01")).error(), ValueError::kLeadingZero);
    EXPECT_EQ(parse_quantity_u64(json("0x00")).error(), ValueError::kLeadingZero);
    EXPECT_EQ(parse_quantity_u64(json("0x")).error(), ValueError::kEmptyNumber);
    EXPECT_EQ(parse_quantity_u64(json("12")).error(), ValueError::kMissingPrefix);
    EXPECT_EQ(parse_quantity_u64(json("0xg")).error(), ValueError::kInvalidHex);
    EXPECT_EQ(parse_quantity_u64(json("0x10000000000000000")).error(), ValueError::kTooLarge);
    EXPECT_EQ(parse_quantity_u64(json(12)).error(), ValueError::kNotString);
    EXPECT_EQ(parse_quantity_u64(json(nullptr)).error(), ValueError::kNotString);
    EXPECT_EQ(*parse_quantity(json("0x" + std::string(64, 'f'))), uint256::max());
    EXPECT_EQ(parse_quantity(json("0x1" + std::string(64, '0'))).error(), ValueError::kTooLarge);
    EXPECT_EQ(parse_quantity(json("0x" + std::string(100000, '1'))).error(), ValueError::kTooLarge);
}

TEST(EthJson, data_hash_and_address_parsers_check_length_and_digits) {
    EXPECT_EQ(*parse_data(json("0x")), Bytes{});
    EXPECT_EQ(*parse_data(json("0x0aFF")), (Bytes{0x0a, 0xff}));
    EXPECT_EQ(parse_data(json("0x123")).error(), ValueError::kOddLength);
    EXPECT_EQ(parse_data(json("0xzz")).error(), ValueError::kInvalidHex);
    EXPECT_EQ(parse_data(json("abcd")).error(), ValueError::kMissingPrefix);
    EXPECT_EQ(parse_address(json("0x" + std::string(38, '1'))).error(), ValueError::kWrongLength);
    EXPECT_TRUE(parse_address(json("0x" + std::string(40, 'A'))));
    EXPECT_EQ(parse_hash(json("0x" + std::string(62, '1'))).error(), ValueError::kWrongLength);
}

TEST(EthJson, block_tags_numbers_and_eip1898_objects) {
    using T = BlockId::Tag;
    EXPECT_EQ(parse_block_id(json("latest"))->tag, T::kLatest);
    EXPECT_EQ(parse_block_id(json("pending"))->tag, T::kPending);
    EXPECT_EQ(parse_block_id(json("safe"))->tag, T::kSafe);
    EXPECT_EQ(parse_block_id(json("finalized"))->tag, T::kFinalized);
    EXPECT_EQ(parse_block_id(json("earliest"))->tag, T::kEarliest);
    auto n = parse_block_id(json("0x1b4"));
    EXPECT_EQ(n->tag, T::kNumber);
    EXPECT_EQ(n->number, 0x1b4u);
    EXPECT_FALSE(parse_block_id(json("Latest")));
    EXPECT_FALSE(parse_block_id(json("0x01")));
    EXPECT_FALSE(parse_block_id(json(5)));
    EXPECT_FALSE(parse_block_id(json("0x8000000000000000")));  // above int64, as geth
    const std::string hash = "0x" + std::string(64, 'a');
    auto h = parse_block_id(json::parse(R"({"blockHash":")" + hash + R"(","requireCanonical":true})"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tag, T::kHash);
    EXPECT_EQ(h->hash, h32(0xaa));
    EXPECT_TRUE(h->require_canonical);
    auto bn = parse_block_id(json::parse(R"({"blockNumber":"0x2"})"));
    EXPECT_EQ(bn->number, 2u);
    EXPECT_FALSE(parse_block_id(json::parse(R"({"blockNumber":"0x2","blockHash":")" + hash + "\"}")));
    EXPECT_FALSE(parse_block_id(json::parse(R"({})")));
    EXPECT_FALSE(parse_block_id(json::parse(R"({"blockHash":")" + hash + R"(","requireCanonical":"yes"})")));
    EXPECT_FALSE(parse_block_id(json::parse(R"({"blockNumber":"0x2"})"), /*allow_hash=*/false));
    EXPECT_EQ(parse_block_id(json(hash))->tag, T::kHash);  // geth accepts a bare hash
}

// --- transactions (goldens in go-ethereum's RPCTransaction shape) ----------

TEST(EthJson, legacy_eip155_transaction_golden) {
    // The EIP-155 example transaction (signed by key 0x4646...46).
    const Bytes raw = *from_hex(
        "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc"
        "2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a"
        "3b6d83");
    auto tx = chain::decode_transaction(raw);
    ASSERT_TRUE(tx);
    auto from = chain::recover_sender(*tx);
    ASSERT_TRUE(from);
    const Hash32 hash = crypto::keccak256(raw);
    const json got = transaction_json(*tx, hash, *from, TxContext{h32(0x11), 1, 0, 7});
    json golden = json::parse(R"({
      "blockHash": "0x1111111111111111111111111111111111111111111111111111111111111111",
      "blockNumber": "0x1",
      "from": "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f",
      "gas": "0x5208",
      "gasPrice": "0x4a817c800",
      "input": "0x",
      "nonce": "0x9",
      "to": "0x3535353535353535353535353535353535353535",
      "transactionIndex": "0x0",
      "value": "0xde0b6b3a7640000",
      "type": "0x0",
      "chainId": "0x1",
      "v": "0x25",
      "r": "0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276",
      "s": "0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
    })");
    golden["hash"] = to_0x_hex(hash);
    EXPECT_EQ(got, golden) << got.dump(2);
}

TEST(EthJson, pre_eip155_legacy_has_v_27_or_28_and_no_chain_id) {
    chain::Transaction tx;
    tx.r = 1;
    tx.s = 2;
    tx.y_parity = 1;
    const json j = transaction_json(tx, h32(1), Address{}, std::nullopt);
    EXPECT_EQ(j["v"], "0x1c");
    EXPECT_FALSE(j.contains("chainId"));
    EXPECT_TRUE(j["blockHash"].is_null());
    EXPECT_TRUE(j["blockNumber"].is_null());
    EXPECT_TRUE(j["transactionIndex"].is_null());
    EXPECT_TRUE(j["to"].is_null());
}

TEST(EthJson, access_list_transaction_golden) {
    chain::Transaction tx;
    tx.type = chain::TxType::kAccessList;
    tx.chain_id = 1337;
    tx.nonce = 1;
    tx.gas_price = 0x3b9aca00;
    tx.gas_limit = 0x7530;
    tx.to = a20("0x00000000000000000000000000000000000000cc");
    tx.data = {0xa9, 0x05};
    tx.access_list = {{*tx.to, {h32(0x01)}}};
    tx.r = 0xabc;
    tx.s = 0xdef;
    tx.y_parity = 1;
    const json got = transaction_json(tx, h32(0x22), a20("0x00000000000000000000000000000000000000aa"),
                                      TxContext{h32(0x33), 0x10, 2, 7});
    const json golden = json::parse(R"({
      "blockHash": "0x3333333333333333333333333333333333333333333333333333333333333333",
      "blockNumber": "0x10",
      "from": "0x00000000000000000000000000000000000000aa",
      "gas": "0x7530",
      "gasPrice": "0x3b9aca00",
      "hash": "0x2222222222222222222222222222222222222222222222222222222222222222",
      "input": "0xa905",
      "nonce": "0x1",
      "to": "0x00000000000000000000000000000000000000cc",
      "transactionIndex": "0x2",
      "value": "0x0",
      "type": "0x1",
      "accessList": [{"address": "0x00000000000000000000000000000000000000cc",
                      "storageKeys": ["0x0101010101010101010101010101010101010101010101010101010101010101"]}],
      "chainId": "0x539",
      "v": "0x1",
      "yParity": "0x1",
      "r": "0xabc",
      "s": "0xdef"
    })");
    EXPECT_EQ(got, golden) << got.dump(2);
}

TEST(EthJson, dynamic_fee_transaction_golden_mined_and_pending) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = 1;
    tx.nonce = 0x2a;
    tx.max_priority_fee_per_gas = 2;
    tx.max_fee_per_gas = 100;
    tx.gas_limit = 0x186a0;
    tx.value = 0x10;
    tx.r = 1;
    tx.s = 2;
    const Address from = a20("0x00000000000000000000000000000000000000aa");
    const json mined = transaction_json(tx, h32(0x44), from, TxContext{h32(0x55), 3, 0, 7});
    const json golden = json::parse(R"({
      "blockHash": "0x5555555555555555555555555555555555555555555555555555555555555555",
      "blockNumber": "0x3",
      "from": "0x00000000000000000000000000000000000000aa",
      "gas": "0x186a0",
      "gasPrice": "0x9",
      "maxFeePerGas": "0x64",
      "maxPriorityFeePerGas": "0x2",
      "hash": "0x4444444444444444444444444444444444444444444444444444444444444444",
      "input": "0x",
      "nonce": "0x2a",
      "to": null,
      "transactionIndex": "0x0",
      "value": "0x10",
      "type": "0x2",
      "accessList": [],
      "chainId": "0x1",
      "v": "0x0",
      "yParity": "0x0",
      "r": "0x1",
      "s": "0x2"
    })");
    EXPECT_EQ(mined, golden) << mined.dump(2);
    // Pending: no block fields, gasPrice is the fee cap (geth).
    const json pending = transaction_json(tx, h32(0x44), from, std::nullopt);
    EXPECT_EQ(pending["gasPrice"], "0x64");
    EXPECT_TRUE(pending["blockHash"].is_null());
}

TEST(EthJson, effective_gas_price_follows_eip1559) {
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.max_fee_per_gas = 100;
    tx.max_priority_fee_per_gas = 10;
    EXPECT_EQ(effective_gas_price(tx, 50), uint256(60));
    EXPECT_EQ(effective_gas_price(tx, 95), uint256(100));  // tip squeezed by the cap
    tx.type = chain::TxType::kLegacy;
    tx.gas_price = 33;
    EXPECT_EQ(effective_gas_price(tx, 5), uint256(33));
}

// --- receipts and logs --------------------------------------------------------

TEST(EthJson, create_address_known_vectors) {
    // The well-known example sender 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0.
    const Address s = a20("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    EXPECT_EQ(to_0x_hex(create_address(s, 0)), "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    EXPECT_EQ(to_0x_hex(create_address(s, 1)), "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
}

TEST(EthJson, log_golden) {
    LogEntry e{chain::Log{a20("0x00000000000000000000000000000000000000cc"), {h32(0x01)}, {0xff}},
               0x1b4, h32(0x66), h32(0x77), 1, 5, false};
    const json golden = json::parse(R"({
      "address": "0x00000000000000000000000000000000000000cc",
      "topics": ["0x0101010101010101010101010101010101010101010101010101010101010101"],
      "data": "0xff",
      "blockNumber": "0x1b4",
      "transactionHash": "0x7777777777777777777777777777777777777777777777777777777777777777",
      "transactionIndex": "0x1",
      "blockHash": "0x6666666666666666666666666666666666666666666666666666666666666666",
      "logIndex": "0x5",
      "removed": false
    })");
    EXPECT_EQ(log_json(e), golden);
}

TEST(EthJson, receipt_golden_for_a_creation_with_logs) {
    const Address from = a20("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    chain::Transaction tx;
    tx.type = chain::TxType::kDynamicFee;
    tx.chain_id = 1;
    tx.nonce = 1;
    tx.max_fee_per_gas = 100;
    tx.max_priority_fee_per_gas = 2;
    const chain::Log log{a20("0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"), {h32(0x09)}, {}};
    const auto r = chain::make_receipt(chain::TxType::kDynamicFee, true, 0x15f90, {log});
    const json got = receipt_json(r, tx, h32(0x88), from, TxContext{h32(0x99), 2, 1, 7}, 0xc350, 3);
    json golden = json::parse(R"({
      "blockHash": "0x9999999999999999999999999999999999999999999999999999999999999999",
      "blockNumber": "0x2",
      "contractAddress": "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8",
      "cumulativeGasUsed": "0x15f90",
      "effectiveGasPrice": "0x9",
      "from": "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0",
      "gasUsed": "0xc350",
      "logs": [{
        "address": "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8",
        "topics": ["0x0909090909090909090909090909090909090909090909090909090909090909"],
        "data": "0x",
        "blockNumber": "0x2",
        "transactionHash": "0x8888888888888888888888888888888888888888888888888888888888888888",
        "transactionIndex": "0x1",
        "blockHash": "0x9999999999999999999999999999999999999999999999999999999999999999",
        "logIndex": "0x3",
        "removed": false
      }],
      "status": "0x1",
      "to": null,
      "transactionHash": "0x8888888888888888888888888888888888888888888888888888888888888888",
      "transactionIndex": "0x1",
      "type": "0x2"
    })");
    golden["logsBloom"] = to_0x_hex(r.bloom);
    EXPECT_EQ(got, golden) << got.dump(2);
    EXPECT_EQ(golden["logsBloom"].get<std::string>().size(), 2u + 512u);
}

TEST(EthJson, failed_call_receipt_has_status_0_and_no_contract_address) {
    chain::Transaction tx;
    tx.to = Address{};
    tx.gas_price = 5;
    const auto r = chain::make_receipt(chain::TxType::kLegacy, false, 100, {});
    const json j = receipt_json(r, tx, h32(1), Address{}, TxContext{h32(2), 1, 0, 0}, 100, 0);
    EXPECT_EQ(j["status"], "0x0");
    EXPECT_TRUE(j["contractAddress"].is_null());
    EXPECT_EQ(j["effectiveGasPrice"], "0x5");
    EXPECT_EQ(j["type"], "0x0");
}

// --- blocks -------------------------------------------------------------------

TEST(EthJson, block_golden_without_transactions) {
    chain::BlockHeader h;
    h.parent_hash = h32(0x01);
    h.number = 0x1b4;
    h.timestamp = 0x55ba467c;
    h.proposer = a20("0x00000000000000000000000000000000000000ee");
    h.state_root = h32(0x02);
    h.transactions_root = h32(0x03);
    h.receipts_root = h32(0x04);
    h.gas_limit = 0x1c9c380;
    h.gas_used = 0;
    h.base_fee = 0x7;
    h.extra_data = {0x74, 0x72};
    chain::BlockBody body;
    const json got = block_json(h, h32(0x0f), &body, false, nullptr);
    json golden = json::parse(R"({
      "baseFeePerGas": "0x7",
      "difficulty": "0x0",
      "extraData": "0x7472",
      "gasLimit": "0x1c9c380",
      "gasUsed": "0x0",
      "hash": "0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
      "miner": "0x00000000000000000000000000000000000000ee",
      "mixHash": "0x0000000000000000000000000000000000000000000000000000000000000000",
      "nonce": "0x0000000000000000",
      "number": "0x1b4",
      "parentHash": "0x0101010101010101010101010101010101010101010101010101010101010101",
      "receiptsRoot": "0x0404040404040404040404040404040404040404040404040404040404040404",
      "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
      "stateRoot": "0x0202020202020202020202020202020202020202020202020202020202020202",
      "timestamp": "0x55ba467c",
      "totalDifficulty": "0x0",
      "transactions": [],
      "transactionsRoot": "0x0303030303030303030303030303030303030303030303030303030303030303",
      "uncles": []
    })");
    golden["logsBloom"] = "0x" + std::string(512, '0');
    golden["size"] = quantity(uint64_t(chain::encode_block(chain::Block{h, body}).size()));
    EXPECT_EQ(got, golden) << got.dump(2);
    // newHeads carries the header fields only.
    const json head = header_json(h, h32(0x0f));
    EXPECT_FALSE(head.contains("transactions"));
    EXPECT_FALSE(head.contains("size"));
    EXPECT_EQ(head["number"], "0x1b4");
}

TEST(EthJson, block_lists_hashes_or_full_transactions) {
    chain::Transaction tx;
    tx.gas_price = 1;
    tx.r = 1;
    tx.s = 1;
    chain::BlockHeader h;
    h.number = 9;
    chain::BlockBody body{{tx, tx}};
    const std::vector<Address> senders = {a20("0x00000000000000000000000000000000000000a1"),
                                          a20("0x00000000000000000000000000000000000000a2")};
    const json hashes = block_json(h, h32(5), &body, false, nullptr);
    ASSERT_EQ(hashes["transactions"].size(), 2u);
    EXPECT_EQ(hashes["transactions"][0], to_0x_hex(chain::transaction_hash(tx)));
    const json full = block_json(h, h32(5), &body, true, &senders);
    EXPECT_EQ(full["transactions"][1]["from"], "0x00000000000000000000000000000000000000a2");
    EXPECT_EQ(full["transactions"][1]["transactionIndex"], "0x1");
    EXPECT_EQ(full["transactions"][1]["blockHash"], to_0x_hex(h32(5)));
}

// --- filters and call objects ---------------------------------------------------

TEST(EthJson, filter_address_single_or_array_and_topics_with_nulls_and_or) {
    const std::string a = "0x" + std::string(40, 'a'), t1 = "0x" + std::string(64, '1'), t2 = "0x" + std::string(64, '2');
    auto q = parse_filter(json::parse(R"({"fromBlock":"0x1","toBlock":"latest","address":")" + a +
                                      R"(","topics":[null,[")" + t1 + "\",\"" + t2 + "\"],\"" + t1 + "\"]}"));
    ASSERT_TRUE(q);
    EXPECT_EQ(q->from->number, 1u);
    EXPECT_EQ(q->to->tag, BlockId::Tag::kLatest);
    ASSERT_EQ(q->filter.addresses.size(), 1u);
    ASSERT_EQ(q->filter.topics.size(), 3u);
    EXPECT_TRUE(q->filter.topics[0].empty());
    EXPECT_EQ(q->filter.topics[1].size(), 2u);
    EXPECT_EQ(q->filter.topics[2].size(), 1u);
    auto arr = parse_filter(json::parse(R"({"address":[")" + a + "\",\"" + a + "\"]}"));
    EXPECT_EQ(arr->filter.addresses.size(), 2u);
    // EIP-234: blockHash excludes a range.
    EXPECT_FALSE(parse_filter(json::parse(R"({"blockHash":")" + t1 + R"(","fromBlock":"0x1"})")));
    EXPECT_TRUE(parse_filter(json::parse(R"({"blockHash":")" + t1 + "\"}"))->block_hash);
    EXPECT_FALSE(parse_filter(json::parse(R"({"topics":[null,null,null,null,null]})")));
    EXPECT_FALSE(parse_filter(json::parse(R"({"address":"0x12"})")));
    EXPECT_FALSE(parse_filter(json::parse(R"({"topics":"x"})")));
    EXPECT_FALSE(parse_filter(json("x")));
}

TEST(EthJson, log_matching_by_address_and_topic_positions) {
    const chain::Log log{a20("0x00000000000000000000000000000000000000cc"), {h32(1), h32(2)}, {}};
    EXPECT_TRUE(log_matches(log, {}));
    EXPECT_TRUE(log_matches(log, {{log.address}, {{}, {h32(2), h32(3)}}}));
    EXPECT_FALSE(log_matches(log, {{Address{}}, {}}));
    EXPECT_FALSE(log_matches(log, {{}, {{h32(2)}}}));
    EXPECT_FALSE(log_matches(log, {{}, {{}, {}, {}}}));  // more positions than topics
}

TEST(EthJson, call_args_accept_input_or_data_and_reject_conflicts) {
    auto a = parse_call_args(json::parse(R"({"to":"0x00000000000000000000000000000000000000cc","data":"0x12","gas":"0x5208","value":"0x1"})"));
    ASSERT_TRUE(a);
    EXPECT_EQ(*a->input, Bytes{0x12});
    EXPECT_EQ(*a->gas, 21000u);
    EXPECT_FALSE(parse_call_args(json::parse(R"({"input":"0x12","data":"0x13"})")));
    EXPECT_TRUE(parse_call_args(json::parse(R"({"input":"0x12","data":"0x12"})")));
    EXPECT_FALSE(parse_call_args(json::parse(R"({"gasPrice":"0x1","maxFeePerGas":"0x2"})")));
    EXPECT_FALSE(parse_call_args(json::parse(R"({"gas":"0x01"})")));
    EXPECT_FALSE(parse_call_args(json("x")));
}

TEST(EthJson, state_overrides_parse_balance_code_and_storage) {
    const std::string a = "0x" + std::string(40, 'a'), k = "0x" + std::string(64, '1');
    auto o = parse_state_overrides(json::parse(R"({")" + a + R"(":{"balance":"0x10","nonce":"0x2","code":"0x6000","stateDiff":{")" +
                                               k + "\":\"" + k + "\"}}}"));
    ASSERT_TRUE(o);
    const auto& ov = o->begin()->second;
    EXPECT_EQ(*ov.balance, uint256(16));
    EXPECT_EQ(*ov.nonce, 2u);
    EXPECT_EQ(ov.code->size(), 2u);
    EXPECT_EQ(ov.state_diff.size(), 1u);
    EXPECT_FALSE(parse_state_overrides(json::parse(R"({")" + a + R"(":{"state":{},"stateDiff":{")" + k + "\":\"" + k + "\"}}}")));
    EXPECT_FALSE(parse_state_overrides(json::parse(R"({")" + a + R"(":{"bogus":1}})")));
    EXPECT_FALSE(parse_state_overrides(json::parse(R"({"0x12":{}})")));
}

TEST(EthJson, revert_reason_is_decoded_from_error_string) {
    // Error("Not enough") as Solidity encodes it.
    const Bytes d = *from_hex(
        "08c379a0"
        "0000000000000000000000000000000000000000000000000000000000000020"
        "000000000000000000000000000000000000000000000000000000000000000a"
        "4e6f7420656e6f75676800000000000000000000000000000000000000000000");
    EXPECT_EQ(revert_message(d), "execution reverted: Not enough");
    EXPECT_EQ(revert_message(Bytes{0x12, 0x34, 0x56, 0x78}), "execution reverted");
    // A lying length does not read out of bounds.
    Bytes bad = d;
    bad[4 + 63] = 0xff;
    EXPECT_EQ(revert_message(bad), "execution reverted");
}

TEST(EthJson, checksum_address_matches_eip55_examples) {
    EXPECT_EQ(checksum_address(a20("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
              "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    EXPECT_EQ(checksum_address(a20("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359")),
              "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
}

}  // namespace
}  // namespace trellis::rpc
