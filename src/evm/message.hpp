#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/uint256.hpp"

namespace trellis::evm {

enum class CallKind : uint8_t { kCall, kCallCode, kDelegateCall, kStaticCall, kCreate, kCreate2 };

/// One call frame's inputs.
struct Message {
    CallKind kind = CallKind::kCall;
    bool is_static = false;
    int depth = 0;
    int64_t gas = 0;
    Address recipient;     ///< whose storage and balance the code acts on (the new address for creates)
    Address sender;        ///< CALLER
    Address code_address;  ///< whose code runs (differs from recipient for CALLCODE/DELEGATECALL)
    ByteView input;        ///< calldata, or initcode for creates
    uint256 value;         ///< CALLVALUE (the apparent value for DELEGATECALL)
    Bytes32 salt;          ///< CREATE2 only
};

enum class Status : uint8_t {
    kSuccess,
    kRevert,
    kOutOfGas,
    kInvalidInstruction,  ///< INVALID (0xfe) or an opcode undefined at this revision
    kStackUnderflow,
    kStackOverflow,
    kBadJumpDestination,
    kInvalidMemoryAccess,  ///< RETURNDATACOPY past the end of the return data
    kStaticModeViolation,
    kCallDepthExceeded,
    kInsufficientBalance,
    kContractCollision,
    kCodeSizeExceeded,        ///< EIP-170
    kInvalidCodePrefix,       ///< EIP-3541: deployed code starting with 0xEF
    kInitcodeSizeExceeded,    ///< EIP-3860
    kNonceOverflow,           ///< EIP-2681
    kPrecompileFailure,
};

const char* to_string(Status s) noexcept;

/// One call frame's outcome. gas_left is what returns to the caller (zero on
/// any failure but revert).
struct ExecResult {
    Status status = Status::kSuccess;
    int64_t gas_left = 0;
    Bytes output;
    Address created;  ///< for successful creates
};

}  // namespace trellis::evm
