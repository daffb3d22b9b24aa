#include "cli/fixture_json.hpp"

#include <string>

#include "base/hex.hpp"
#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"

namespace trellis::cli::fixture {

uint256 num(const nlohmann::json& j) {
    const auto r = parse_uint256(j.get<std::string>());
    if (!r) throw FixtureError("bad number: " + j.get<std::string>());
    return *r;
}

uint64_t num64(const nlohmann::json& j) {
    const uint256 v = num(j);
    if (!v.fits_u64()) throw FixtureError("number above 2^64: " + j.get<std::string>());
    return uint64_t(v);
}

Bytes bytes(const nlohmann::json& j) {
    auto r = from_hex(j.get<std::string>());
    if (!r) throw FixtureError("bad hex: " + j.get<std::string>().substr(0, 40));
    return std::move(r).value();
}

Address address(const nlohmann::json& j) { return Address::right_aligned(bytes(j)); }

Bytes32 word(const nlohmann::json& j) { return num(j).to_be(); }

Hash32 logs_hash(const std::vector<evm::Log>& logs) {
    Bytes out;
    const size_t outer = rlp::begin_list(out);
    for (const auto& log : logs) {
        const size_t item = rlp::begin_list(out);
        rlp::encode_string(out, log.address.view());
        const size_t topics = rlp::begin_list(out);
        for (const auto& t : log.topics) rlp::encode_string(out, t.view());
        rlp::end_list(out, topics);
        rlp::encode_string(out, log.data);
        rlp::end_list(out, item);
    }
    rlp::end_list(out, outer);
    return crypto::keccak256(out);
}

Hash32 test_block_hash(uint64_t n) { return crypto::keccak256(as_view(std::to_string(n))); }

}  // namespace trellis::cli::fixture
