// Shared fixtures for the mempool tests: deterministic keys, signed transactions of every type,
// and an in-memory twin of the committed state.
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { privateToAddress } from '@ethereumjs/util';
import { nativeCustomCrypto } from '../../src/crypto/secp256k1.js';
import { sha256 } from '../../src/crypto/hash.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import type { Hex } from '../../src/chain/types.js';
import { Mempool } from '../../src/mempool/index.js';
import type { AccountState, MempoolLimits, MempoolOptions, MempoolState } from '../../src/mempool/index.js';

export const CHAIN_ID = 31337n;
export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;
export const BASE_FEE = 1n * GWEI;
export const BLOCK_GAS_LIMIT = 30_000_000n;
export const RECIPIENT: Hex = `0x${'ab'.repeat(20)}`;

export const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: nativeCustomCrypto });

export interface TestKey {
  readonly privateKey: Uint8Array;
  readonly privateKeyHex: Hex;
  readonly address: Hex;
}

/** The i-th test key: SHA-256 of a label, so every run signs the same bytes. */
export function testKey(i: number): TestKey {
  const privateKey = sha256(utf8(`synod mempool test key ${i}`));
  return { privateKey, privateKeyHex: `0x${toHex(privateKey)}`, address: `0x${toHex(privateToAddress(privateKey))}` };
}

export interface TxParams {
  nonce?: bigint;
  type?: 0 | 1 | 2;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasLimit?: bigint;
  value?: bigint;
  to?: Hex | null;
  data?: Uint8Array;
}

/** A signed transaction; fees default to 2 gwei cap and 1 gwei tip (gasPrice 2 gwei). */
export function signTx(key: TestKey, params: TxParams = {}, signingCommon = common): Uint8Array {
  const type = params.type ?? 2;
  const base = {
    nonce: params.nonce ?? 0n,
    gasLimit: params.gasLimit ?? 21_000n,
    to: params.to === null ? undefined : (params.to ?? RECIPIENT),
    value: params.value ?? 1n,
    data: params.data ?? new Uint8Array(0),
  };
  const maxFeePerGas = params.maxFeePerGas ?? 2n * GWEI;
  // Unlimited init code so tests can build transactions the pool must refuse (EIP-3860).
  const options = { common: signingCommon, allowUnlimitedInitCodeSize: true };
  if (type === 0) return createLegacyTx({ ...base, gasPrice: maxFeePerGas }, options).sign(key.privateKey).serialize();
  if (type === 1) return createAccessList2930Tx({ ...base, gasPrice: maxFeePerGas, chainId: CHAIN_ID }, options).sign(key.privateKey).serialize();
  const maxPriorityFeePerGas = params.maxPriorityFeePerGas ?? 1n * GWEI;
  return createFeeMarket1559Tx({ ...base, maxFeePerGas, maxPriorityFeePerGas, chainId: BigInt(signingCommon.chainId()) }, options)
    .sign(key.privateKey)
    .serialize();
}

/** In-memory twin of the committed state; unknown accounts are empty. */
export class MemoryState implements MempoolState {
  readonly accounts = new Map<Hex, AccountState>();

  getAccount(address: Hex): AccountState {
    return this.accounts.get(address.toLowerCase() as Hex) ?? { nonce: 0n, balance: 0n };
  }

  set(address: Hex, nonce: bigint, balance: bigint): void {
    this.accounts.set(address.toLowerCase() as Hex, { nonce, balance });
  }
}

export interface PoolFixture {
  readonly pool: Mempool;
  readonly state: MemoryState;
  baseFee: bigint;
}

export function makePool(limits: Partial<MempoolLimits> = {}, extra: Partial<MempoolOptions> = {}): PoolFixture {
  const state = new MemoryState();
  const fixture = { state, baseFee: BASE_FEE } as PoolFixture;
  const pool = new Mempool({
    chainId: CHAIN_ID,
    state,
    blockGasLimit: BLOCK_GAS_LIMIT,
    baseFeePerGas: () => fixture.baseFee,
    committeeSize: () => 4,
    limits,
    now: () => 1_700_000_000_000,
    ...extra,
  });
  return Object.assign(fixture, { pool });
}

/** Funds `account` with `balance` (default 1,000 ether) at `nonce` (default 0). */
export function fund(state: MemoryState, account: { readonly address: Hex }, balance = 1_000n * ETHER, nonce = 0n): void {
  state.set(account.address, nonce, balance);
}
