#pragma once
// Shared by the benchmark suites: a tiny EVM assembler and the hand-written
// ERC-20 transfer used as a workload.

#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "evm/opcodes.hpp"

namespace trellis::bench {

/// A tiny assembler for the hand-written workloads: mnemonics from the opcode
/// table, "PUSHn 0x..", "@name" to mark a position and ":name" to push it
/// (as PUSH2).
inline Bytes assemble(const std::string& text) {
    std::map<std::string, uint8_t> ops;
    const auto& table = evm::op_table(evm::Revision::kCancun);
    for (int i = 0; i < 256; ++i)
        if (table[i].defined) ops[table[i].name] = uint8_t(i);
    Bytes code;
    std::map<std::string, size_t> labels;
    std::vector<std::pair<size_t, std::string>> fixups;
    std::istringstream in(text);
    std::string tok;
    while (in >> tok) {
        if (tok[0] == ';') {
            std::getline(in, tok);
            continue;
        }
        if (tok[0] == '@') {
            labels[tok.substr(1)] = code.size();
        } else if (tok[0] == ':') {
            code.push_back(0x61);  // PUSH2
            fixups.emplace_back(code.size(), tok.substr(1));
            code.push_back(0);
            code.push_back(0);
        } else if (tok.rfind("PUSH", 0) == 0 && tok != "PUSH0") {
            const int n = std::stoi(tok.substr(4));
            std::string arg;
            in >> arg;
            Bytes v = from_hex(arg.size() % 2 ? "0" + arg.substr(2) : arg).value();
            if (v.size() > size_t(n)) throw std::runtime_error("push argument too long: " + arg);
            code.push_back(uint8_t(0x5f + n));
            code.insert(code.end(), size_t(n) - v.size(), 0);
            append(code, v);
        } else {
            auto it = ops.find(tok);
            if (it == ops.end()) throw std::runtime_error("unknown mnemonic " + tok);
            code.push_back(it->second);
        }
    }
    for (const auto& [pos, name] : fixups) {
        const size_t target = labels.at(name);
        code[pos] = uint8_t(target >> 8);
        code[pos + 1] = uint8_t(target);
    }
    return code;
}

/// transfer(to, amount) on a balances mapping at slot 0 (keccak(holder . 0)),
/// emitting Transfer(from, to, amount); reverts when the balance is short.
inline Bytes erc20_transfer_code() {
    return assemble(R"(
        PUSH1 0x04 CALLDATALOAD PUSH1 0x24 CALLDATALOAD        ; [to, amount]
        CALLER PUSH0 MSTORE PUSH0 PUSH1 0x20 MSTORE
        PUSH1 0x40 PUSH0 KECCAK256 DUP1 SLOAD                  ; [to, amount, slot_from, bal_from]
        DUP1 DUP4 GT :fail JUMPI
        DUP3 SWAP1 SUB SWAP1 SSTORE                             ; balances[caller] -= amount
        DUP2 PUSH0 MSTORE PUSH1 0x40 PUSH0 KECCAK256 DUP1 SLOAD ; [to, amount, slot_to, bal_to]
        DUP3 ADD SWAP1 SSTORE                                   ; balances[to] += amount
        PUSH0 MSTORE CALLER
        PUSH32 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef
        PUSH1 0x20 PUSH0 LOG3
        PUSH1 0x01 PUSH0 MSTORE PUSH1 0x20 PUSH0 RETURN
        @fail JUMPDEST PUSH0 PUSH0 REVERT
    )");
}

}  // namespace trellis::bench
