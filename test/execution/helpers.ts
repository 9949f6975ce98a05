// Shared setup for execution tests: a temp store, funded keys, signed transactions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { bytesToHex, privateToAddress } from '@ethereumjs/util';
import type { ChainStore } from '../../src/chain/store.js';
import type { Hex } from '../../src/chain/types.js';
import { uintToBytes } from '../../src/crypto/bytes.js';
import { createChainCommon, createExecutionEngine, type BlockInput, type ExecutionEngine } from '../../src/execution/engine.js';
import type { GenesisSpec } from '../../src/execution/genesis.js';
import { openChainStore } from '../../src/storage/lmdb-store.js';

export const CHAIN_ID = 31337n;
export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;
export const common = createChainCommon(CHAIN_ID);

export function key(i: number): Uint8Array {
  return uintToBytes(BigInt(i) * 7919n + 1n, 32);
}

export function address(i: number): Hex {
  return bytesToHex(privateToAddress(key(i))) as Hex;
}

export function genesisSpec(funded = 4): GenesisSpec {
  const alloc: GenesisSpec['alloc'] = {};
  for (let i = 0; i < funded; i++) alloc[address(i)] = { balance: 100n * ETHER };
  return { alloc, timestamp: 1_700_000_000n, gasLimit: 60_000_000n, baseFeePerGas: GWEI };
}

export interface TxFields {
  nonce: bigint;
  to?: Hex;
  value?: bigint;
  data?: Hex;
  gasLimit?: bigint;
  maxFeePerGas?: bigint;
  chainId?: bigint;
}

export function transfer(from: number, fields: TxFields): Uint8Array {
  const tx = createFeeMarket1559Tx(
    { chainId: fields.chainId ?? CHAIN_ID, nonce: fields.nonce, maxFeePerGas: fields.maxFeePerGas ?? 2n * GWEI, maxPriorityFeePerGas: GWEI / 10n, gasLimit: fields.gasLimit ?? 21_000n, to: fields.to, value: fields.value ?? 0n, data: fields.data ?? '0x' },
    { common: fields.chainId === undefined ? common : createChainCommon(fields.chainId) },
  );
  return tx.sign(key(from)).serialize();
}

export function legacyTransfer(from: number, fields: TxFields): Uint8Array {
  const tx = createLegacyTx({ nonce: fields.nonce, gasPrice: 2n * GWEI, gasLimit: fields.gasLimit ?? 21_000n, to: fields.to, value: fields.value ?? 0n, data: fields.data ?? '0x' }, { common });
  return tx.sign(key(from)).serialize();
}

export function blockInput(engine: ExecutionEngine, transactions: Uint8Array[]): BlockInput {
  const height = engine.head().number + 1n;
  return { height, timestampMs: Number(1_700_000_000n + height) * 1000, transactions, extraData: '0x', consensus: { epoch: 0, proposers: [0] } };
}

export interface Harness {
  dir: string;
  store: ChainStore;
  engine: ExecutionEngine;
  cleanup(): Promise<void>;
}

export async function openHarness(spec = genesisSpec(), dir = mkdtempSync(join(tmpdir(), 'synod-exec-test-'))): Promise<Harness> {
  const store = await openChainStore(dir);
  const engine = await createExecutionEngine({ store, chainId: CHAIN_ID, genesis: spec });
  return {
    dir,
    store,
    engine,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
