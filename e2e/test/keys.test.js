// `trellis keys` writes Web3 Secret Storage v3 files that ethers.js opens
// (scrypt + AES-128-CTR + keccak MAC), with the light and the standard scrypt cost.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { trellisBin } from '../lib/node.js';

const run = (args) => promisify(execFile)(trellisBin, args, { timeout: 60000 });

describe('trellis keys and ethers.js', { timeout: 120000 }, () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'trellis-keys-'));
    writeFileSync(join(dir, 'pw'), 'correct horse battery staple\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const keyFiles = (ks) => readdirSync(ks).map((f) => join(ks, f));

  it('imports a private key into a file ethers decrypts to the same key', async () => {
    const wallet = ethers.Wallet.createRandom();
    writeFileSync(join(dir, 'key.hex'), wallet.privateKey.slice(2) + '\n');
    const ks = join(dir, 'imported');
    await run(['keys', 'import', join(dir, 'key.hex'), '--keystore', ks, '--password-file', join(dir, 'pw'), '--light']);
    const [file] = keyFiles(ks);
    const json = readFileSync(file, 'utf8');
    assert.equal(JSON.parse(json).version, 3);
    const opened = await ethers.Wallet.fromEncryptedJson(json, 'correct horse battery staple');
    assert.equal(opened.privateKey, wallet.privateKey);
    assert.equal(opened.address, wallet.address);
    await assert.rejects(ethers.Wallet.fromEncryptedJson(json, 'wrong password'), /incorrect password/);
  });

  it('creates a key at the standard scrypt cost that ethers opens and `keys list` names', async () => {
    const ks = join(dir, 'new');
    await run(['keys', 'new', '--keystore', ks, '--password-file', join(dir, 'pw')]);
    const [file] = keyFiles(ks);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.crypto.kdf, 'scrypt');
    assert.equal(json.crypto.kdfparams.n, 262144);
    assert.equal(json.crypto.cipher, 'aes-128-ctr');
    const opened = await ethers.Wallet.fromEncryptedJson(JSON.stringify(json), 'correct horse battery staple');
    const { stdout } = await run(['keys', 'list', '--keystore', ks]);
    assert.match(stdout.toLowerCase(), new RegExp(opened.address.slice(2).toLowerCase()));
  });

  it('makes a validator key whose printed public key and address a genesis accepts', async () => {
    const file = join(dir, 'validator.key');
    const { stdout } = await run(['keys', 'validator', '--out', file]);
    const pub = stdout.match(/public key:\s+(0x[0-9a-f]{128})/)[1];
    const address = stdout.match(/address:\s+(0x[0-9a-f]{40})/)[1];
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
    const key = readFileSync(file, 'utf8').trim();
    const wallet = new ethers.Wallet(key);
    assert.equal(wallet.address.toLowerCase(), address);
    assert.equal(wallet.signingKey.publicKey, '0x04' + pub.slice(2));
    // Never overwritten.
    await assert.rejects(run(['keys', 'validator', '--out', file]));
    assert.equal(readFileSync(file, 'utf8').trim(), key);
    // The genesis takes the public key alone (the key file stays on the validator's host).
    const { stdout: g } = await run(['genesis', 'new', '--chain-id', '77', '--validator', `key=${pub},stake=5`]);
    const genesis = JSON.parse(g);
    assert.equal(JSON.stringify(genesis).toLowerCase().includes(address), true);
  });
});
