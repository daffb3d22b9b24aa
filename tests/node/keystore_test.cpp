#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/secp256k1.hpp"
#include "node/keystore.hpp"

using namespace trellis;

namespace {
// The Web3 Secret Storage Definition's test vectors (also go-ethereum's
// accounts/keystore testdata): password "testpassword".
const char* kScryptVector = R"({
  "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c", "kdf": "scrypt",
    "kdfparams": {"dklen": 32, "n": 262144, "r": 1, "p": 8,
                  "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3})";
const char* kVectorKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
}  // namespace

TEST(Keystore, decrypts_the_web3_secret_storage_scrypt_test_vector) {
    auto key = node::decrypt_key(kScryptVector, "testpassword");
    ASSERT_TRUE(key) << node::to_string(key.error());
    EXPECT_EQ(to_hex(key->view()), kVectorKey);
    EXPECT_EQ(node::decrypt_key(kScryptVector, "wrong").error(), node::KeystoreError::kWrongPassword);
}

TEST(Keystore, encrypt_then_decrypt_round_trips_and_records_the_address) {
    const Bytes32 key = Bytes32::from(from_hex(kVectorKey).value());
    const std::string file = node::encrypt_key(key, "pw", node::ScryptParams{1u << 10, 8, 1});
    auto back = node::decrypt_key(file, "pw");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, key);
    // The address recorded in the file is the key's own (geth's keystore
    // format: lower-case hex without 0x).
    const Address expected = crypto::secp256k1::address_of(crypto::secp256k1::public_key(key).value());
    EXPECT_EQ(node::keyfile_address(file), to_hex(expected.view()));
    EXPECT_EQ(node::keyfile_address(file), "008aeeda4d805471df9b2a5b0f38a0c3bcba786b");
}

TEST(Keystore, hostile_files_get_errors_not_work) {
    EXPECT_EQ(node::decrypt_key("{", "x").error(), node::KeystoreError::kMalformed);
    EXPECT_EQ(node::decrypt_key(R"({"version": 3, "crypto": {}})", "x").error(), node::KeystoreError::kMalformed);
    std::string huge = kScryptVector;
    huge.replace(huge.find("262144"), 6, "1073741824");  // 2^30: 128 GiB of scrypt memory
    EXPECT_EQ(node::decrypt_key(huge, "testpassword").error(), node::KeystoreError::kParametersTooLarge);
    std::string cbc = kScryptVector;
    cbc.replace(cbc.find("aes-128-ctr"), 11, "aes-128-cbc");
    EXPECT_EQ(node::decrypt_key(cbc, "testpassword").error(), node::KeystoreError::kUnsupported);
}
