// Kept apart from genesis.cpp: computing the alloc's state root needs the state
// module, which the chain types alone do not.
#include "chain/genesis.hpp"
#include "state/state_db.hpp"

namespace trellis::chain {

Hash32 genesis_state_root(const Genesis& g) {
    state::MemoryStateDb db;
    for (const auto& [addr, acc] : g.alloc) db.put_account(addr, acc.nonce, acc.balance, acc.code, acc.storage);
    return db.state_root();
}

Hash32 genesis_hash(const Genesis& g) { return header_hash(genesis_header(g, genesis_state_root(g))); }

}  // namespace trellis::chain
