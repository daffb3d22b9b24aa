// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Behaviour the end-to-end tests probe: custom errors, reason strings,
/// gasleft() guards (which need exact gas estimation), and history.
contract Probe {
    error Unauthorized(address caller, uint256 code);

    uint256 public value;
    event ValueSet(address indexed by, uint256 indexed value, string note);

    function set(uint256 v, string calldata note) external {
        value = v;
        emit ValueSet(msg.sender, v, note);
    }

    function failCustom(uint256 code) external view {
        revert Unauthorized(msg.sender, code);
    }

    function failReason() external pure {
        revert("probe: reason string");
    }

    /// Succeeds only when at least `need` gas remains after a storage write:
    /// estimation must find the exact minimum, not a guess.
    function guarded(uint256 need) external {
        value += 1;
        require(gasleft() >= need, "probe: not enough gas left");
    }

    /// Burns gas in a loop of storage writes (a transaction of known, large cost).
    function burn(uint256 rounds) external {
        for (uint256 i = 0; i < rounds; ++i) value = uint256(keccak256(abi.encode(value, i)));
    }
}
