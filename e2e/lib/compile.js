// Compiles the test contracts with solc-js at its default EVM version,
// resolving OpenZeppelin imports from node_modules.
import solc from 'solc';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = join(here, '..', 'contracts');
const require = createRequire(import.meta.url);

function findImport(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `not found: ${path}` };
  }
}

let cache;

/** { ContractName: { abi, bytecode } } for every contract in e2e/contracts. */
export function compileAll() {
  if (cache) return cache;
  const sources = {};
  for (const f of readdirSync(contractsDir).filter((n) => n.endsWith('.sol'))) {
    sources[f] = { content: readFileSync(join(contractsDir, f), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  cache = {};
  for (const file of Object.keys(output.contracts)) {
    for (const [name, c] of Object.entries(output.contracts[file])) {
      cache[name] = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
    }
  }
  return cache;
}
