// What a dApp sees when things go wrong: reverts with custom errors and
// reason strings decoded by ethers, pool rejections with the codes ethers
// maps (nonce too low, insufficient funds, underpriced replacement), and
// gas estimation that is exact for contracts guarding on gasleft().
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ethers } from 'ethers';
import { DevNode } from '../lib/node.js';
import { compileAll } from '../lib/compile.js';

describe('errors and the transaction pool', { timeout: 120000 }, () => {
  let node, c, alice, bob, probe;

  before(async () => {
    node = await new DevNode().start();
    c = compileAll();
    [alice, bob] = node.wallets;
    probe = await new ethers.ContractFactory(c.Probe.abi, c.Probe.bytecode, alice).deploy();
    await probe.waitForDeployment();
  });
  after(async () => { await node?.stop(); });

  it('returns a custom error that ethers decodes with its arguments', async () => {
    await assert.rejects(probe.failCustom(42n), (e) => {
      assert.equal(e.code, 'CALL_EXCEPTION');
      assert.equal(e.revert.name, 'Unauthorized');
      assert.deepEqual([...e.revert.args], [alice.address, 42n]);
      return true;
    });
    // The raw answer: EIP-1474 code 3 with the revert bytes as data.
    const raw = await node.rpc('eth_call', [{ to: await probe.getAddress(),
      data: probe.interface.encodeFunctionData('failCustom', [7n]) }, 'latest']);
    assert.equal(raw.error.code, 3);
    assert.equal(raw.error.message, 'execution reverted');
    assert.equal(raw.error.data, probe.interface.encodeErrorResult('Unauthorized', [ethers.ZeroAddress, 7n]));
  });

  it('returns a reason string that ethers decodes', async () => {
    await assert.rejects(probe.failReason(), (e) => e.code === 'CALL_EXCEPTION' && e.reason === 'probe: reason string');
    const raw = await node.rpc('eth_call', [{ to: await probe.getAddress(),
      data: probe.interface.encodeFunctionData('failReason') }, 'latest']);
    assert.equal(raw.error.message, 'execution reverted: probe: reason string');
  });

  it('mines a reverting transaction with status 0 and charges its gas', async () => {
    const before = await node.provider.getBalance(alice.address);
    const tx = await probe.failReason.send({ gasLimit: 60000n, gasPrice: ethers.parseUnits('1', 'gwei') });
    await assert.rejects(tx.wait(), (e) => e.code === 'CALL_EXCEPTION' && e.receipt.status === 0);
    const receipt = await node.provider.getTransactionReceipt(tx.hash);
    assert.equal(receipt.status, 0);
    assert.ok(receipt.gasUsed > 21000n && receipt.gasUsed < 60000n);
    assert.equal(await node.provider.getBalance(alice.address), before - receipt.gasUsed * ethers.parseUnits('1', 'gwei'));
  });

  it('estimates the exact gas a gasleft() guard needs', async () => {
    const need = 100000n;
    const estimate = await probe.guarded.estimateGas(need);
    // One gas less and the guard fails.
    await assert.rejects(probe.guarded.estimateGas(need, { gasLimit: estimate - 1n }), (e) => e.code === 'CALL_EXCEPTION');
    const r = await (await probe.guarded(need, { gasLimit: estimate })).wait();
    assert.equal(r.status, 1);
    // A loop of storage writes: the estimate is the least limit that
    // succeeds, which keeps the EIP-2200 stipend (2300) above the last SSTORE.
    const burnEstimate = await probe.burn.estimateGas(200n);
    await assert.rejects(probe.burn.estimateGas(200n, { gasLimit: burnEstimate - 1n }));
    const burn = await (await probe.burn(200n, { gasLimit: burnEstimate })).wait();
    assert.equal(burn.status, 1);
    assert.ok(burnEstimate - burn.gasUsed <= 2300n, `${burnEstimate} vs ${burn.gasUsed}`);
  });

  it('rejects a nonce that was already used', async () => {
    const nonce = await alice.getNonce();
    await (await alice.sendTransaction({ to: bob.address, value: 1n, nonce })).wait();
    await assert.rejects(alice.sendTransaction({ to: bob.address, value: 1n, nonce, gasLimit: 21000n }),
      (e) => e.code === 'NONCE_EXPIRED' && /nonce too low/.test(e.info?.error?.message ?? e.message));
  });

  it('rejects a transaction its sender cannot pay for', async () => {
    const poor = ethers.Wallet.createRandom().connect(node.provider);
    await (await alice.sendTransaction({ to: poor.address, value: 21000n * ethers.parseUnits('1', 'gwei') })).wait();
    await assert.rejects(poor.sendTransaction({ to: bob.address, value: 1n, gasLimit: 21000n,
      gasPrice: ethers.parseUnits('1', 'gwei') }), (e) => e.code === 'INSUFFICIENT_FUNDS');
    // Exactly enough works.
    const r = await (await poor.sendTransaction({ to: bob.address, value: 0n, gasLimit: 21000n,
      gasPrice: ethers.parseUnits('1', 'gwei') })).wait();
    assert.equal(r.status, 1);
    assert.equal(await node.provider.getBalance(poor.address), 0n);
  });

  it('replaces a pooled transaction only with a fee bump of at least 10 %', async () => {
    const carol = ethers.Wallet.createRandom().connect(node.provider);
    await (await alice.sendTransaction({ to: carol.address, value: ethers.parseEther('1') })).wait();
    const gwei = ethers.parseUnits('1', 'gwei');
    // Nonce 1 waits in the pool (queued) behind the missing nonce 0.
    const first = await carol.sendTransaction({ to: bob.address, value: 1n, nonce: 1, gasLimit: 21000n, gasPrice: 10n * gwei });
    const status = await node.rpc('txpool_status');
    assert.ok(BigInt(status.result.queued) >= 1n, 'queued behind the gap');
    await assert.rejects(carol.sendTransaction({ to: bob.address, value: 2n, nonce: 1, gasLimit: 21000n, gasPrice: 10n * gwei + gwei / 2n }),
      (e) => e.code === 'REPLACEMENT_UNDERPRICED');
    const second = await carol.sendTransaction({ to: bob.address, value: 3n, nonce: 1, gasLimit: 21000n, gasPrice: 11n * gwei });
    assert.notEqual(second.hash, first.hash);
    const content = await node.rpc('txpool_content');
    const queued = content.result.queued[carol.address];
    assert.equal(queued['1'].hash, second.hash);
    // Filling the gap makes both executable; the replacement is mined, the original is gone.
    await (await carol.sendTransaction({ to: bob.address, value: 0n, nonce: 0, gasLimit: 21000n, gasPrice: gwei })).wait();
    const r = await second.wait();
    assert.equal(r.status, 1);
    assert.equal(await node.provider.getTransaction(first.hash), null);
    assert.equal(await node.provider.getTransactionCount(carol.address), 2);
  });

  it('rejects a transaction signed for another chain', async () => {
    const offline = new ethers.Wallet(alice.privateKey);  // no provider: ethers would refuse the mismatch
    const raw = await offline.signTransaction({ to: bob.address, value: 1n, chainId: 1n, gasLimit: 21000n,
      nonce: await alice.getNonce(), gasPrice: ethers.parseUnits('1', 'gwei') });
    const res = await node.rpc('eth_sendRawTransaction', [raw]);
    assert.equal(res.error.code, -32000);
    assert.match(res.error.message, /chain id/i);
  });
});
