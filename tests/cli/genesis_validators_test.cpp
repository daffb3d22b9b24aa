// `trellis genesis new --validator SPEC --observer CERT`: validators from key
// files or public keys, node ids from certificates, one-line errors.
#include "cli/genesis_validators.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/hex.hpp"
#include "p2p/ca.hpp"
#include "support/temp_dir.hpp"

using namespace trellis;
namespace fs = std::filesystem;

namespace {

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-genval") {}
};

Bytes32 key(uint8_t b) {
    Bytes32 k;
    k.bytes.fill(b);
    return k;
}

std::string write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
    return p.string();
}

std::string error_of(const std::string& spec) {
    auto r = cli::parse_validator_spec(spec, crypto::ethereum_suite());
    return r ? std::string() : r.error();
}

}  // namespace

TEST(GenesisValidatorSpec, key_file_stake_and_certificate_make_a_bound_validator) {
    TempDir t;
    ASSERT_TRUE(p2p::ca::init_ca(t.path / "ca"));
    auto issued = p2p::ca::issue_node(t.path / "ca", "v0", t.path / "v0");
    ASSERT_TRUE(issued);
    const auto& suite = crypto::ethereum_suite();
    const std::string key_file = write(t.path / "v0.key", "  0x" + to_hex(key(5).view()) + "\n");
    auto v =
        cli::parse_validator_spec("key=" + key_file + ",stake=250,cert=" + issued->cert_file.string(), suite);
    ASSERT_TRUE(v) << v.error();
    const auto pub = suite.public_key(key(5)).value();
    EXPECT_EQ(v->public_key, pub);
    EXPECT_EQ(v->address, suite.address_of(pub));
    EXPECT_EQ(v->stake, uint256(250));
    EXPECT_EQ(v->node_id, issued->node_id);

    auto observer = cli::node_id_of_certificate_file(issued->cert_file.string());
    ASSERT_TRUE(observer) << observer.error();
    EXPECT_EQ(*observer, issued->node_id);
}

TEST(GenesisValidatorSpec, a_public_key_without_certificate_is_unbound) {
    const auto& suite = crypto::ethereum_suite();
    const auto pub = suite.public_key(key(6)).value();
    auto v = cli::parse_validator_spec("key=" + to_0x_hex(pub.view()) + ",stake=7", suite);
    ASSERT_TRUE(v) << v.error();
    EXPECT_EQ(v->public_key, pub);
    EXPECT_EQ(v->address, suite.address_of(pub));
    EXPECT_EQ(v->stake, uint256(7));
    EXPECT_TRUE(v->node_id.is_zero());
    // An SM2 public key under the SM suite (whose addresses use SM3).
    const auto sm_pub = crypto::sm_suite().public_key(key(6)).value();
    auto sm = cli::parse_validator_spec("key=" + to_0x_hex(sm_pub.view()) + ",stake=7", crypto::sm_suite());
    ASSERT_TRUE(sm) << sm.error();
    EXPECT_EQ(sm->address, crypto::sm_suite().address_of(sm_pub));
}

TEST(GenesisValidatorSpec, the_legacy_private_key_form_still_works) {
    const auto& suite = crypto::ethereum_suite();
    auto v = cli::parse_validator_spec(to_0x_hex(key(8).view()) + "=42", suite);
    ASSERT_TRUE(v) << v.error();
    EXPECT_EQ(v->public_key, suite.public_key(key(8)).value());
    EXPECT_EQ(v->stake, uint256(42));
}

TEST(GenesisValidatorSpec, errors_are_one_line_and_say_what_is_wrong) {
    TempDir t;
    const std::string good_key = write(t.path / "k", to_hex(key(5).view()));
    const std::string pub = to_0x_hex(crypto::ethereum_suite().public_key(key(5)).value().view());
    const auto has = [](const std::string& msg, const std::string& part) {
        return msg.find(part) != std::string::npos && msg.find('\n') == std::string::npos;
    };
    EXPECT_TRUE(has(error_of("key=" + good_key), "stake=N is required"));
    EXPECT_TRUE(has(error_of("key=" + good_key + ",stake=0"), "stake: must be nonzero"));
    EXPECT_TRUE(has(error_of("key=" + good_key + ",stake=0x10"), "stake: expected a decimal number"));
    EXPECT_TRUE(has(error_of("key=" + good_key + ",stake=1,weight=2"), "unknown field 'weight'"));
    EXPECT_TRUE(has(error_of("key=" + good_key + ",stake=1,stake=2"), "stake given twice"));
    EXPECT_TRUE(has(error_of("key=" + good_key + ",stake"), "expected NAME=VALUE"));
    EXPECT_TRUE(
        has(error_of("key=" + (t.path / "missing").string() + ",stake=1"), "cannot read validator key file"));
    EXPECT_TRUE(has(error_of("key=" + write(t.path / "bad", "xyz") + ",stake=1"), "expected 64 hex digits"));
    EXPECT_TRUE(has(error_of("key=0x1234,stake=1"), "128 hex digits"));
    Bytes off_curve(64, 0x11);
    EXPECT_TRUE(has(error_of("key=" + to_0x_hex(off_curve) + ",stake=1"),
                    "not a point on the ethereum suite's curve"));
    EXPECT_TRUE(has(error_of("key=" + pub + ",stake=1,cert=" + (t.path / "none.crt").string()),
                    "cert: cannot read certificate"));
    EXPECT_TRUE(has(error_of("key=" + pub + ",stake=1,cert=" + good_key), "cert: "));
    EXPECT_TRUE(has(error_of("nonsense"), "expected key=FILE|0xPUBKEY,stake=N"));
    EXPECT_EQ(error_of("key=" + pub + ",stake=1"), "");
}
