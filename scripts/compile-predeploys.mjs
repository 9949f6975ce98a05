#!/usr/bin/env node
// Compiles the contracts predeployed at genesis (contracts/*.sol) with the pinned solc-js and
// prints their runtime bytecode; src/node/predeploys.ts holds the output, and a test checks it.
import { readFileSync } from 'node:fs';
import solc from 'solc';

export function compilePredeploy(file, name) {
  const source = readFileSync(new URL(`../contracts/${file}`, import.meta.url), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['evm.deployedBytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  return `0x${output.contracts[file][name].evm.deployedBytecode.object}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(compilePredeploy('Multicall3.sol', 'Multicall3'));
}
