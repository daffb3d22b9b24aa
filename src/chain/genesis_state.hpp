#pragma once

// The genesis state root and hash, header-only for the reason block_root.hpp
// gives (they need the state module, which the chain library does not link).

#include "chain/genesis.hpp"
#include "state/state_db.hpp"

namespace trellis::chain {

/// The state root of g.alloc (Ethereum's secure account trie).
inline Hash32 genesis_state_root(const Genesis& g) {
    state::MemoryStateDb db;
    for (const auto& [addr, acc] : g.alloc)
        db.put_account(addr, acc.nonce, acc.balance, acc.code, acc.storage);
    return db.state_root();
}

/// header_hash(genesis_header(g, genesis_state_root(g))): the chain's identity.
inline Hash32 genesis_hash(const Genesis& g) {
    return header_hash(genesis_header(g, genesis_state_root(g)));
}

}  // namespace trellis::chain
