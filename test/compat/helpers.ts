// Shared pieces of the compatibility tests: the Solidity contracts compiled at test time with
// the installed solc-js (no download), the devnet's chain description for viem, and the dev keys.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineChain, type Abi, type Hex } from 'viem';
import { devAccounts } from '../../src/node/genesis.js';

export const CONTRACTS_DIR = join(import.meta.dirname, 'contracts');
export const CHAIN_ID = 31337;
/** The devnet's base fee never moves; a fee cap of twice it always gets in. */
export const MAX_FEE_PER_GAS_WEI = 2_000_000_000n;
/** A receipt appears once its block is final; on a loaded machine that can take a while. */
export const RECEIPT_TIMEOUT_MS = 60_000;

export interface CompiledContract {
  readonly abi: Abi;
  readonly bytecode: Hex;
}

interface SolcOutput {
  readonly errors?: readonly { severity: string; formattedMessage: string }[];
  readonly contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Compiles every .sol file of test/compat/contracts with solc-js (optimizer on), by contract name. */
export function compileContracts(): Record<string, CompiledContract> {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const sources: Record<string, { content: string }> = {};
  for (const name of readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith('.sol'))) {
    sources[name] = { content: readFileSync(join(CONTRACTS_DIR, name), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const out: Record<string, CompiledContract> = {};
  for (const file of Object.values(output.contracts)) {
    for (const [name, contract] of Object.entries(file)) out[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  }
  return out;
}

/** The devnet as viem's chain object, pointing at validator 0's HTTP and WebSocket endpoint. */
export function devnetChain(rpcPort: number) {
  return defineChain({
    id: CHAIN_ID,
    name: 'synod-devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [`http://127.0.0.1:${rpcPort}`], webSocket: [`ws://127.0.0.1:${rpcPort}`] } },
  });
}

/** Hardhat's and Anvil's development accounts, funded in the devnet's genesis. */
export const DEV_ACCOUNTS = devAccounts(10);

/** A raw JSON-RPC call, for methods the clients do not wrap; throws on a JSON-RPC error. */
export async function rpc<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.result as T;
}
