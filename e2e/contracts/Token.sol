// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An OpenZeppelin ERC-20 with the whole supply minted to the deployer.
contract Token is ERC20 {
    constructor(uint256 supply) ERC20("Trellis Test Token", "TTT") {
        _mint(msg.sender, supply);
    }
}
