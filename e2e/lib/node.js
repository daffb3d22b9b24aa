// Starts a real `trellis devnet` process on a free loopback port and stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The binary under test: $TRELLIS_BIN, else the release build. */
export const trellisBin = process.env.TRELLIS_BIN ?? join(repo, 'build', 'release', 'trellis');

/** The devnet's well-known account keys (printed by `trellis devnet`). */
function parseKeys(text) {
  const section = text.split('Private keys')[1] ?? '';
  return [...section.matchAll(/\(\d+\) (0x[0-9a-f]{64})/g)].map((m) => m[1]);
}

export class DevNode {
  constructor({ datadir, accounts = 10, extraArgs = [] } = {}) {
    this.ownsDir = !datadir;
    this.datadir = datadir ?? mkdtempSync(join(tmpdir(), 'trellis-e2e-'));
    this.accounts = accounts;
    this.extraArgs = extraArgs;
    this.log = '';
  }

  /** Spawns the node and resolves once it prints its bound JSON-RPC address. */
  async start() {
    const args = ['devnet', '--datadir', this.datadir, '--http-port', '0', '--accounts', String(this.accounts),
      ...this.extraArgs];
    this.proc = spawn(trellisBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    this.proc.stderr.on('data', (d) => { this.log += d; });
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node did not start in 20 s:\n${out}\n${this.log}`)), 20000);
      this.proc.stdout.on('data', (d) => {
        out += d;
        this.log += d;
        const m = out.match(/JSON-RPC: http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      this.proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`node exited (${code}):\n${this.log}`)); });
    });
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    this.keys = parseKeys(out);
    this.provider = this.newProvider();
    this.wallets = this.keys.map((k) => new ethers.Wallet(k, this.provider));
    return this;
  }

  /**
   * An ethers provider for this node. ethers answers an identical request
   * from a 250 ms cache by default; the devnet seals a block within that
   * window, so two transactions in a row would reuse a stale nonce. The
   * cache is off and polling is short (blocks arrive as transactions do).
   */
  newProvider() {
    return new ethers.JsonRpcProvider(this.url, undefined,
      { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  }

  /** SIGTERM and wait: the node stops cleanly with every committed block on disk. */
  async stop({ keepDir = false } = {}) {
    if (this.provider) this.provider.destroy();
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
    }
    const result = this.proc ? await this.exited : { code: 0 };
    if (this.ownsDir && !keepDir) rmSync(this.datadir, { recursive: true, force: true });
    return result;
  }

  /** Whether the process is still running. */
  alive() { return this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  /** One raw JSON-RPC POST; returns { status, body } (body parsed when JSON). */
  async post(body, headers = { 'content-type': 'application/json' }) {
    const res = await fetch(this.url, { method: 'POST', headers, body });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, text, json };
  }

  async rpc(method, params = []) {
    const { json } = await this.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    return json;
  }
}
