// The genesis specification and how its allocation becomes state. Same spec, same state root,
// same genesis hash on every validator: addresses are applied in sorted order (the trie root
// does not depend on order, but determinism should not rest on that alone).
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import type { Hex } from '../chain/types.js';
import { ExecutionError } from './errors.js';

export interface GenesisAccount {
  readonly balance: bigint;
  readonly nonce?: bigint;
  readonly code?: Hex;
  readonly storage?: Record<Hex, Hex>;
}

export interface GenesisSpec {
  readonly alloc: Record<Hex, GenesisAccount>;
  readonly timestamp: bigint; // seconds
  /** Every block's gas limit (constant). DEFAULT_BLOCK_GAS_LIMIT is our recommendation. */
  readonly gasLimit: bigint;
  /** Every block's base fee in wei (constant). DEFAULT_BASE_FEE_PER_GAS_WEI is our recommendation. */
  readonly baseFeePerGas: bigint;
  readonly extraData?: Hex;
}

function checkAddress(address: string): void {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new ExecutionError('INVALID_INPUT', `genesis alloc key ${address} is not a 20-byte 0x-hex address`);
  }
}

export async function applyAlloc(state: MerkleStateManager, alloc: GenesisSpec['alloc']): Promise<void> {
  const addresses = Object.keys(alloc).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  for (const key of addresses) {
    checkAddress(key);
    const spec = alloc[key as Hex];
    const address = createAddressFromString(key);
    await state.putAccount(address, new Account(spec.nonce ?? 0n, spec.balance));
    if (spec.code !== undefined && spec.code !== '0x') await state.putCode(address, hexToBytes(spec.code));
    for (const [slot, value] of Object.entries(spec.storage ?? {})) {
      await state.putStorage(address, setLengthLeft(hexToBytes(slot as Hex), 32), hexToBytes(value as Hex));
    }
  }
}
