// Crash safety of block commits: a child `trellis import` is killed with
// SIGKILL at random moments, again and again; after every kill the data
// directory must reopen to a head that was fully committed, with every block
// up to it present and the state consistent with re-execution, and the head
// must never move backwards.
//
// TRELLIS_CRASH_KILLS sets the number of kills (default 200).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "base/hex.hpp"
#include "chain/block_root.hpp"
#include "crypto/secp256k1.hpp"
#include "execution/block_executor.hpp"
#include "node/genesis_json.hpp"
#include "ledger/ledger.hpp"
#include "storage/state_store.hpp"

using namespace trellis;

namespace {

constexpr int kSenders = 8;
constexpr int kBlocks = 60;
constexpr int kTxsPerBlock = 48;

Bytes32 key(int n) {
    Bytes32 k;
    k[0] = 0x22;
    k[31] = uint8_t(n);
    return k;
}
Address address_of(const Bytes32& k) {
    return crypto::secp256k1::address_of(crypto::secp256k1::public_key(k).value());
}

chain::Genesis genesis() {
    chain::Genesis g;
    g.chain_id = 4242;
    for (int i = 0; i < kSenders; ++i) g.alloc[address_of(key(i))].balance = uint256(1) << 90;
    chain::GenesisValidator v;
    v.public_key = crypto::secp256k1::public_key(key(200)).value();
    v.address = address_of(key(200));
    v.stake = 1;
    g.validators.push_back(v);
    return g;
}

struct Chain {
    std::vector<chain::Block> blocks;
    std::vector<Hash32> hashes;
};

/// Produces the chain to import: transfers among the senders and to fresh
/// accounts, so blocks touch many accounts.
Chain make_chain() {
    auto ledger = ledger::Ledger::open_in_memory(genesis());
    EXPECT_TRUE(ledger);
    Chain c;
    std::vector<uint64_t> nonces(kSenders, 0);
    for (int b = 0; b < kBlocks; ++b) {
        std::vector<execution::Candidate> cands;
        for (int t = 0; t < kTxsPerBlock; ++t) {
            const int s = t % kSenders;
            chain::Transaction tx;
            tx.type = chain::TxType::kDynamicFee;
            tx.chain_id = 4242;
            tx.nonce = nonces[s]++;
            tx.gas_limit = 21000;
            tx.max_fee_per_gas = 1;
            Address to;
            to[0] = 0x70;
            to[18] = uint8_t(b);
            to[19] = uint8_t(t);
            tx.to = to;
            tx.value = uint256(1 + uint64_t(t));
            EXPECT_TRUE(chain::sign(tx, key(s)));
            cands.push_back({tx, address_of(key(s))});
        }
        auto p = (*ledger)->produce_block(cands, 1'000'000 + uint64_t(b), Address{});
        EXPECT_TRUE(p) << p.error();
        c.blocks.push_back(p->block);
        c.hashes.push_back(p->hash);
    }
    return c;
}

pid_t spawn_import(const std::string& datadir, const std::string& genesis_file, const std::string& blocks_file) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        ::execl(TRELLIS_BIN, TRELLIS_BIN, "import", "--datadir", datadir.c_str(), "--genesis", genesis_file.c_str(),
                blocks_file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

/// Checks the reopened directory; returns the head number.
uint64_t check_consistent(const std::filesystem::path& dir, const Chain& chain, uint64_t previous_head) {
    auto ledger = ledger::Ledger::open(dir, genesis());
    EXPECT_TRUE(ledger) << (ledger ? "" : ledger.error());
    if (!ledger) return previous_head;
    ledger::Ledger& l = **ledger;
    const chain::BlockHeader head = l.head_header();
    const uint64_t h = head.number;
    EXPECT_GE(h, previous_head) << "a committed block was lost";
    // Every block up to the head is there, complete, and is the one produced.
    for (uint64_t n = 1; n <= h; ++n) {
        auto hash = l.store().canonical_hash(n);
        EXPECT_TRUE(hash && hash->has_value()) << "block " << n << " missing";
        if (!hash || !hash->has_value()) return h;
        EXPECT_EQ(**hash, chain.hashes[n - 1]);
        auto receipts = l.store().receipts(**hash);
        EXPECT_TRUE(receipts && receipts->has_value() && (*receipts)->size() == chain.blocks[n - 1].body.transactions.size());
    }
    if (h == 0) return h;
    // The head block re-executes on its parent's state (read through the
    // tries) to the receipts and gas its header commits to, and the flat
    // state agrees with the trie at the head's state root.
    auto parent = l.store().header_by_number(h - 1);
    EXPECT_TRUE(parent && parent->has_value());
    storage::TrieStateReader parent_state(l.database(), (*parent)->state_root);
    auto exec = execution::execute_block(parent_state, chain.blocks[h - 1], l.rules(),
                                         [&](uint64_t n) { return l.block_hash(n); });
    EXPECT_TRUE(exec);
    if (exec) {
        EXPECT_EQ(exec->receipts_root, head.receipts_root);
        EXPECT_EQ(exec->gas_used, head.gas_used);
    }
    storage::TrieStateReader at_head(l.database(), head.state_root);
    storage::FlatStateReader flat(l.database());
    for (int i = 0; i < kSenders; ++i) {
        const Address a = address_of(key(i));
        const auto t = at_head.read_account(a);
        const auto f = flat.read_account(a);
        EXPECT_TRUE(t && f);
        if (t && f) {
            EXPECT_EQ(t->nonce, f->nonce);
            EXPECT_EQ(t->balance, f->balance);
        }
    }
    EXPECT_TRUE(at_head.status().is_ok() && flat.status().is_ok());
    return h;
}

}  // namespace

TEST(CrashSafety, sigkill_during_import_never_loses_or_corrupts_a_committed_block) {
    const int kills_wanted = std::getenv("TRELLIS_CRASH_KILLS") ? std::atoi(std::getenv("TRELLIS_CRASH_KILLS")) : 200;
    const auto root = std::filesystem::temp_directory_path() / ("trellis-crash-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    const Chain chain = make_chain();
    const std::string genesis_file = (root / "genesis.json").string();
    const std::string blocks_file = (root / "blocks.rlp").string();
    {
        std::ofstream(genesis_file) << node::genesis_to_json(genesis());
        std::ofstream out(blocks_file, std::ios::binary);
        for (const auto& b : chain.blocks) {
            const Bytes enc = chain::encode_block(b);
            out.write(reinterpret_cast<const char*>(enc.data()), std::streamsize(enc.size()));
        }
    }

    std::mt19937 rng(12345);
    int kills = 0, kills_mid_import = 0, completed_imports = 0, round = 0;
    while (kills < kills_wanted) {
        const auto dir = root / ("data-" + std::to_string(round++));
        uint64_t head = 0;
        while (kills < kills_wanted) {
            const pid_t pid = spawn_import(dir.string(), genesis_file, blocks_file);
            ASSERT_GT(pid, 0);
            // Kill at a random moment: during start-up, genesis, or block commits.
            // Start-up (process, RocksDB recovery, genesis) takes some tens of
            // milliseconds; then each block commits with an fsync.
            std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 150000)(rng)));
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            const bool killed = WIFSIGNALED(status);
            if (killed) ++kills;
            if (!killed) ASSERT_EQ(WEXITSTATUS(status), 0) << "import failed on its own";
            const uint64_t before = head;
            head = check_consistent(dir, chain, head);
            if (::testing::Test::HasFailure()) {
                std::printf("crash test: failure after %d kills (round %d)\n", kills, round);
                return;
            }
            if (killed && head > before) ++kills_mid_import;
            if (head == uint64_t(kBlocks)) {
                ++completed_imports;
                break;  // start a fresh directory
            }
        }
        std::filesystem::remove_all(dir);
    }
    std::filesystem::remove_all(root);
    std::printf("crash test: %d kills (%d while blocks were being committed), %d complete imports, 0 inconsistencies\n",
                kills, kills_mid_import, completed_imports);
    EXPECT_GE(kills, kills_wanted);
}
