#include "chain/transaction.hpp"

#include "codec/rlp.hpp"
#include "crypto/keccak.hpp"

namespace trellis::chain {

namespace {

using rlp::ListReader;
using rlp::RlpError;

constexpr size_t kAddressItemLength = 1 + Address::kSize;     // 0x94 || 20 bytes
constexpr size_t kStorageKeyItemLength = 1 + Bytes32::kSize;  // 0xa0 || 32 bytes

// ---------------------------------------------------------------------------
// Decoding

/// The transaction-level reason for an RLP error in a field; integer overflow
/// is reported per field by the caller (overflow).
TxError from_rlp(RlpError e, TxError overflow = TxError::kRlpMalformed) noexcept {
    switch (e) {
        case RlpError::kTrailingBytes: return TxError::kRlpTrailingBytes;
        case RlpError::kExpectedString: return TxError::kRlpUnexpectedList;
        case RlpError::kExpectedList: return TxError::kRlpExpectedList;
        case RlpError::kLeadingZeroInInteger: return TxError::kRlpLeadingZeros;
        case RlpError::kIntegerOverflow: return overflow;
        case RlpError::kMissingItem: return TxError::kRlpTooFewFields;
        case RlpError::kTooManyItems: return TxError::kRlpTooManyFields;
        case RlpError::kInputTooShort:
        case RlpError::kLengthBeyondInput:
        case RlpError::kNonCanonicalLength:
        case RlpError::kLeadingZeroInLength:
        case RlpError::kNonCanonicalSingleByte:
        case RlpError::kTooDeep:
        case RlpError::kWrongFixedSize: return TxError::kRlpMalformed;
    }
    return TxError::kRlpMalformed;
}

// Each reader consumes one field from the list, mapping errors to TxError.
// They return false and set *err on failure so decode reads as a flat list.
struct FieldReader {
    ListReader list;
    TxError err = TxError::kRlpMalformed;

