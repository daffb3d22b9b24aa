// Key derivation functions of the keystores (RFC 7914 vectors).
#include "crypto/kdf.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"

using namespace trellis;

TEST(Kdf, pbkdf2_sha256_matches_rfc7914_vector) {
    // RFC 7914 §11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64).
    auto dk = crypto::pbkdf2_hmac_sha256(as_view("passwd"), as_view("salt"), 1, 64);
    ASSERT_TRUE(dk);
    EXPECT_EQ(to_hex(*dk),
              "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
              "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

TEST(Kdf, scrypt_matches_rfc7914_vector) {
    // RFC 7914 §12: scrypt("password", "NaCl", N=1024, r=8, p=16, 64).
    auto dk = crypto::scrypt(as_view("password"), as_view("NaCl"), 1024, 8, 16, 64);
    ASSERT_TRUE(dk);
    EXPECT_EQ(to_hex(*dk),
              "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
              "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}
