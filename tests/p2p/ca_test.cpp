#include "p2p/ca.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>

#include "base/hex.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace trellis;
using namespace trellis::p2p;


namespace {

/// Each test's directory (tests/support/temp_dir.hpp).
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("trellis-ca") {}
};

std::string slurp(const fs::path& p) {
    auto r = ca::read_file(p);
    EXPECT_TRUE(r.ok()) << p;
    return r.ok() ? *r : std::string();
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST(Ca, issued_certificate_verifies_against_its_ca) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca").ok());
    auto issued = ca::issue_node(t.path / "ca", "node-1", t.path / "out");
    ASSERT_TRUE(issued.ok()) << ca::to_string(issued.error());
    EXPECT_EQ(issued->cert_file, t.path / "out" / "node-1.crt");
    EXPECT_TRUE(fs::exists(issued->ca_file));
    EXPECT_EQ(slurp(issued->ca_file), slurp(t.path / "ca" / "ca.crt"));
    EXPECT_TRUE(ca::verify_node_certificate(slurp(issued->ca_file), slurp(issued->cert_file)).ok());
    // The CA certificate is self-signed and verifies against itself too.
    EXPECT_NE(slurp(issued->key_file).find("PRIVATE KEY"), std::string::npos);
}

TEST(Ca, certificate_from_another_ca_is_rejected) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca1").ok());
    ASSERT_TRUE(ca::init_ca(t.path / "ca2").ok());
    auto issued = ca::issue_node(t.path / "ca1", "n", t.path / "out");
    ASSERT_TRUE(issued.ok());
    auto r = ca::verify_node_certificate(slurp(t.path / "ca2" / "ca.crt"), slurp(issued->cert_file));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ca::CaError::kNotIssuedByCa);
}

TEST(Ca, node_id_is_sha256_of_the_public_key_and_differs_per_node) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca").ok());
    auto a = ca::issue_node(t.path / "ca", "a", t.path / "out");
    auto b = ca::issue_node(t.path / "ca", "b", t.path / "out");
    ASSERT_TRUE(a.ok() && b.ok());
    auto id_a = ca::node_id_of_certificate(slurp(a->cert_file));
    ASSERT_TRUE(id_a.ok());
    EXPECT_EQ(*id_a, a->node_id);
    EXPECT_NE(a->node_id, b->node_id);
    EXPECT_NE(a->node_id, Hash32{});
}

TEST(Ca, key_files_are_owner_only) {
    TempDir t;
    ::umask(022);
    ASSERT_TRUE(ca::init_ca(t.path / "ca").ok());
    EXPECT_EQ(mode_of(t.path / "ca" / "ca.key"), 0600u);
    auto issued = ca::issue_node(t.path / "ca", "n", t.path / "out");
    ASSERT_TRUE(issued.ok());
    EXPECT_EQ(mode_of(issued->key_file), 0600u);
    EXPECT_EQ(mode_of(issued->cert_file), 0644u);
}

TEST(Ca, never_overwrites_existing_keys) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca").ok());
    const std::string before = slurp(t.path / "ca" / "ca.key");
    auto again = ca::init_ca(t.path / "ca");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error(), ca::CaError::kExists);
    EXPECT_EQ(slurp(t.path / "ca" / "ca.key"), before);
    ASSERT_TRUE(ca::issue_node(t.path / "ca", "n", t.path / "out").ok());
    auto dup = ca::issue_node(t.path / "ca", "n", t.path / "out");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error(), ca::CaError::kExists);
}

TEST(Ca, rejects_names_that_are_not_safe_file_names) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca").ok());
    for (const char* bad : {"", "../x", "a/b", ".hidden", "a b", "x\n"}) {
        auto r = ca::issue_node(t.path / "ca", bad, t.path / "out");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error(), ca::CaError::kBadName);
    }
    EXPECT_FALSE(ca::issue_node(t.path / "ca", std::string(65, 'a'), t.path / "out").ok());
}

TEST(Ca, malformed_inputs_are_errors_not_crashes) {
    EXPECT_EQ(ca::node_id_of_certificate("not a pem").error(), ca::CaError::kMalformed);
    EXPECT_EQ(ca::verify_node_certificate("x", "y").error(), ca::CaError::kMalformed);
    TempDir t;
    auto r = ca::issue_node(t.path / "missing", "n", t.path / "out");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ca::CaError::kIo);
}

TEST(Ca, mismatched_ca_key_is_detected) {
    TempDir t;
    ASSERT_TRUE(ca::init_ca(t.path / "ca1").ok());
    ASSERT_TRUE(ca::init_ca(t.path / "ca2").ok());
    fs::copy_file(t.path / "ca2" / "ca.key", t.path / "ca1" / "ca.key", fs::copy_options::overwrite_existing);
    auto r = ca::issue_node(t.path / "ca1", "n", t.path / "out");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ca::CaError::kKeyMismatch);
}