    bool u64(uint64_t& out, TxError overflow) {
        auto r = list.read_uint64();
        if (!r) return fail(from_rlp(r.error(), overflow));
        out = *r;
        return true;
    }
    bool u256(uint256& out, TxError overflow) {
        auto r = list.read_uint256();
        if (!r) return fail(from_rlp(r.error(), overflow));
        out = *r;
        return true;
    }
    bool bytes(Bytes& out) {
        auto r = list.read_bytes();
        if (!r) return fail(from_rlp(r.error()));
        out.assign(r->begin(), r->end());
        return true;
    }
    /// `to`: empty for a creation, else exactly 20 bytes.
    bool to(std::optional<Address>& out) {
        auto r = list.read_bytes();
        if (!r) return fail(from_rlp(r.error()));
        if (r->empty()) {
            out.reset();
        } else if (r->size() == Address::kSize) {
            out = Address::from(*r);
        } else {
            return fail(TxError::kInvalidToAddress);
        }
        return true;
    }
    /// EIP-2930: [[address, [storageKey, ...]], ...].
    bool access_list(AccessList& out) {
        auto entries = list.read_list();
        if (!entries) return fail(from_rlp(entries.error()));
        while (!entries->at_end()) {
            auto entry = entries->read_list();
            if (!entry) return fail(from_rlp(entry.error()));
            auto addr = entry->read_bytes();
            if (!addr) return fail(from_rlp(addr.error()));
            if (addr->size() != Address::kSize) return fail(TxError::kInvalidAccessListAddress);
            auto keys = entry->read_list();
            if (!keys) return fail(from_rlp(keys.error()));
            if (auto done = entry->finish(); !done) return fail(from_rlp(done.error()));
            AccessListEntry& e = out.emplace_back();
            e.address = Address::from(*addr);
            while (!keys->at_end()) {
                auto key = keys->read_bytes();
                if (!key) return fail(from_rlp(key.error()));
                if (key->size() != Bytes32::kSize) return fail(TxError::kInvalidStorageKey);
                e.storage_keys.push_back(Bytes32::from(*key));
            }
        }
        return true;
    }
    bool finish() {
        if (auto r = list.finish(); !r) return fail(from_rlp(r.error()));
        return true;
    }
    bool fail(TxError e) {
        err = e;
        return false;
    }
};

/// Opens the single RLP list that must make up all of in.
Result<ListReader, TxError> open_body(ByteView in) {
    auto list = ListReader::open(in);
    if (!list) return Unexpected{from_rlp(list.error())};
    if (!in.empty()) return Unexpected{TxError::kRlpTrailingBytes};
    return *list;
}

Result<Transaction, TxError> decode_legacy(ByteView in) {
    auto body = open_body(in);
    if (!body) return Unexpected{body.error()};
    FieldReader f{*body};
    Transaction tx;
    uint256 v;
    const bool ok = f.u64(tx.nonce, TxError::kNonceTooLarge) && f.u256(tx.gas_price, TxError::kFeeTooLarge) &&
                    f.u64(tx.gas_limit, TxError::kGasLimitTooLarge) && f.to(tx.to) &&
                    f.u256(tx.value, TxError::kValueTooLarge) && f.bytes(tx.data) &&
                    f.u256(v, TxError::kInvalidV) && f.u256(tx.r, TxError::kSignatureValueTooLarge) &&
                    f.u256(tx.s, TxError::kSignatureValueTooLarge) && f.finish();
    if (!ok) return Unexpected{f.err};

    // Yellow Paper: v = 27 + y; EIP-155: v = chain_id * 2 + 35 + y.
    if (v == 27 || v == 28) {
        tx.y_parity = uint8_t(uint64_t(v) - 27);
    } else if (v >= 35) {
        const uint256 d = v - 35;
        const uint256 chain = uint256{(d.w[0] >> 1) | (d.w[1] << 63), (d.w[1] >> 1) | (d.w[2] << 63),
                                      (d.w[2] >> 1) | (d.w[3] << 63), d.w[3] >> 1};
        if (!chain.fits_u64()) return Unexpected{TxError::kChainIdTooLarge};
        tx.chain_id = uint64_t(chain);
        tx.y_parity = uint8_t(d.w[0] & 1);
    } else {
        return Unexpected{TxError::kInvalidV};
    }
    return tx;
}

Result<Transaction, TxError> decode_typed(TxType type, ByteView in) {
    auto body = open_body(in);
    if (!body) return Unexpected{body.error()};
    FieldReader f{*body};
    Transaction tx;
    tx.type = type;
    uint64_t chain_id = 0;
    uint64_t y = 0;
    bool ok = f.u64(chain_id, TxError::kChainIdTooLarge) && f.u64(tx.nonce, TxError::kNonceTooLarge);
    if (type == TxType::kDynamicFee)
        ok = ok && f.u256(tx.max_priority_fee_per_gas, TxError::kFeeTooLarge) &&
             f.u256(tx.max_fee_per_gas, TxError::kFeeTooLarge);
    else
        ok = ok && f.u256(tx.gas_price, TxError::kFeeTooLarge);
    ok = ok && f.u64(tx.gas_limit, TxError::kGasLimitTooLarge) && f.to(tx.to) &&
         f.u256(tx.value, TxError::kValueTooLarge) && f.bytes(tx.data) && f.access_list(tx.access_list) &&
         f.u64(y, TxError::kInvalidYParity) && f.u256(tx.r, TxError::kSignatureValueTooLarge) &&
         f.u256(tx.s, TxError::kSignatureValueTooLarge) && f.finish();
    if (!ok) return Unexpected{f.err};
    if (y > 1) return Unexpected{TxError::kInvalidYParity};  // EIP-2930: signatureYParity is 0 or 1
    tx.chain_id = chain_id;
    tx.y_parity = uint8_t(y);
    return tx;
}

// ---------------------------------------------------------------------------
// Encoding: one field walk drives both the length pass and the write pass, so
// the two cannot disagree, and the output is allocated once.

enum class Form {
    kNetwork,  ///< with the signature
    kSigning,  ///< what is hashed for the signature
};

size_t access_list_payload_length(const AccessList& al) noexcept {
    size_t n = 0;
    for (const auto& e : al) {
        const size_t keys = e.storage_keys.size() * kStorageKeyItemLength;
        n += rlp::length_of_list(kAddressItemLength + rlp::length_of_list(keys));
    }
    return n;
}

struct LengthSink {
    size_t n = 0;
    void uint(uint64_t v) { n += rlp::length_of_uint(v); }
    void uint(const uint256& v) { n += rlp::length_of_uint(v); }
    void string(ByteView b) { n += rlp::length_of_string(b); }
    void access_list(const AccessList& al) { n += rlp::length_of_list(access_list_payload_length(al)); }
};

struct WriteSink {
    Bytes& out;
    void uint(uint64_t v) { rlp::encode_uint(out, v); }
    void uint(const uint256& v) { rlp::encode_uint(out, v); }
    void string(ByteView b) { rlp::encode_string(out, b); }
    void access_list(const AccessList& al) {
        rlp::encode_header(out, true, access_list_payload_length(al));
        for (const auto& e : al) {
            const size_t keys = e.storage_keys.size() * kStorageKeyItemLength;
            rlp::encode_header(out, true, kAddressItemLength + rlp::length_of_list(keys));
            rlp::encode_string(out, e.address);
            rlp::encode_header(out, true, keys);
            for (const auto& k : e.storage_keys) rlp::encode_string(out, k);
        }
    }
};

/// The legacy wire v (Yellow Paper / EIP-155).
uint256 legacy_v(const Transaction& tx) noexcept {
    if (!tx.chain_id) return uint256{27u + tx.y_parity};
    const uint256 c{*tx.chain_id};
    return c + c + uint256{35u + tx.y_parity};
}

template <class Sink>
void visit_fields(const Transaction& tx, Form form, Sink& s) {
    const ByteView to = tx.to ? tx.to->view() : ByteView{};
    if (tx.type == TxType::kLegacy) {
        s.uint(tx.nonce);
        s.uint(tx.gas_price);
        s.uint(tx.gas_limit);
        s.string(to);
        s.uint(tx.value);
        s.string(tx.data);
        if (form == Form::kNetwork) {
            s.uint(legacy_v(tx));
            s.uint(tx.r);
            s.uint(tx.s);
        } else if (tx.chain_id) {  // EIP-155: sign over [.., chainId, 0, 0]
            s.uint(*tx.chain_id);
            s.uint(uint64_t{0});
            s.uint(uint64_t{0});
        }
        return;
    }
    TRELLIS_ASSERT(tx.chain_id.has_value());
    s.uint(*tx.chain_id);
    s.uint(tx.nonce);
    if (tx.type == TxType::kDynamicFee) {
        s.uint(tx.max_priority_fee_per_gas);
        s.uint(tx.max_fee_per_gas);
    } else {
        s.uint(tx.gas_price);
    }
    s.uint(tx.gas_limit);
    s.string(to);
    s.uint(tx.value);
    s.string(tx.data);
    s.access_list(tx.access_list);
    if (form == Form::kNetwork) {
        s.uint(uint64_t{tx.y_parity});
        s.uint(tx.r);
        s.uint(tx.s);
    }
}

void check_encodable(const Transaction& tx) {
    TRELLIS_ASSERT(tx.type == TxType::kLegacy || tx.type == TxType::kAccessList ||
                   tx.type == TxType::kDynamicFee);
    TRELLIS_ASSERT(tx.y_parity <= 1);
}

size_t payload_length(const Transaction& tx, Form form) {
    LengthSink len;
    visit_fields(tx, form, len);
    return len.n;
}

/// type byte (typed only) || RLP list of the fields.
Bytes encode_form(const Transaction& tx, Form form) {
    check_encodable(tx);
    const size_t payload = payload_length(tx, form);
    const bool typed = tx.type != TxType::kLegacy;
    Bytes out;
    out.reserve(size_t(typed) + rlp::length_of_list(payload));
    if (typed) out.push_back(uint8_t(tx.type));
    rlp::encode_header(out, true, payload);
    WriteSink w{out};
    visit_fields(tx, form, w);
    TRELLIS_ASSERT(out.size() == size_t(typed) + rlp::length_of_list(payload));
    return out;
}

/// a * b when it fits in 256 bits.
std::optional<uint256> checked_mul(const uint256& a, uint64_t b) noexcept {
    uint256 r;
    unsigned __int128 carry = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 p = (unsigned __int128)a.w[i] * b + carry;
        r.w[i] = uint64_t(p);
        carry = p >> 64;
    }
    if (carry) return std::nullopt;
    return r;
}

}  // namespace

