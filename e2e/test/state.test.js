// State over time: eth_call at older blocks, eth_getProof checked against the
// block's state root with an independent Merkle-Patricia verifier, and a
// node restart (clean, then SIGKILL) that keeps every block, receipt and log.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ethers } from 'ethers';
import { DevNode } from '../lib/node.js';
import { compileAll } from '../lib/compile.js';
import { verifyProof } from '../lib/mpt.js';

describe('state, proofs and restarts', { timeout: 120000 }, () => {
  let node, c, alice, bob, probe, token, history;

  before(async () => {
    node = await new DevNode().start();
    c = compileAll();
    [alice, bob] = node.wallets;
    probe = await new ethers.ContractFactory(c.Probe.abi, c.Probe.bytecode, alice).deploy();
    await probe.waitForDeployment();
    token = await new ethers.ContractFactory(c.Token.abi, c.Token.bytecode, alice).deploy(1000n);
    await token.waitForDeployment();
    history = [];
    for (const v of [11n, 22n, 33n]) {
      const r = await (await probe.set(v, `set ${v}`)).wait();
      history.push({ value: v, block: r.blockNumber, hash: r.blockHash });
    }
  });
  after(async () => { await node?.stop(); });

  it('answers eth_call at every older block with that block\'s state', async () => {
    for (const h of history) {
      assert.equal(await probe.value({ blockTag: h.block }), h.value, `block ${h.block}`);
      // EIP-1898: the same block named by hash.
      const byHash = await node.rpc('eth_call', [{ to: await probe.getAddress(),
        data: probe.interface.encodeFunctionData('value') }, { blockHash: h.hash }]);
      assert.equal(BigInt(byHash.result), h.value);
    }
    assert.equal(await probe.value({ blockTag: history[0].block - 1 }), 0n, 'before the first set');
    assert.equal(await node.provider.getBalance(alice.address, 0), ethers.parseEther('10000'), 'genesis balance');
    const future = await node.rpc('eth_call', [{ to: await probe.getAddress(), data: '0x3fa4f245' }, '0xffffff']);
    assert.equal(future.error.code, -32000);
    assert.match(future.error.message, /header not found/);
  });

  it('proves an account and a storage slot against the block\'s state root', async () => {
    const block = await node.provider.getBlock(history[1].block);
    const address = await token.getAddress();
    // OpenZeppelin ERC-20 keeps balances in slot 0: keccak(holder . 0).
    const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [alice.address, 0]));
    const proof = await node.provider.send('eth_getProof', [address, [slot], ethers.toQuantity(block.number)]);

    const account = verifyProof(block.stateRoot, address, proof.accountProof);
    assert.ok(account, 'the account is in the trie');
    const [nonce, balance, storageRoot, codeHash] = ethers.decodeRlp(account);
    assert.equal(BigInt(nonce === '0x' ? 0 : nonce), BigInt(proof.nonce));
    assert.equal(BigInt(balance === '0x' ? 0 : balance), BigInt(proof.balance));
    assert.equal(storageRoot, proof.storageHash);
    assert.equal(codeHash, proof.codeHash);
    assert.equal(codeHash, ethers.keccak256(await node.provider.getCode(address)));

    const value = verifyProof(proof.storageHash, slot, proof.storageProof[0].proof);
    assert.equal(BigInt(ethers.decodeRlp(value)), 1000n);
    assert.equal(BigInt(proof.storageProof[0].value), 1000n);

    // An absent account: the proof shows it is not there.
    const nobody = ethers.Wallet.createRandom().address;
    const absent = await node.provider.send('eth_getProof', [nobody, [], ethers.toQuantity(block.number)]);
    assert.equal(verifyProof(block.stateRoot, nobody, absent.accountProof), null);

    // The verifier is not a rubber stamp: a tampered node breaks the hash chain.
    const tampered = [...proof.accountProof];
    const last = tampered.length - 1;
    tampered[last] = tampered[last].slice(0, -2) + (tampered[last].endsWith('00') ? '01' : '00');
    assert.throws(() => verifyProof(block.stateRoot, address, tampered), /does not match/);
  });

  it('keeps every block, receipt, log and balance across a clean restart and a SIGKILL of the devnet process', async () => {
    const r = await (await token.transfer(bob.address, 40n)).wait();
    const head = await node.provider.getBlock('latest');
    const logsBefore = await node.provider.getLogs({ fromBlock: 0, toBlock: 'latest' });
    const datadir = node.datadir;

    const checkSame = async (n, bobBalance) => {
      const again = await n.provider.getBlock(head.number);
      assert.equal(again.hash, head.hash);
      assert.equal(again.stateRoot, head.stateRoot);
      const receipt = await n.provider.getTransactionReceipt(r.hash);
      assert.equal(receipt.blockHash, r.blockHash);
      assert.equal(receipt.logs.length, 1);
      assert.deepEqual((await n.provider.getLogs({ fromBlock: 0, toBlock: head.number })).map((l) => l.transactionHash),
        logsBefore.map((l) => l.transactionHash));
      const t = new ethers.Contract(await token.getAddress(), c.Token.abi, n.provider);
      assert.equal(await t.balanceOf(bob.address), bobBalance);
    };

    const stopped = await node.stop({ keepDir: true });
    assert.equal(stopped.code, 0, 'clean exit on SIGTERM');
    node = await new DevNode({ datadir }).start();
    node.ownsDir = true;
    await checkSame(node, 40n);
    // Validators keep making (empty) blocks, so the head may have moved on.
    assert.ok(await node.provider.getBlockNumber() >= head.number);

    // The node keeps working after the restart; then a SIGKILL of the devnet
    // process (its nodes get SIGTERM from the kernel; faults.test.js kills
    // nodes themselves) after a receipt was seen loses nothing either.
    const bobToken = new ethers.Contract(await token.getAddress(), c.Token.abi, node.wallets[1]);
    const r2 = await (await bobToken.transfer(alice.address, 1n)).wait();
    node.proc.kill('SIGKILL');
    await node.exited;
    node = await new DevNode({ datadir }).start();
    node.ownsDir = true;
    await checkSame(node, 39n);
    const receipt2 = await node.provider.getTransactionReceipt(r2.hash);
    assert.equal(receipt2.status, 1);
    assert.ok(await node.provider.getBlockNumber() >= r2.blockNumber);
  });
});
