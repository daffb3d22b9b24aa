// ERC-20 and ERC-721 contracts from OpenZeppelin, deployed and used through
// ethers.js exactly as a dApp would: transfers, balances, events (getLogs,
// queryFilter, a WebSocket subscription) and gas estimation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ethers } from 'ethers';
import { DevNode } from '../lib/node.js';
import { compileAll } from '../lib/compile.js';

describe('tokens through ethers.js', { timeout: 120000 }, () => {
  let node, c, alice, bob, carol, token, nft;

  before(async () => {
    node = await new DevNode().start();
    c = compileAll();
    [alice, bob, carol] = node.wallets;
    token = await new ethers.ContractFactory(c.Token.abi, c.Token.bytecode, alice).deploy(ethers.parseEther('1000000'));
    await token.waitForDeployment();
    nft = await new ethers.ContractFactory(c.Collectible.abi, c.Collectible.bytecode, alice).deploy();
    await nft.waitForDeployment();
  });
  after(async () => { await node?.stop(); });

  it('deploys the ERC-20 with its code, metadata and supply', async () => {
    const code = await node.provider.getCode(await token.getAddress());
    assert.ok(code.length > 1000, 'runtime code is stored');
    assert.equal(await token.name(), 'Trellis Test Token');
    assert.equal(await token.symbol(), 'TTT');
    assert.equal(await token.decimals(), 18n);
    assert.equal(await token.totalSupply(), ethers.parseEther('1000000'));
    assert.equal(await token.balanceOf(alice.address), ethers.parseEther('1000000'));
    const receipt = await token.deploymentTransaction().wait();
    assert.equal(receipt.contractAddress, await token.getAddress());
    assert.equal(receipt.status, 1);
  });

  it('moves ERC-20 balances and emits Transfer events found by getLogs and queryFilter', async () => {
    const before = await token.balanceOf(alice.address);
    const r1 = await (await token.transfer(bob.address, 1234n)).wait();
    const r2 = await (await token.connect(bob).transfer(carol.address, 34n)).wait();
    assert.equal(r1.status, 1);
    assert.equal(r2.status, 1);
    assert.equal(await token.balanceOf(alice.address), before - 1234n);
    assert.equal(await token.balanceOf(bob.address), 1200n);
    assert.equal(await token.balanceOf(carol.address), 34n);

    const toBob = await token.queryFilter(token.filters.Transfer(null, bob.address), 0, 'latest');
    assert.equal(toBob.length, 1);
    assert.equal(toBob[0].args.from, alice.address);
    assert.equal(toBob[0].args.value, 1234n);
    assert.equal(toBob[0].transactionHash, r1.hash);

    const logs = await node.provider.getLogs({
      address: await token.getAddress(),
      topics: [ethers.id('Transfer(address,address,uint256)'), ethers.zeroPadValue(bob.address, 32)],
      fromBlock: r2.blockNumber,
      toBlock: r2.blockNumber,
    });
    assert.equal(logs.length, 1, 'bob -> carol only');
    assert.equal(logs[0].blockHash, r2.blockHash);
    assert.equal(BigInt(logs[0].data), 34n);

    // The same log through the block's receipts.
    const receipts = await node.provider.send('eth_getBlockReceipts', [ethers.toQuantity(r2.blockNumber)]);
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0].logs[0].transactionHash, r2.hash);
  });

  it('reports balances of ether moved by plain transfers, gas paid included', async () => {
    const start = await node.provider.getBalance(carol.address);
    const tx = await bob.sendTransaction({ to: carol.address, value: ethers.parseEther('1.5') });
    const r = await tx.wait();
    assert.equal(r.gasUsed, 21000n);
    assert.equal(await node.provider.getBalance(carol.address), start + ethers.parseEther('1.5'));
    const block = await node.provider.getBlock(r.blockNumber, true);
    assert.equal(block.prefetchedTransactions.length, 1);
    assert.equal(block.prefetchedTransactions[0].hash, r.hash);
    const fetched = await node.provider.getTransaction(r.hash);
    assert.equal(fetched.from, bob.address);
    assert.equal(fetched.value, ethers.parseEther('1.5'));
  });

  it('mints and transfers an ERC-721 and finds it by event', async () => {
    const r = await (await nft.mint(bob.address)).wait();
    assert.equal(r.status, 1);
    assert.equal(await nft.ownerOf(0n), bob.address);
    await (await nft.connect(bob).transferFrom(bob.address, carol.address, 0n)).wait();
    assert.equal(await nft.ownerOf(0n), carol.address);
    assert.equal(await nft.balanceOf(bob.address), 0n);
    assert.equal(await nft.balanceOf(carol.address), 1n);
    const events = await nft.queryFilter(nft.filters.Transfer(null, null, 0n));
    assert.deepEqual(events.map((e) => [e.args.from, e.args.to]), [
      [ethers.ZeroAddress, bob.address], [bob.address, carol.address]]);
    // A transfer of a token one no longer owns fails with OpenZeppelin's
    // custom error, which ethers decodes from the revert data.
    await assert.rejects(nft.connect(bob).transferFrom.staticCall(bob.address, alice.address, 0n),
      (e) => e.code === 'CALL_EXCEPTION' && e.revert?.name === 'ERC721InsufficientApproval'
        && e.revert.args[0] === bob.address && e.revert.args[1] === 0n);
  });

  it('delivers Transfer events to a WebSocket subscription', async () => {
    const ws = new ethers.WebSocketProvider(node.wsUrl, undefined, { staticNetwork: true });
    try {
      const watched = token.connect(ws);
      const got = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no event within 10 s')), 10000);
        watched.on('Transfer', (from, to, value, ev) => {
          if (to !== carol.address || value !== 777n) return;
          clearTimeout(timer);
          resolve({ from, to, value, hash: ev.log.transactionHash });
        });
      });
      // newHeads: the validators also make empty blocks, so the head that
      // carries the transfer need not be the first one announced.
      let highest = -1;
      ws.on('block', (n) => { highest = Math.max(highest, n); });
      // Subscriptions are live once eth_subscribe answered; wait for that.
      await new Promise((r) => setTimeout(r, 300));
      const r = await (await token.transfer(carol.address, 777n)).wait();
      const ev = await got;
      assert.deepEqual(ev, { from: alice.address, to: carol.address, value: 777n, hash: r.hash });
      const until = Date.now() + 10000;
      while (highest < r.blockNumber && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
      assert.ok(highest >= r.blockNumber, `newHeads reached ${highest}, the transfer is in ${r.blockNumber}`);
    } finally {
      await ws.destroy();
    }
  });

  it('serves polling filters, pending-transaction subscriptions and fee data', async () => {
    const logFilter = await node.rpc('eth_newFilter', [{ address: await token.getAddress() }]);
    const blockFilter = await node.rpc('eth_newBlockFilter');
    const ws = new ethers.WebSocketProvider(node.wsUrl, undefined, { staticNetwork: true });
    try {
      const pendingSub = await ws.send('eth_subscribe', ['newPendingTransactions']);
      const pending = new Promise((resolve) => {
        ws.websocket.on('message', (m) => {
          const msg = JSON.parse(m);
          if (msg.params?.subscription === pendingSub) resolve(msg.params.result);
        });
      });
      const r = await (await token.transfer(bob.address, 9n)).wait();
      assert.equal(await pending, r.hash);
      const changes = await node.rpc('eth_getFilterChanges', [logFilter.result]);
      assert.equal(changes.result.length, 1);
      assert.equal(changes.result[0].transactionHash, r.hash);
      assert.deepEqual((await node.rpc('eth_getFilterChanges', [logFilter.result])).result, [], 'drained');
      const blocks = await node.rpc('eth_getFilterChanges', [blockFilter.result]);
      assert.ok(blocks.result.includes(r.blockHash));
      assert.equal((await node.rpc('eth_uninstallFilter', [logFilter.result])).result, true);
      assert.equal((await node.rpc('eth_getFilterChanges', [logFilter.result])).error.code, -32000);
    } finally {
      await ws.destroy();
    }
    // The devnet's base fee is zero, which ethers reads as "no EIP-1559"
    // (it tests baseFeePerGas for truthiness), so it offers a gas price only.
    const fees = await node.provider.getFeeData();
    assert.equal(typeof fees.gasPrice, 'bigint');
    assert.equal((await node.provider.getBlock('latest')).baseFeePerGas, 0n);
    const history = await node.provider.send('eth_feeHistory', ['0x4', 'latest', [50]]);
    assert.equal(history.baseFeePerGas.length, 5);
    assert.equal(history.gasUsedRatio.length, 4);
    assert.equal(history.reward.length, 4);
  });

  it('accepts legacy, EIP-2930 and EIP-1559 transactions and reports each type', async () => {
    const gwei = ethers.parseUnits('1', 'gwei');
    const sent = [
      await alice.sendTransaction({ type: 0, to: bob.address, value: 1n, gasPrice: 2n * gwei }),
      await alice.sendTransaction({ type: 1, to: await token.getAddress(), gasPrice: 2n * gwei,
        data: token.interface.encodeFunctionData('transfer', [bob.address, 1n]),
        accessList: [{ address: await token.getAddress(), storageKeys: [ethers.ZeroHash] }] }),
      await alice.sendTransaction({ type: 2, to: bob.address, value: 1n, maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei }),
    ];
    for (const [type, tx] of sent.entries()) {
      const r = await tx.wait();
      assert.equal(r.status, 1);
      assert.equal(r.type, type);
      const got = await node.provider.getTransaction(tx.hash);
      assert.equal(got.type, type);
      // Base fee 0: a type-2 transaction pays its priority fee only.
      assert.equal(r.gasPrice, type === 2 ? gwei : 2n * gwei);
    }
    assert.equal((await node.provider.getTransaction(sent[1].hash)).accessList[0].address, await token.getAddress());
  });

  it('estimates gas within 1 % of what the transaction uses', async () => {
    for (const [what, populate] of [
      ['ERC-20 transfer to a new holder', () => token.transfer.populateTransaction(ethers.Wallet.createRandom().address, 5n)],
      ['ERC-20 transfer to a holder', () => token.transfer.populateTransaction(bob.address, 5n)],
      ['ERC-721 mint', () => nft.mint.populateTransaction(alice.address)],
      ['ether transfer', async () => ({ to: carol.address, value: 1n })],
    ]) {
      const tx = await populate();
      const estimate = await alice.estimateGas(tx);
      const r = await (await alice.sendTransaction({ ...tx, gasLimit: estimate })).wait();
      assert.equal(r.status, 1, what);
      const ratio = Number(estimate) / Number(r.gasUsed);
      assert.ok(ratio >= 1 && ratio <= 1.01, `${what}: estimate ${estimate} vs used ${r.gasUsed}`);
    }
  });
});
