#include "crypto/keccak.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/hex.hpp"
#include "support/fixtures.hpp"

using namespace trellis;
using namespace trellis::crypto;
using trellis::test::hex_bytes;
using trellis::test::Tally;

namespace {

Hash32 h32(const std::string& hex) {
    return Hash32::from(hex_bytes(hex));
}

// Runs every byte-aligned entry of a Keccak-team KAT file ("Len = bits",
// "Msg = hex", "MD = hex"). Entries whose length is not a whole number of
// bytes test bit-level input, which Ethereum never hashes; they are counted
// as skipped. Returns the number of cases run.
int run_kat_file(const std::filesystem::path& file, const std::string& suite) {
    std::ifstream in(file);
    EXPECT_TRUE(in) << file;
    Tally t(suite);
    std::string line;
    long len_bits = -1;
    std::string msg;
    int cases = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("Len = ", 0) == 0) {
            len_bits = std::stol(line.substr(6));
        } else if (line.rfind("Msg = ", 0) == 0) {
            msg = line.substr(6);
        } else if (line.rfind("MD = ", 0) == 0) {
            const std::string name = "Len=" + std::to_string(len_bits);
            if (len_bits < 0) {
                t.fail(name, "MD without Len");
                continue;
            }
            if (len_bits % 8 != 0) {
                t.skip(name, "bit-level message length");
                continue;
            }
            ++cases;
            Bytes m = hex_bytes(msg);
            m.resize(size_t(len_bits / 8));  // Len = 0 carries a placeholder "00"
            const Hash32 want = h32(line.substr(5));
            if (keccak256(m) != want) {
                t.fail(name, "one-shot digest mismatch");
                continue;
            }
            // The incremental path must agree for an awkward split too.
            Keccak256 k;
            const size_t cut = m.size() / 3;
            k.update(ByteView(m).first(cut));
            k.update(ByteView(m).subspan(cut));
            if (k.finalize() != want) {
                t.fail(name, "incremental digest mismatch");
                continue;
            }
            t.pass();
            len_bits = -1;
        }
    }
    EXPECT_EQ(t.failed(), 0);
    return cases;
}

}  // namespace

TEST(Keccak, empty_input_is_ethereums_empty_code_hash) {
    EXPECT_EQ(to_hex(keccak256({})), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    Keccak256 k;
    EXPECT_EQ(to_hex(k.finalize()), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(Keccak, uses_original_padding_not_sha3) {
    // SHA3-256("") = a7ffc6f8...; Keccak-256("") must differ from it.
    EXPECT_NE(to_hex(keccak256({})), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    EXPECT_EQ(to_hex(keccak256(as_view("abc"))),
              "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(Keccak, incremental_equals_one_shot_at_every_split_point) {
    // 3 * rate + 7 bytes crosses several block boundaries.
    Bytes data(3 * Keccak256::kRate + 7);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + 7);
    for (size_t len : {size_t(0), size_t(1), Keccak256::kRate - 1, Keccak256::kRate, Keccak256::kRate + 1,
                       2 * Keccak256::kRate, data.size()}) {
        const ByteView msg = ByteView(data).first(len);
        const Hash32 want = keccak256(msg);
        for (size_t cut = 0; cut <= len; ++cut) {
            Keccak256 k;
            k.update(msg.first(cut));
            k.update(msg.subspan(cut));
            ASSERT_EQ(k.finalize(), want) << "len " << len << " cut " << cut;
        }
        // Byte-at-a-time feeding too.
        Keccak256 k;
        for (size_t i = 0; i < len; ++i) k.update(msg.subspan(i, 1));
        ASSERT_EQ(k.finalize(), want) << "len " << len << " bytewise";
    }
}

TEST(Keccak, unaligned_input_hashes_like_aligned_input) {
    Bytes buf(1024 + 1);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i ^ 0x5a);
    Bytes aligned(buf.begin() + 1, buf.end());
    EXPECT_EQ(keccak256(ByteView(buf).subspan(1)), keccak256(aligned));
}

TEST(Keccak, permutation_of_zero_state_matches_reference) {
    // Keccak team's KeccakF-1600-IntermediateValues: first lane of f(0).
    uint64_t st[25]{};
    keccak_f1600(st);
    EXPECT_EQ(st[0], 0xF1258F7940E1DDE7ULL);
    EXPECT_EQ(st[1], 0x84D5CCF933C0478AULL);
    EXPECT_EQ(st[24], 0xEAF1FF7B5CECA249ULL);
}

TEST(KeccakConformance, short_msg_kat) {
    TRELLIS_FIXTURE_PATH(p, "crypto/keccak256/ShortMsgKAT_256.txt");
    EXPECT_GT(run_kat_file(p, "keccak256 ShortMsgKAT_256"), 100);
}

TEST(KeccakConformance, long_msg_kat) {
    TRELLIS_FIXTURE_PATH(p, "crypto/keccak256/LongMsgKAT_256.txt");
    EXPECT_GT(run_kat_file(p, "keccak256 LongMsgKAT_256"), 10);
}

TEST(KeccakConformance, short_msg_kat_json) {
    TRELLIS_FIXTURE_PATH(p, "crypto/keccak256/keccak256_shortmsg_kat.json");
    const auto j = trellis::test::load_json(p);
    Tally t("keccak256 shortmsg json");
    for (const auto& v : j.at("vectors")) {
        const long bits = v.at("len_bits").get<long>();
        const Bytes msg = hex_bytes(v.at("msg").get<std::string>());
        const std::string name = "len_bits=" + std::to_string(bits);
        if (long(msg.size()) * 8 != bits) {
            t.fail(name, "msg length disagrees with len_bits");
            continue;
        }
        if (keccak256(msg) == h32(v.at("md").get<std::string>()))
            t.pass();
        else
            t.fail(name, "digest mismatch");
    }
    EXPECT_GT(t.passed(), 100);
}
