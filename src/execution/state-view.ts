// Read-only views of the state at a committed block, and the EVM context around them.
// Each view has its own scratch node database, so a call, estimate or trace can run the EVM
// freely and never write to the chain's state.
import { createBlock, type Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { ValueEncoding, hexToBytes } from '@ethereumjs/util';
import { createVM, type VM } from '@ethereumjs/vm';
import { SYNOD_PRECOMPILES } from './precompiles.js';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord } from '../chain/types.js';
import { BlockStateManager } from './block-state.js';
import './evm-hot-paths.js';
import { buildHeader } from './header.js';
import { ScratchNodeDB, type PendingNodeDB } from './node-db.js';

/** The EVM's view of past blocks, for BLOCKHASH (Prague still reads it from the chain, not EIP-2935 storage). */
export function storeBlockchain(store: ChainStore) {
  const chain = {
    async getBlock(blockId: number) {
      const block = store.getBlockByNumber(BigInt(blockId));
      const hash = block === undefined ? new Uint8Array(32) : hexToBytes(block.hash);
      return { hash: () => hash };
    },
    async putBlock(): Promise<void> {},
    shallowCopy() {
      return chain;
    },
  };
  return chain;
}

export function stateManagerAt(db: ScratchNodeDB | PendingNodeDB, root: Uint8Array, common: Common, caches?: MerkleStateManager['_caches']): MerkleStateManager {
  const trie = new MerklePatriciaTrie({ db, root, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common });
  return new BlockStateManager({ common, trie, caches });
}

export function readViewAt(store: ChainStore, block: BlockRecord, common: Common): MerkleStateManager {
  return stateManagerAt(new ScratchNodeDB(store), hexToBytes(block.stateRoot), common);
}

/** The block context the EVM sees when it runs a query "at" `block`: that block's own header. */
export function blockContext(block: BlockRecord, common: Common, baseFeePerGas = block.baseFeePerGas): Block {
  const header = buildHeader(
    {
      number: block.number,
      parentHash: block.parentHash,
      timestamp: block.timestamp,
      gasLimit: block.gasLimit,
      baseFeePerGas,
      extraData: block.extraData,
    },
    common,
  );
  return createBlock({ header }, { common });
}

export interface EvmView {
  readonly vm: VM;
  readonly state: MerkleStateManager;
}

export async function evmViewAt(store: ChainStore, root: BlockRecord, common: Common): Promise<EvmView> {
  const state = readViewAt(store, root, common);
  const vm = await createVM({ common, stateManager: state, blockchain: storeBlockchain(store), evmOpts: { customPrecompiles: SYNOD_PRECOMPILES } });
  return { vm, state };
}
