// txpool_* over the real server and a real Mempool: geth's shapes (sender checksummed, nonce keys
// in decimal), pending versus queued by nonce gap, and the namespace opt-in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress } from 'viem';
import { toHex } from '../../src/crypto/bytes.js';
import type { Hex } from '../../src/chain/types.js';
import type { PoolTransaction } from '../../src/mempool/index.js';
import { DEFAULT_RPC_API } from '../../src/rpc/index.js';
import { fund, makePool, RECIPIENT, signTx, testKey, type PoolFixture } from '../mempool/helpers.js';
import { startHarness, type Harness } from './helpers.js';
import { MemoryBackend } from './memory-backend.js';

const alice = testKey(1);
const bob = testKey(2);
const entry = (tx: PoolTransaction) => ({ hash: tx.hash, raw: `0x${toHex(tx.raw)}` as Hex, from: tx.sender, nonce: tx.nonce });

describe('txpool_* over a real mempool', () => {
  let h: Harness;
  let fixture: PoolFixture;
  const hashes: Hex[] = [];
  before(async () => {
    fixture = makePool();
    fund(fixture.state, alice, 10n ** 21n, 3n);
    fund(fixture.state, bob, 10n ** 21n);
    // alice: 3 and 4 pending, 6 queued behind the gap at 5; bob: a legacy creation, pending.
    for (const raw of [signTx(alice, { nonce: 3n }), signTx(alice, { nonce: 4n, value: 7n }), signTx(alice, { nonce: 6n }), signTx(bob, { nonce: 0n, type: 0, to: null, data: new Uint8Array([0x60, 0x00]), gasLimit: 60_000n })]) {
      hashes.push((await fixture.pool.add(raw, 'local')).hash);
    }
    const backend = new MemoryBackend();
    backend.txpoolContent = (sender?: Hex) => {
      const { pending, queued } = fixture.pool.content(sender);
      return { pending: pending.map(entry), queued: queued.map(entry) };
    };
    h = await startHarness({ backend });
  });
  after(async () => h.close());

  test('txpool_status counts pending and queued', async () => {
    assert.deepEqual((await h.rpc('txpool_status')).result, { pending: '0x3', queued: '0x1' });
  });

  test('txpool_content: sender -> decimal nonce -> geth transaction object', async () => {
    const { pending, queued } = (await h.rpc('txpool_content')).result;
    const a = getAddress(alice.address);
    assert.deepEqual(Object.keys(pending[a]), ['3', '4']);
    assert.deepEqual(Object.keys(queued[a]), ['6']);
    assert.equal(pending[a]['4'].hash, hashes[1]);
    assert.equal(pending[a]['4'].value, '0x7');
    assert.equal(pending[a]['4'].blockHash, null);
    assert.equal(pending[a]['4'].nonce, '0x4');
    assert.equal(queued[a]['6'].hash, hashes[2]);
    assert.deepEqual(Object.keys(pending[getAddress(bob.address)]), ['0']);
  });

  test('txpool_contentFrom: one sender by nonce', async () => {
    const { pending, queued } = (await h.rpc('txpool_contentFrom', [alice.address])).result;
    assert.deepEqual(Object.keys(pending), ['3', '4']);
    assert.deepEqual(Object.keys(queued), ['6']);
    assert.deepEqual((await h.rpc('txpool_contentFrom', [RECIPIENT])).result, { pending: {}, queued: {} });
    assert.equal((await h.rpc('txpool_contentFrom', ['0x12'])).error.code, -32602);
  });

  test('txpool_inspect: geth\'s one-line summaries (the fee cap as the price)', async () => {
    const { pending, queued } = (await h.rpc('txpool_inspect')).result;
    assert.equal(pending[getAddress(alice.address)]['4'], `${getAddress(RECIPIENT)}: 7 wei + 21000 gas × 2000000000 wei`);
    assert.equal(queued[getAddress(alice.address)]['6'], `${getAddress(RECIPIENT)}: 1 wei + 21000 gas × 2000000000 wei`);
    assert.equal(pending[getAddress(bob.address)]['0'], 'contract creation: 1 wei + 60000 gas × 2000000000 wei');
  });

  test('filling the gap moves the queued transaction to pending', async () => {
    await fixture.pool.add(signTx(alice, { nonce: 5n }), 'local');
    const { pending, queued } = (await h.rpc('txpool_contentFrom', [alice.address])).result;
    assert.deepEqual(Object.keys(pending), ['3', '4', '5', '6']);
    assert.deepEqual(queued, {});
  });
});

test('the txpool namespace is opt-in, as in geth', async () => {
  const h = await startHarness({ api: DEFAULT_RPC_API });
  try {
    assert.equal((await h.rpc('txpool_content')).error.code, -32601);
  } finally {
    await h.close();
  }
});
