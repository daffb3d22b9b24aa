#include "crypto/hash.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "base/hex.hpp"

using namespace trellis;
using namespace trellis::crypto;

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
TEST(Sha256, matches_fips_180_examples) {
    EXPECT_EQ(to_hex(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256(as_view("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256(as_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million_a(1000000, 'a');
    EXPECT_EQ(to_hex(sha256(as_view(million_a))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// The RIPEMD-160 authors' test vectors (Dobbertin, Bosselaers, Preneel).
TEST(Ripemd160, matches_reference_vectors) {
    EXPECT_EQ(to_hex(ripemd160({})), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
    EXPECT_EQ(to_hex(ripemd160(as_view("a"))), "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe");
    EXPECT_EQ(to_hex(ripemd160(as_view("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    EXPECT_EQ(to_hex(ripemd160(as_view("message digest"))), "5d0689ef49d2fae572b881b123a85ffa21595f36");
    EXPECT_EQ(to_hex(ripemd160(as_view(
                  "12345678901234567890123456789012345678901234567890123456789012345678901234567890"))),
              "9b752e45573d4b39f4dbd3323cab82bf63326bfb");
}

TEST(Hash, concurrent_first_use_is_safe_and_consistent) {
    std::vector<std::thread> threads;
    std::vector<std::string> out(8);
    for (size_t i = 0; i < out.size(); ++i)
        threads.emplace_back([&out, i] {
            for (int k = 0; k < 200; ++k)
                out[i] = to_hex(ripemd160(as_view("abc"))) + to_hex(sha256(as_view("abc")));
        });
    for (auto& t : threads) t.join();
    for (const auto& s : out) EXPECT_EQ(s, out[0]);
}
