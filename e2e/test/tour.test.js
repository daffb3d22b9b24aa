// The README's tour (examples/hello.mjs) works against a fresh devnet as written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevNode } from '../lib/node.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('the README tour', { timeout: 120000 }, () => {
  let node;
  before(async () => { node = await new DevNode().start(); });
  after(async () => { await node?.stop(); });

  it('deploys, calls and reads the Greeter with the devnet key the README shows', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(here, '..', 'examples', 'hello.mjs'), node.url],
      { timeout: 60000, env: { ...process.env, DEVNET_KEY: '' } });
    assert.match(stdout, /chain id 1337 block \d+/);
    assert.match(stdout, /Greeter deployed at 0x[0-9a-fA-F]{40}/);
    assert.match(stdout, /greeting\(\): hello, consortium/);
    assert.match(stdout, /greeting\(\): hello from ethers\.js/);
    assert.match(stdout, /Greeted event from 0xe2e645B685276d60c6077eac01A9007804Be1E5f : hello from ethers\.js/);
  });
});
