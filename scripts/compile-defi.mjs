#!/usr/bin/env node
// Compiles the chain's own contracts with the pinned solc-js and OpenZeppelin's own compiler
// settings (optimizer on, 200 runs), for the EVM version Synod runs (Prague): the DeFi contracts
// (contracts/defi/*.sol: thin assemblies of OpenZeppelin's contracts and the glue the genesis
// needs) into contracts/build/defi.json, and the system contracts every genesis holds
// (contracts/system/*.sol: staking) into contracts/build/system.json. The genesis reads those
// files, so a start never compiles; a test recompiles and checks they are what the sources give.
// Usage: node scripts/compile-defi.mjs [--check]   (--check: exit 1 if a file is stale)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const DEFI_SOURCES_DIR = join(root, 'contracts', 'defi');
export const DEFI_BUILD_FILE = join(root, 'contracts', 'build', 'defi.json');
export const SYSTEM_SOURCES_DIR = join(root, 'contracts', 'system');
export const SYSTEM_BUILD_FILE = join(root, 'contracts', 'build', 'system.json');
export const DEFI_COMPILER_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'prague' };

function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `${path} not found in node_modules` };
  }
}

/** Compiles every contracts/defi/*.sol and returns the build document (deterministic JSON). */
export function compileDefi() {
  return compileFolder(DEFI_SOURCES_DIR, 'defi');
}

/** Compiles every contracts/system/*.sol (the same settings). */
export function compileSystem() {
  return compileFolder(SYSTEM_SOURCES_DIR, 'system');
}

function compileFolder(dir, folder) {
  const sources = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.sol')).sort()) {
    sources[`contracts/${folder}/${name}`] = { content: readFileSync(join(dir, name), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...DEFI_COMPILER_SETTINGS,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const contracts = {};
  for (const file of Object.keys(sources)) {
    const name = file.replace(/^.*\//, '').replace(/\.sol$/, '');
    const c = output.contracts[file][name];
    if (!c) continue;
    contracts[name] = {
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      immutableReferences: c.evm.deployedBytecode.immutableReferences ?? {},
    };
  }
  return { compiler: `solc-js ${solc.version()}`, settings: DEFI_COMPILER_SETTINGS, contracts };
}

export function renderDefiBuild(build) {
  return JSON.stringify(build, null, 1) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let stale = false;
  for (const [file, build] of [[DEFI_BUILD_FILE, compileDefi], [SYSTEM_BUILD_FILE, compileSystem]]) {
    const text = renderDefiBuild(build());
    if (process.argv.includes('--check')) {
      const same = readFileSync(file, 'utf8') === text;
      console.log(same ? `${file} is up to date` : `${file} is stale: run node scripts/compile-defi.mjs`);
      stale ||= !same;
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