const char* to_string(TxError e) noexcept {
    switch (e) {
        case TxError::kEmptyInput: return "empty transaction";
        case TxError::kMalformedEnvelope: return "not a legacy RLP list nor a typed transaction envelope";
        case TxError::kUnsupportedType: return "transaction type not supported";
        case TxError::kRlpMalformed: return "rlp: malformed or non-canonical encoding";
        case TxError::kRlpTrailingBytes: return "rlp: trailing bytes after transaction";
        case TxError::kRlpLeadingZeros: return "rlp: integer field has leading zeros";
        case TxError::kRlpUnexpectedList: return "rlp: list where a field value is required";
        case TxError::kRlpExpectedList: return "rlp: field value where a list is required";
        case TxError::kRlpTooFewFields: return "rlp: too few fields";
        case TxError::kRlpTooManyFields: return "rlp: too many fields";
        case TxError::kNonceTooLarge: return "nonce exceeds 64 bits";
        case TxError::kGasLimitTooLarge: return "gas limit exceeds 64 bits";
        case TxError::kFeeTooLarge: return "gas price or fee cap exceeds 256 bits";
        case TxError::kValueTooLarge: return "value exceeds 256 bits";
        case TxError::kChainIdTooLarge: return "chain id exceeds 64 bits";
        case TxError::kInvalidToAddress: return "recipient address must be empty or 20 bytes";
        case TxError::kInvalidAccessListAddress: return "access list address must be 20 bytes";
        case TxError::kInvalidStorageKey: return "access list storage key must be 32 bytes";
        case TxError::kSignatureValueTooLarge: return "signature r or s exceeds 32 bytes";
        case TxError::kInvalidV: return "invalid signature v value";
        case TxError::kInvalidYParity: return "signature y parity must be 0 or 1";
        case TxError::kTxTooLarge: return "transaction too large";
        case TxError::kWrongChainId: return "invalid chain id";
        case TxError::kUnprotectedNotAllowed: return "only replay-protected (EIP-155) transactions allowed";
        case TxError::kNonceMax: return "nonce has max value";
        case TxError::kInitcodeTooLarge: return "max initcode size exceeded";
        case TxError::kIntrinsicGasTooLow: return "intrinsic gas too low";
        case TxError::kPriorityFeeAboveMaxFee: return "max priority fee per gas higher than max fee per gas";
        case TxError::kFeeCapGasOverflow: return "gas limit times max fee overflows 256 bits";
        case TxError::kInvalidSignature: return "invalid transaction signature values";
        case TxError::kHighS: return "signature s value above secp256k1n/2";
        case TxError::kRecoveryFailed: return "cannot recover sender from signature";
        case TxError::kSigningFailed: return "cannot sign: invalid private key";
    }
    return "unknown transaction error";
}

