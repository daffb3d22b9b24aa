// Hostile and malformed input: every request gets a clear JSON-RPC or HTTP
// error, nothing stops the node, and it keeps sealing blocks afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ethers } from 'ethers';
import WebSocket from 'ws';
import { DevNode } from '../lib/node.js';

/** Sends raw bytes over TCP and returns whatever comes back before the server closes (or 5 s pass). */
function rawExchange(port, payload) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => { sock.destroy(); resolve(got); };
    const timer = setTimeout(done, 5000);
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d) => { got += d; });
    sock.on('close', () => { clearTimeout(timer); resolve(got); });
    sock.on('error', () => { clearTimeout(timer); resolve(got); });
  });
}

describe('hostile input', { timeout: 120000 }, () => {
  let node, alice, bob;

  before(async () => {
    node = await new DevNode().start();
    [alice, bob] = node.wallets;
  });
  after(async () => { await node?.stop(); });

  const call = (method, params) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

  it('answers malformed JSON, wrong envelopes and deep nesting with JSON-RPC errors', async () => {
    for (const [body, code] of [
      ['{"jsonrpc":"2.0","id":1,"method":"eth_chainId"', -32700],
      ['\u0000\u0001garbage', -32700],
      ['[' .repeat(100000) + ']'.repeat(100000), -32700],
      ['{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}', -32600],
      ['{"jsonrpc":"2.0","id":1,"method":42}', -32600],
      ['{"jsonrpc":"2.0","id":{"x":1},"method":"eth_chainId"}', -32600],
      ['[]', -32600],
      ['"just a string"', -32600],
      [call('eth_noSuchMethod', []), -32601],
    ]) {
      const res = await node.post(body);
      assert.ok(res.json, `JSON answer to ${body.slice(0, 40)}`);
      const err = Array.isArray(res.json) ? res.json[0].error : res.json.error;
      assert.equal(err?.code, code, `${body.slice(0, 40)} -> ${res.text.slice(0, 200)}`);
    }
  });

  it('answers wrong parameter types with invalid params', async () => {
    for (const [method, params] of [
      ['eth_getBalance', [42, 'latest']],
      ['eth_getBalance', ['0x1234', 'latest']],
      ['eth_getBalance', [alice.address, 'yesterday']],
      ['eth_getBlockByNumber', ['0x01', false]],
      ['eth_getBlockByNumber', [{}, false]],
      ['eth_call', ['not an object', 'latest']],
      ['eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x1', topics: [[['0x1']]] }]],
      ['eth_sendRawTransaction', [12]],
      ['eth_sendRawTransaction', ['0xzz']],
      ['eth_getStorageAt', [alice.address, '0x' + '1'.repeat(70), 'latest']],
    ]) {
      const res = await node.post(call(method, params));
      assert.equal(res.json?.error?.code, -32602, `${method}(${JSON.stringify(params)}) -> ${res.text}`);
    }
  });

  it('rejects invalid RLP and bad signatures with a reason', async () => {
    const good = ethers.getBytes(await alice.signTransaction(await alice.populateTransaction({ to: bob.address, value: 1n })));
    const cases = {
      'empty': '0x',
      'truncated RLP': ethers.hexlify(good.slice(0, good.length - 5)),
      'trailing bytes': ethers.hexlify(ethers.concat([good, '0x00'])),
      'unknown type byte': '0x05' + ethers.hexlify(good).slice(4),
      'list length past the end': '0xf9ffff01',
    };
    // A signature whose s is zero, and one with s above n/2 (EIP-2).
    const tx = ethers.Transaction.from(ethers.hexlify(good));
    const zeroS = tx.clone();
    zeroS.signature = ethers.Signature.from({ r: tx.signature.r, s: ethers.ZeroHash, yParity: 0 });
    cases['zero s'] = zeroS.serialized;
    const highS = tx.clone();
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sig = tx.signature;
    highS.signature = { r: sig.r, s: ethers.toBeHex(n - BigInt(sig.s), 32), v: sig.v === 27 ? 28 : 27 };
    cases['high s'] = highS.serialized;
    for (const [what, raw] of Object.entries(cases)) {
      const res = await node.post(call('eth_sendRawTransaction', [raw]));
      assert.ok(res.json?.error, `${what}: ${res.text}`);
      assert.ok([-32000, -32602].includes(res.json.error.code), `${what}: ${res.text}`);
      assert.ok(res.json.error.message.length > 5, `${what}: a reason`);
    }
    assert.equal((await node.rpc('txpool_status')).result.pending, '0x0');
  });

  it('answers a batch per element, allows 1,000 requests and refuses 1,001', async () => {
    const mixed = await node.post(JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 2, method: 'eth_noSuchMethod' },
      { jsonrpc: '2.0', method: 'eth_chainId' },  // a notification: no answer
      42,
      { jsonrpc: '2.0', id: null, method: 'eth_getBalance', params: [alice.address, 'latest'] },
    ]));
    assert.equal(mixed.json.length, 4);
    assert.deepEqual(mixed.json[0], { jsonrpc: '2.0', id: 'a', result: '0x539' });
    assert.equal(mixed.json[1].error.code, -32601);
    assert.equal(mixed.json[2].error.code, -32600);
    assert.equal(mixed.json[3].id, null);
    assert.ok(BigInt(mixed.json[3].result) > 0n);

    const batch = (n) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_blockNumber' })));
    const ok = await node.post(batch(1000));
    assert.equal(ok.json.length, 1000);
    assert.ok(ok.json.every((r, i) => r.id === i && typeof r.result === 'string'));
    const big = await node.post(batch(1001));
    const err = Array.isArray(big.json) ? big.json[0].error : big.json.error;
    assert.equal(err.code, -32005);
  });

  it('refuses an oversized body with 413 and garbage HTTP with 400', async () => {
    const huge = '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + 'a'.repeat(6 * 1024 * 1024) + '"]}';
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge })
      .catch((e) => ({ status: 'reset', e }));
    // The server answers 413 and closes; a client still sending may see the reset instead.
    assert.ok(res.status === 413 || res.status === 'reset', `status ${res.status}`);
    const garbage = await rawExchange(node.port, '\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400/);
    const hugeHeader = await rawExchange(node.port, `POST / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(hugeHeader, /^HTTP\/1\.1 4\d\d/);
  });

  it('answers garbage on a WebSocket and keeps the connection serving', async () => {
    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const replies = [];
    const next = () => new Promise((resolve) => { if (replies.length) resolve(replies.shift()); else ws.once('message', (m) => resolve(JSON.parse(m))); });
    ws.on('message', () => {});
    ws.send('not json at all');
    assert.equal((await next()).error.code, -32700);
    ws.send(call('eth_subscribe', ['noSuchKind']));
    assert.equal((await next()).error.code, -32602);
    ws.send(call('eth_chainId', []));
    assert.equal((await next()).result, '0x539');
    ws.close();
  });

  it('survives a burst of connections beyond the limit', async () => {
    const socks = await Promise.all(Array.from({ length: 300 }, () => new Promise((resolve) => {
      const s = net.connect(node.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => resolve(s));
    })));
    for (const s of socks) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await node.rpc('eth_chainId')).result, '0x539');
  });

  it('is still running and sealing blocks after all of it', async () => {
    assert.ok(node.alive(), 'the process is alive');
    const r = await (await alice.sendTransaction({ to: bob.address, value: 5n })).wait();
    assert.equal(r.status, 1);
  });
});
