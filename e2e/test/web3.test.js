// web3.js v4 against the same node, unmodified: its own formatting of
// blocks, receipts and events, and its own error decoding.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Web3 } from 'web3';
import { DevNode } from '../lib/node.js';
import { compileAll } from '../lib/compile.js';

describe('web3.js', { timeout: 120000 }, () => {
  let node, web3, alice, bob, c;

  before(async () => {
    node = await new DevNode().start();
    web3 = new Web3(node.url);
    const accounts = node.keys.map((k) => web3.eth.accounts.wallet.add(k)[0]);
    [alice, bob] = [web3.eth.accounts.wallet[0].address, web3.eth.accounts.wallet[1].address];
    assert.equal(accounts.length >= 2, true);
    c = compileAll();
  });
  after(async () => { await node?.stop(); });

  it('reads chain id, block number and balances', async () => {
    assert.equal(await web3.eth.getChainId(), 1337n);
    assert.equal(await web3.eth.net.getId(), 1337n);
    assert.equal(typeof (await web3.eth.getBlockNumber()), 'bigint');
    assert.equal(await web3.eth.getBalance(alice), 10000n * 10n ** 18n);
  });

  it('sends ether and reads the receipt and block', async () => {
    const r = await web3.eth.sendTransaction({ from: alice, to: bob, value: 12345n, gas: 21000n });
    assert.equal(r.status, 1n);
    assert.equal(r.gasUsed, 21000n);
    const block = await web3.eth.getBlock(r.blockNumber, true);
    assert.equal(block.transactions[0].hash, r.transactionHash);
    assert.equal(block.transactions[0].value, 12345n);
  });

  it('deploys the ERC-20, transfers and reads Transfer events', async () => {
    const Token = new web3.eth.Contract(c.Token.abi);
    const token = await Token.deploy({ data: c.Token.bytecode, arguments: [1000n] }).send({ from: alice });
    assert.ok(token.options.address);
    await token.methods.transfer(bob, 10n).send({ from: alice });
    assert.equal(await token.methods.balanceOf(bob).call(), 10n);
    const events = await token.getPastEvents('Transfer', { fromBlock: 0, filter: { to: bob } });
    assert.equal(events.length, 1);
    assert.equal(events[0].returnValues.value, 10n);
  });

  it('surfaces a custom error from a reverting call', async () => {
    const Probe = new web3.eth.Contract(c.Probe.abi);
    const probe = await Probe.deploy({ data: c.Probe.bytecode }).send({ from: alice });
    await assert.rejects(probe.methods.failCustom(9n).call({ from: alice }), (e) => {
      const data = e.cause?.data ?? e.data ?? e.innerError?.data;
      assert.ok(String(data).startsWith(web3.eth.abi.encodeFunctionSignature('Unauthorized(address,uint256)')),
        `revert data ${data}`);
      return true;
    });
  });
});