Result<Transaction, TxError> decode_transaction(ByteView encoded) {
    if (encoded.empty()) return Unexpected{TxError::kEmptyInput};
    const uint8_t first = encoded[0];
    if (first >= 0xc0) return decode_legacy(encoded);  // an RLP list header
    // EIP-2718: a type byte is 0x00..0x7f; 0x80..0xbf would be an RLP string.
    if (first >= 0x80) return Unexpected{TxError::kMalformedEnvelope};
    if (first == uint8_t(TxType::kAccessList) || first == uint8_t(TxType::kDynamicFee))
        return decode_typed(TxType(first), encoded.subspan(1));
    return Unexpected{TxError::kUnsupportedType};
}

Bytes encode_transaction(const Transaction& tx) { return encode_form(tx, Form::kNetwork); }

size_t encoded_length(const Transaction& tx) {
    check_encodable(tx);
    return size_t(tx.type != TxType::kLegacy) + rlp::length_of_list(payload_length(tx, Form::kNetwork));
}

Hash32 transaction_hash(const Transaction& tx) { return crypto::keccak256(encode_transaction(tx)); }

Hash32 signing_hash(const Transaction& tx) { return crypto::keccak256(encode_form(tx, Form::kSigning)); }

Gas intrinsic_gas(const Transaction& tx) noexcept {
    constexpr uint64_t kTxGas = 21000;
    constexpr uint64_t kCreateGas = 32000;              // Homestead (EIP-2)
    constexpr uint64_t kZeroByteGas = 4;
    constexpr uint64_t kNonZeroByteGas = 16;            // EIP-2028
    constexpr uint64_t kAccessListAddressGas = 2400;    // EIP-2930
    constexpr uint64_t kAccessListStorageKeyGas = 1900; // EIP-2930
    constexpr uint64_t kInitcodeWordGas = 2;            // EIP-3860

    // 128-bit sums cannot wrap for any input that fits in memory.
    unsigned __int128 gas = kTxGas;
    if (tx.is_create()) gas += kCreateGas;
    size_t zeros = 0;
    for (uint8_t b : tx.data) zeros += b == 0;
    gas += (unsigned __int128)zeros * kZeroByteGas + (unsigned __int128)(tx.data.size() - zeros) * kNonZeroByteGas;
    for (const auto& e : tx.access_list)
        gas += kAccessListAddressGas + (unsigned __int128)e.storage_keys.size() * kAccessListStorageKeyGas;
    if (tx.is_create()) gas += (unsigned __int128)((tx.data.size() + 31) / 32) * kInitcodeWordGas;
    constexpr uint64_t kMax = ~uint64_t{0};
    return gas > kMax ? kMax : uint64_t(gas);
}

