// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// An OpenZeppelin ERC-721 that anyone may mint into.
contract Collectible is ERC721 {
    uint256 public nextId;

    constructor() ERC721("Trellis Collectible", "TCO") {}

    function mint(address to) external returns (uint256 id) {
        id = nextId++;
        _safeMint(to, id);
    }
}
