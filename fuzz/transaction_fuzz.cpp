// libFuzzer target for transaction decoding (chain/transaction.hpp).
// Properties: decoding never crashes; whatever decodes re-encodes to exactly
// the input (so the hash cannot be malleated) and decodes again to the same
// transaction; hashing, intrinsic gas and validation run without crashing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "chain/transaction.hpp"

using namespace trellis;
using namespace trellis::chain;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ByteView in(data, size);
    auto tx = decode_transaction(in);
    if (!tx) return 0;

    const Bytes re = encode_transaction(*tx);
    if (!equal(re, in)) std::abort();
    if (encoded_length(*tx) != size) std::abort();
    auto again = decode_transaction(re);
    if (!again || !(*again == *tx)) std::abort();

    (void)transaction_hash(*tx);
    (void)signing_hash(*tx);
    (void)intrinsic_gas(*tx);
    ValidationRules rules;
    rules.chain_id = 1;
    (void)validate_and_recover(*tx, rules);
    return 0;
}