Result<void, TxError> validate_fields(const Transaction& tx, const ValidationRules& rules) {
    if (encoded_length(tx) > rules.max_tx_size) return Unexpected{TxError::kTxTooLarge};
    if (!tx.chain_id) {
        if (!rules.allow_unprotected) return Unexpected{TxError::kUnprotectedNotAllowed};
    } else if (rules.chain_id && *tx.chain_id != *rules.chain_id) {
        return Unexpected{TxError::kWrongChainId};  // EIP-155, EIP-2930
    }
    if (tx.nonce == ~uint64_t{0}) return Unexpected{TxError::kNonceMax};  // EIP-2681
    if (tx.is_create() && tx.data.size() > rules.max_initcode_size)
        return Unexpected{TxError::kInitcodeTooLarge};  // EIP-3860
    if (tx.gas_limit < intrinsic_gas(tx)) return Unexpected{TxError::kIntrinsicGasTooLow};
    if (tx.type == TxType::kDynamicFee && tx.max_priority_fee_per_gas > tx.max_fee_per_gas)
        return Unexpected{TxError::kPriorityFeeAboveMaxFee};  // EIP-1559
    // The sender must be able to cover gas_limit * max fee; a product beyond
    // 2^256 can never be covered and would wrap in balance arithmetic.
    if (!checked_mul(tx.max_fee(), tx.gas_limit)) return Unexpected{TxError::kFeeCapGasOverflow};
    return {};
}

Result<Address, TxError> validate_and_recover(const Transaction& tx, const ValidationRules& rules) {
    if (auto ok = validate_fields(tx, rules); !ok) return Unexpected{ok.error()};
    return recover_sender(tx);
}

Result<void, TxError> validate_context_free(const Transaction& tx, const ValidationRules& rules) {
    auto sender = validate_and_recover(tx, rules);
    if (!sender) return Unexpected{sender.error()};
    return {};
}

}  // namespace trellis::chain
