#pragma once

// What a chain starts from, fixed for its life: chain id, crypto suite, EVM
// revision, gas limit, base-fee rule, initial accounts (geth's `alloc`) and the
// initial validator set with stake. The genesis hash commits to all of it, so
// a node can refuse a data directory made for another chain.
//
// Genesis hash: the hash of genesis_header(g, genesis_state_root(g)), whose
// number is 0, parent hash zero, state root the root of the alloc, empty
// transaction and receipt roots, gas limit and initial base fee from g, and
// whose consensus field is genesis_config_hash(g) (keccak256 of the canonical
// RLP of every parameter other than alloc, which the state root covers).
// Parsing genesis JSON is the shell's job (node/cli); these are the types and
// their validation.

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/uint256.hpp"
#include "chain/block.hpp"
#include "chain/transaction.hpp"
#include "crypto/suite.hpp"

namespace trellis::chain {

/// The base fee stays at value in every block (zero is allowed: a consortium
/// chain may charge nothing, while gas still bounds execution).
struct FixedBaseFee {
    uint256 value;
    friend bool operator==(const FixedBaseFee&, const FixedBaseFee&) = default;
};

/// EIP-1559 adjustment: the base fee moves toward keeping blocks at
/// gas_limit / elasticity_multiplier, by at most 1/change_denominator a block,
/// and never below min_base_fee.
struct Eip1559BaseFee {
    uint256 initial;                     ///< genesis block's base fee
    uint64_t elasticity_multiplier = 2;  ///< EIP-1559 ELASTICITY_MULTIPLIER
    uint64_t change_denominator = 8;     ///< EIP-1559 BASE_FEE_MAX_CHANGE_DENOMINATOR
    uint256 min_base_fee;                ///< floor (zero: none)
    friend bool operator==(const Eip1559BaseFee&, const Eip1559BaseFee&) = default;
};

using BaseFeeRule = std::variant<FixedBaseFee, Eip1559BaseFee>;

/// The genesis block's base fee under rule.
uint256 initial_base_fee(const BaseFeeRule& rule) noexcept;
/// The base fee a child of parent must carry under rule (EIP-1559 §Specification
/// for the adjusting rule; the fixed value otherwise).
uint256 expected_base_fee(const BaseFeeRule& rule, const BlockHeader& parent) noexcept;

/// The header a new child of parent starts from, before execution fills gas,
/// roots and bloom: parent hash, number + 1, a timestamp not before the
/// parent's, the parent's gas limit and the base fee rule's value. Every block
/// producer builds on it, so a produced block passes validate_against_parent.
BlockHeader child_header(const BlockHeader& parent, const BaseFeeRule& rule, uint64_t timestamp,
                         const Address& proposer);

/// An initial account (geth's alloc entry).
struct GenesisAccount {
    uint256 balance;
    Nonce nonce = 0;
    Bytes code;
    std::map<Bytes32, Bytes32> storage;  ///< zero values are dropped
    friend bool operator==(const GenesisAccount&, const GenesisAccount&) = default;
};

/// A member of the initial validator set.
struct GenesisValidator {
    crypto::SuitePublicKey public_key;  ///< the key that signs votes (64-byte X || Y)
    Address address;                    ///< must be the suite's address of public_key
    uint256 stake;                      ///< voting power; nonzero
    /// The validator's p2p identity: SHA-256 of the DER SubjectPublicKeyInfo of
    /// its node's TLS certificate (p2p::ca::node_id_of_certificate). All zero:
    /// not bound to a node.
    Hash32 node_id;
    friend bool operator==(const GenesisValidator&, const GenesisValidator&) = default;
};

/// EVM revision names a genesis may name (evm/revision.hpp's to_string).
inline constexpr const char* kEvmRevisionNames[] = {"Shanghai", "Cancun", "Trellis"};

/// Bounds on a genesis (it is read from a file an operator may get wrong).
inline constexpr size_t kMaxGenesisValidators = 1024;
inline constexpr size_t kMaxGenesisAccounts = 1'000'000;
inline constexpr size_t kMaxGenesisCode = 24576;  ///< EIP-170 MAX_CODE_SIZE

struct Genesis {
    ChainId chain_id = 0;
    std::string crypto_suite = "ethereum";  ///< crypto::CryptoSuite::name()
    std::string evm_revision = "Trellis";   ///< one of kEvmRevisionNames
    uint64_t timestamp = 0;
    Gas gas_limit = 30'000'000;
    BaseFeeRule base_fee = FixedBaseFee{};
    Bytes extra_data;  ///< at most kMaxExtraData
    std::map<Address, GenesisAccount> alloc;
    std::vector<GenesisValidator> validators;
    /// Node ids admitted to the network that are not validators (observers);
    /// nonzero, at most kMaxGenesisValidators.
    std::vector<Hash32> observer_nodes;
    friend bool operator==(const Genesis&, const Genesis&) = default;
};

/// The p2p admission list: the nonzero validator node ids in validator order,
/// then observer_nodes.
std::vector<Hash32> admitted_nodes(const Genesis& g);

enum class GenesisError {
    kZeroChainId,
    kUnknownCryptoSuite,
    kUnknownEvmRevision,
    kZeroGasLimit,
    kBadElasticity,         ///< elasticity multiplier zero or above the gas limit
    kBadChangeDenominator,  ///< zero
    kExtraDataTooLong,
    kNoValidators,
    kTooManyValidators,
    kDuplicateValidator,        ///< the same address or key twice
    kValidatorAddressMismatch,  ///< address is not the suite's address of the key
    kZeroStake,
    kStakeOverflow,  ///< the stakes add up past 2^256 - 1
    kTooManyAccounts,
    kCodeTooLarge,
    kZeroObserverNode,  ///< an observer node id is all zero
    kDuplicateNode,     ///< the same node id twice across validators and observers
    kTooManyObservers,  ///< more than kMaxGenesisValidators observer nodes
};

const char* to_string(GenesisError e) noexcept;

/// Every rule above. Does not compute the state root.
Result<void, GenesisError> validate_genesis(const Genesis& g);

/// Canonical RLP of every parameter except alloc:
/// [chainId, suite, revision, timestamp, gasLimit, baseFeeRule, extraData,
///  [[publicKey, address, stake]...]] where baseFeeRule is [0, value] or
/// [1, initial, elasticity, denominator, min]. When any validator has a
/// nonzero node_id or observer_nodes is non-empty, one more element follows:
/// [[validator node ids (zero ones as 32 zero bytes)...], [observer ids...]];
/// otherwise the encoding (and so the hash of an existing genesis) is as before
/// node ids existed.
Bytes encode_genesis_config(const Genesis& g);
Hash32 genesis_config_hash(const Genesis& g);

/// The genesis header given the state root of g.alloc.
BlockHeader genesis_header(const Genesis& g, const Hash32& state_root);

// genesis_state_root and genesis_hash (which need the state module) are in
// chain/genesis_state.hpp.

}  // namespace trellis::chain
