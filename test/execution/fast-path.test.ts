// The execution fast path: senders the node already recovered are not recovered again, block
// transactions decode with a shared Common, and checks that need only the bytes (an applied
// duplicate, a full block) run before any decoding. Each must leave results unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTxFromRLP } from '@ethereumjs/tx';
import type { Hex } from '../../src/chain/types.js';
import { decodeTransaction, transactionHash } from '../../src/execution/admission.js';
import { createExecutionEngine, type ExecutionEngine } from '../../src/execution/engine.js';
import { createTxCommon } from '../../src/execution/tx-common.js';
import { openChainStore } from '../../src/storage/lmdb-store.js';
import { CHAIN_ID, ETHER, GWEI, address, blockInput, common, genesisSpec, legacyTransfer, transfer } from './helpers.js';

const RECIPIENT = '0x00000000000000000000000000000000000000bb' as Hex;

async function withEngine(run: (engine: ExecutionEngine) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-fast-path-'));
  const store = await openChainStore(dir);
  try {
    await run(await createExecutionEngine({ store, chainId: CHAIN_ID, genesis: genesisSpec(4) }));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Senders as the node's mempool would know them: recovered once, by hash. */
function recovered(raws: readonly Uint8Array[]): Map<Hex, Hex> {
  const senders = new Map<Hex, Hex>();
  for (const raw of raws) senders.set(transactionHash(raw), createTxFromRLP(raw, { common }).getSenderAddress().toString() as Hex);
  return senders;
}

function sampleBlock(): Uint8Array[] {
  return [
    transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n }),
    legacyTransfer(1, { nonce: 0n, to: RECIPIENT, value: 2n }),
    transfer(2, { nonce: 0n, to: address(3), value: ETHER }),
    transfer(0, { nonce: 1n, to: RECIPIENT, value: 3n }),
    transfer(1, { nonce: 5n, to: RECIPIENT, value: 1n }), // nonce gap: skipped either way
  ];
}

test('a block gives the same hash, roots, receipts and skips with known senders as without', async () => {
  const raws = sampleBlock();
  const known = recovered(raws);
  let asked = 0;
  const senders = new Map([...known]);
  const counting = { get: (hash: Hex) => (asked++, senders.get(hash)) } as unknown as ReadonlyMap<Hex, Hex>;
  let plain: Awaited<ReturnType<ExecutionEngine['executeBlock']>> | undefined;
  await withEngine(async (engine) => {
    plain = await engine.executeBlock(blockInput(engine, raws));
  });
  await withEngine(
    async (engine) => {
      const fast = await engine.executeBlock({ ...blockInput(engine, raws), senders: counting });
      assert.equal(fast.block.hash, plain!.block.hash);
      assert.equal(fast.block.stateRoot, plain!.block.stateRoot);
      assert.equal(fast.block.receiptsRoot, plain!.block.receiptsRoot);
      assert.deepEqual(fast.receipts, plain!.receipts);
      assert.deepEqual(fast.skipped, plain!.skipped);
      assert.deepEqual(fast.included, plain!.included);
    },
  );
  assert.equal(asked, raws.length);
  assert.deepEqual(
    plain!.included.map((t) => [t.sender, t.nonce]),
    [
      [address(0), 0n],
      [address(1), 0n],
      [address(2), 0n],
      [address(0), 1n],
    ],
  );
});

test('a known sender is taken as given: recovery is skipped, so only the node may supply it', async () => {
  const raw = transfer(0, { nonce: 0n, to: RECIPIENT, value: 7n });
  // Claim account 1 sent account 0's transaction: the engine must not have recovered the sender.
  await withEngine(
    async (engine) => {
      const { included } = await engine.executeBlock({ ...blockInput(engine, [raw]), senders: new Map([[transactionHash(raw), address(1)]]) });
      assert.equal(included[0]!.sender, address(1));
      assert.equal((await engine.getAccount(address(1))).nonce, 1n);
      assert.equal((await engine.getAccount(address(0))).nonce, 0n);
    },
  );
});

test('an applied duplicate and a transaction after the block is full are skipped before decoding', async () => {
  const first = transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n });
  // A creation whose init code reads memory at 2^32 (PUSH4 0xffffffff MLOAD): the expansion costs
  // more than any gas limit, so it runs out of gas at once and uses its whole limit.
  const filler = transfer(1, { nonce: 0n, data: '0x63ffffffff51', gasLimit: 60_000_000n - 21_000n - 10_000n });
  const garbage = new Uint8Array([0x02, 0xc0]);
  await withEngine(async (engine) => {
    const { skipped, receipts } = await engine.executeBlock(blockInput(engine, [first, first, filler, garbage]));
    assert.equal(receipts.length, 2);
    assert.deepEqual(
      skipped.map((s) => s.hash),
      [transactionHash(first), transactionHash(garbage)],
    );
    assert.match(skipped[0]!.reason, /already known: duplicate/);
    // Undecodable bytes, but the block had no room for any transaction: that is the reason given.
    assert.match(skipped[1]!.reason, /gas limit reached/);
  });
});

test('the shared transaction Common decodes exactly as a plain Common, and stays unchanged', () => {
  const txCommon = createTxCommon(CHAIN_ID);
  const raws = [...sampleBlock(), transfer(3, { nonce: 9n, to: RECIPIENT, value: 5n, data: '0x00ff00', maxFeePerGas: 3n * GWEI })];
  for (const raw of raws) {
    const shared = decodeTransaction(raw, txCommon);
    const plain = decodeTransaction(raw, common);
    assert.ok(shared.ok && plain.ok);
    assert.equal(shared.hash, plain.hash);
    assert.equal(shared.sender.toString(), plain.sender.toString());
    assert.deepEqual(shared.tx.toJSON(), plain.tx.toJSON());
    assert.equal(shared.tx.getIntrinsicGas(), plain.tx.getIntrinsicGas());
    assert.equal(shared.tx.common, txCommon);
  }
  assert.equal(txCommon.chainId(), CHAIN_ID);
  assert.equal(txCommon.hardfork(), 'prague');
});

test('decoding with a known sender still refuses a foreign chain id and bad encodings', () => {
  const foreign = transfer(0, { nonce: 0n, to: RECIPIENT, chainId: 1n });
  const refused = decodeTransaction(foreign, createTxCommon(CHAIN_ID), { knownSender: address(0) });
  assert.ok(!refused.ok);
  assert.match(refused.reason, /chain id/);
  const garbage = decodeTransaction(new Uint8Array([0x02, 0xc0]), createTxCommon(CHAIN_ID), { knownSender: address(0) });
  assert.ok(!garbage.ok);
  assert.match(garbage.reason, /invalid transaction encoding/);
});

test("after a block, the senders' cached accounts equal the state the head's proof shows", async () => {
  const raws = sampleBlock();
  await withEngine(async (engine) => {
    const { included } = await engine.executeBlock(blockInput(engine, raws));
    for (const sender of new Set(included.map((t) => t.sender))) {
      const cached = await engine.getAccount(sender);
      const proven = await engine.getProof(sender, []);
      assert.equal(cached.nonce, proven.nonce);
      assert.equal(cached.balance, proven.balance);
      assert.equal(cached.codeHash, proven.codeHash);
    }
    assert.equal((await engine.getAccount(address(0))).nonce, 2n);
  });
});
