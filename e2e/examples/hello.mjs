// The README's five-minute tour: compile a contract with solc, deploy it to a
// running Trellis devnet with ethers.js, send a transaction and read state.
//
//   cd e2e && npm ci && node examples/hello.mjs [http://127.0.0.1:8545]
import { ethers } from 'ethers';
import solc from 'solc';

const source = `
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract Greeter {
    string public greeting = "hello, consortium";
    event Greeted(address indexed by, string greeting);
    function greet(string calldata text) external {
        greeting = text;
        emit Greeted(msg.sender, text);
    }
}`;

const url = process.argv[2] ?? 'http://127.0.0.1:8545';
// Account (0) that `trellis devnet` prints; well known, never use it elsewhere.
const key = process.env.DEVNET_KEY || '0x09874939ca3f78097111ece939db4c0664522a4cdfa3c83af97e4184eea6a518';

const out = JSON.parse(solc.compile(JSON.stringify({
  language: 'Solidity',
  sources: { 'Greeter.sol': { content: source } },
  settings: { outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
})));
const { abi, evm } = out.contracts['Greeter.sol'].Greeter;

// cacheTimeout -1: the devnet seals a block at once, faster than ethers' 250 ms request cache.
const provider = new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1, pollingInterval: 100 });
const wallet = new ethers.Wallet(key, provider);
console.log('chain id', (await provider.getNetwork()).chainId.toString(), 'block', await provider.getBlockNumber());

const greeter = await new ethers.ContractFactory(abi, evm.bytecode.object, wallet).deploy();
await greeter.waitForDeployment();
console.log('Greeter deployed at', await greeter.getAddress());
console.log('greeting():', await greeter.greeting());

const receipt = await (await greeter.greet('hello from ethers.js')).wait();
console.log('greet() mined in block', receipt.blockNumber, 'gas used', receipt.gasUsed.toString());
console.log('greeting():', await greeter.greeting());
const [event] = await greeter.queryFilter(greeter.filters.Greeted(wallet.address));
console.log('Greeted event from', event.args.by, ':', event.args.greeting);
provider.destroy();
