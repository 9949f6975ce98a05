// The engine's state (batched trie commits, block-state.ts) against @ethereumjs's own pipeline
// (MerkleStateManager over @ethereumjs/mpt, one trie write per key) on the same blocks: the same
// state root after every block, for transfers, contract code, storage written, rewritten and
// cleared, an account created and destroyed in one transaction, and a touched empty account.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { Caches, MerkleStateManager, getMerkleStateProof } from '@ethereumjs/statemanager';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import type { Hex } from '../../src/chain/types.js';
import { uintToBytes } from '../../src/crypto/bytes.js';
import { genesisHashOf } from '../../src/execution/engine.js';
import { applyAlloc, type GenesisSpec } from '../../src/execution/genesis.js';
import { blockContext, storeBlockchain } from '../../src/execution/state-view.js';
import { contractAddress } from '../../bench/tx/sign.js';
import { CHAIN_ID, ETHER, address, blockInput, common, genesisSpec, openHarness, transfer } from './helpers.js';

// Runtime: SSTORE(calldata[0..32], calldata[32..64]); STOP.
const STORE_RUNTIME = '6020356000355500';
// Init code: copy the 8-byte runtime after these 12 bytes to memory and return it.
const STORE_INITCODE = `0x6008600c60003960086000f3${STORE_RUNTIME}` as Hex;
// Init code that destroys itself at once (CALLER SELFDESTRUCT): created and deleted in one transaction (EIP-6780).
const SELF_DESTRUCT_INITCODE = '0x33ff' as Hex;
const STORE_GAS = 100_000n;

function storeCall(slot: bigint, value: bigint): Hex {
  return bytesToHex(new Uint8Array([...uintToBytes(slot, 32), ...uintToBytes(value, 32)])) as Hex;
}

function spec(): GenesisSpec {
  const base = genesisSpec(4);
  // A genesis contract with code and storage: genesis goes through the same batched commit.
  const alloc = { ...base.alloc, ['0x00000000000000000000000000000000000000c0' as Hex]: { balance: 1n, code: `0x${STORE_RUNTIME}` as Hex, storage: { ['0x01' as Hex]: '0x2a' as Hex, ['0x02' as Hex]: '0x07' as Hex } } };
  return { ...base, alloc };
}

/** @ethereumjs's reference: the same VM over a plain MerkleStateManager. */
async function referenceChain(genesis: GenesisSpec) {
  const state = new MerkleStateManager({ common, trie: new MerklePatriciaTrie({ useKeyHashing: true, common }), caches: new Caches() });
  await state.checkpoint();
  await applyAlloc(state, genesis.alloc);
  await state.commit();
  return state;
}

test('every block\'s state root equals @ethereumjs\'s own trie over the same transactions', async () => {
  const genesis = spec();
  const h = await openHarness(genesis);
  try {
    assert.equal(h.engine.head().hash, await genesisHashOf(CHAIN_ID, genesis), 'genesis (code and storage) matches the per-write trie');
    const reference = await referenceChain(genesis);
    const vm = await createVM({ common, stateManager: reference, blockchain: storeBlockchain(h.store) });
    const store = contractAddress(hexToBytes(address(0)), 0n);
    const storeHex = bytesToHex(store) as Hex;
    const nonces = [0n, 0n, 0n, 0n];
    const tx = (from: number, fields: Omit<Parameters<typeof transfer>[1], 'nonce'>) => transfer(from, { ...fields, nonce: nonces[from]++ });
    const blocks: Uint8Array[][] = [
      [tx(0, { data: STORE_INITCODE, gasLimit: 200_000n }), tx(1, { to: address(2), value: ETHER }), tx(2, { to: address(3), value: 5n })],
      // Many slots (a deep storage trie), then some rewritten, some cleared, in later blocks.
      Array.from({ length: 40 }, (_, i) => tx(i % 4, { to: storeHex, data: storeCall(BigInt(i) * 977n, BigInt(i + 1)), gasLimit: STORE_GAS })),
      [
        ...Array.from({ length: 10 }, (_, i) => tx(i % 4, { to: storeHex, data: storeCall(BigInt(i) * 977n, 0n), gasLimit: STORE_GAS })),
        tx(1, { to: storeHex, data: storeCall(5n * 977n, 123456789n), gasLimit: STORE_GAS }),
        tx(2, { to: '0x00000000000000000000000000000000000000c0', data: storeCall(1n, 0n), gasLimit: STORE_GAS }),
      ],
      // An account created and destroyed in one transaction; a zero-value call to an empty address (touched, removed).
      [tx(3, { data: SELF_DESTRUCT_INITCODE, value: 3n, gasLimit: 200_000n }), tx(0, { to: '0x00000000000000000000000000000000000000dd', value: 0n })],
      Array.from({ length: 30 }, (_, i) => tx(i % 4, { to: storeHex, data: storeCall(BigInt(i) * 977n, 0n), gasLimit: STORE_GAS })),
    ];
    for (const [b, raws] of blocks.entries()) {
      const { block, skipped } = await h.engine.executeBlock(blockInput(h.engine, raws));
      assert.deepEqual(skipped, [], `block ${b + 1} applied every transaction`);
      const context = blockContext(block, common);
      await reference.checkpoint();
      let gasUsed = 0n;
      for (const raw of raws) {
        const result = await runTx(vm, { tx: createTxFromRLP(raw, { common }), block: context, blockGasUsed: gasUsed, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
        gasUsed += result.totalGasSpent;
      }
      await reference.commit();
      assert.equal(block.stateRoot, bytesToHex(await reference.getStateRoot()), `state root of block ${b + 1}`);
      assert.equal(block.gasUsed, gasUsed);
    }
    // Proofs read from the engine's stored nodes equal the reference trie's.
    const slots = [0n, 977n, 5n * 977n, 39n * 977n].map((s) => bytesToHex(uintToBytes(s, 32)) as Hex);
    const proof = await h.engine.getProof(storeHex, slots);
    const expected = await getMerkleStateProof(reference, createAddressFromString(storeHex), slots.map((s) => setLengthLeft(hexToBytes(s), 32)));
    assert.deepEqual(proof.accountProof, expected.accountProof);
    assert.equal(proof.storageHash, expected.storageHash);
    assert.deepEqual(proof.storageProof.map((p) => p.proof), expected.storageProof.map((p) => p.proof));
    assert.equal(await h.engine.getStorageAt(storeHex, bytesToHex(uintToBytes(35n * 977n, 32)) as Hex), bytesToHex(uintToBytes(36n, 32)));
    assert.equal(await h.engine.getStorageAt(storeHex, bytesToHex(uintToBytes(5n * 977n, 32)) as Hex, 3n), bytesToHex(uintToBytes(123456789n, 32)), 'an earlier block\'s state stays readable');
  } finally {
    await h.cleanup();
  }
});
