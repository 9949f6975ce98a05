// Compiles a benchmark contract from bench/contracts/ with solc-js at run time, so the
// bytecode under test always matches the source beside it. Results are cached per process.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import solc from 'solc';
import { BenchError } from '../errors.js';
import { fromHex } from '../../src/crypto/bytes.js';

export interface CompiledContract {
  readonly creationCode: Uint8Array;
}

const cache = new Map<string, CompiledContract>();
const HERE = dirname(fileURLToPath(import.meta.url));

/** Compiles bench/contracts/<name>.sol and returns contract `name`'s creation bytecode. */
export function compileBenchContract(name: string): CompiledContract {
  const hit = cache.get(name);
  if (hit) return hit;
  const file = `${name}.sol`;
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: readFileSync(join(HERE, file), 'utf8') } },
    // Paris EVM: no PUSH0/MCOPY, so every target (Hardhat, Synod, older forks) runs it.
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new BenchError('COMPILE_FAILED', `solc rejected ${file}: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const object = output.contracts?.[file]?.[name]?.evm.bytecode.object;
  if (!object) throw new BenchError('COMPILE_FAILED', `solc produced no bytecode for contract ${name} in ${file}; check the contract name`);
  const compiled = { creationCode: fromHex(object) };
  cache.set(name, compiled);
  return compiled;
}
