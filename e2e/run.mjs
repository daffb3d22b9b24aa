// Runs each end-to-end test file in its own `node --test` process, one after
// another (each starts its own node), with a hard time limit per file so a
// hang fails the run instead of stalling CI. Flags used exist on Node >= 18.19
// (Debian 12's nodejs).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const limitMs = Number(process.env.TRELLIS_E2E_FILE_TIMEOUT_MS ?? 180000);
// The multi-process fault tests crash, partition and resync a 5-node network.
const fileLimitMs = { 'faults.test.js': Math.max(limitMs, 600000) };
const only = process.argv.slice(2);
const files = readdirSync(join(here, 'test')).filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();

let failed = 0;
for (const f of files) {
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', join('test', f)], { cwd: here, stdio: 'inherit' });
    const limit = fileLimitMs[f] ?? limitMs;
    const timer = setTimeout(() => { console.error(`e2e: ${f} exceeded ${limit} ms, killed`); child.kill('SIGKILL'); }, limit);
    child.on('exit', (c, sig) => { clearTimeout(timer); resolve(sig ? 1 : c); });
  });
  if (code !== 0) failed += 1;
  console.log(`e2e: ${f}: ${code === 0 ? 'passed' : 'FAILED'}`);
}
console.log(`e2e: ${files.length - failed} of ${files.length} files passed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
