#pragma once

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "evm/analysis.hpp"
#include "evm/host.hpp"
#include "evm/message.hpp"
#include "evm/revision.hpp"

namespace trellis::evm {

// Limits and costs shared by the interpreter and the message logic.
inline constexpr int kMaxCallDepth = 1024;          // EIP-150 era limit on nesting
inline constexpr size_t kMaxCodeSize = 24576;       // EIP-170
inline constexpr size_t kMaxInitcodeSize = 49152;   // EIP-3860
inline constexpr int64_t kCreateDataGas = 200;      // per deployed byte
inline constexpr int64_t kCallStipend = 2300;

/// Analysed code cached by code hash. One cache may serve many Evm instances
/// (all blocks of a node) as long as they run one at a time, or each thread
/// has its own. Bounded: when full it is cleared.
class CodeCache {
public:
    explicit CodeCache(size_t max_entries = 4096) : max_entries_(max_entries) {}
    std::shared_ptr<const CodeAnalysis> get(const Hash32& code_hash, ByteView code, Revision rev);

private:
    size_t max_entries_;
    std::unordered_map<Hash32, std::shared_ptr<const CodeAnalysis>, FixedBytesHasher> map_[kNumRevisions];
};

/// Scratch space of one call depth, reused across calls so the hot path does
/// not allocate: the 1024-word stack and the memory buffer.
struct Frame {
    uint256 stack[1024];
    Bytes memory;
};

/// Counters of what one Evm did, for tools and metrics.
struct EvmStats {
    /// Well-formed KZG point-evaluation calls, which fail for want of the
    /// trusted setup (see precompiles.hpp).
    uint32_t unverifiable_kzg_calls = 0;
};

/// Executes messages (calls and creates) against a Host under one revision:
/// value transfer, snapshots and revert, precompiles, contract creation rules,
/// and the interpreter for code. One Evm serves one transaction at a time; it
/// is not thread-safe.
class Evm {
public:
    Evm(Host& host, const BlockContext& block, const TxContext& tx, Revision rev,
        CodeCache* cache = nullptr);
    ~Evm();

    /// Runs a call or create message. For creates, the sender's nonce is
    /// incremented here (as Ethereum does for both CREATE and creation
    /// transactions); the caller has charged intrinsic gas already.
    ExecResult execute(const Message& msg);

    Host& host() noexcept { return host_; }
    const BlockContext& block() const noexcept { return block_; }
    const TxContext& tx() const noexcept { return tx_; }
    Revision revision() const noexcept { return rev_; }
    const EvmStats& stats() const noexcept { return stats_; }

    /// Replaces the execution of nested messages (depth > 0) with a handler:
    /// used by the classic VM tests, where nested calls and creates succeed at
    /// once and return their gas, and by tracing tools. Null restores normal
    /// execution.
    using NestedMessageHandler = std::function<ExecResult(const Message&)>;
    void set_nested_message_handler(NestedMessageHandler h) { nested_handler_ = std::move(h); }

    /// Runs analysed code in a fresh frame (the interpreter; exposed for
    /// benchmarks and `trellis evm run`).
    ExecResult run_code(const Message& msg, const CodeAnalysis& code);

private:
    ExecResult call(const Message& msg);
    ExecResult create(const Message& msg);
    Frame& frame_at(int depth);

    Host& host_;
    BlockContext block_;
    TxContext tx_;
    Revision rev_;
    std::unique_ptr<CodeCache> own_cache_;
    CodeCache* cache_;
    std::vector<std::unique_ptr<Frame>> frames_;
    EvmStats stats_;
    NestedMessageHandler nested_handler_;
};

/// CREATE address: keccak256(rlp([sender, nonce]))[12:].
Address create_address(const Address& sender, uint64_t nonce);
/// CREATE2 address (EIP-1014): keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12:].
Address create2_address(const Address& sender, const Bytes32& salt, ByteView initcode);

}  // namespace trellis::evm
