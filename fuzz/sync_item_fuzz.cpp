// libFuzzer target for block-sync items (consensus/sync.hpp: the entries of a
// p2p Blocks answer, [consensus block, QC], which a node decodes from any
// peer before verifying them).
// Properties: decoding never crashes; whatever decodes re-encodes to exactly
// the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "consensus/signer.hpp"
#include "crypto/suite.hpp"
#include "consensus/sync.hpp"

using namespace trellis;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const consensus::SuiteScheme scheme(crypto::ethereum_suite(), std::nullopt);
    const ByteView in(data, size);
    auto d = consensus::decode_sync_item(in, scheme);
    if (!d) return 0;
    const Bytes again = consensus::encode_sync_item(d->block, d->qc);
    if (!equal(again, in)) std::abort();
    return 0;
}
