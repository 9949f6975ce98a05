// The transaction decoders, the pool's (src/mempool/decode.ts, with Mempool.add behind it) and
// execution's for superblock transactions, under random and hostile input; the cases found.
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeTransaction as decodeForExecution } from '../../src/execution/admission.js';
import { createTxCommon } from '../../src/execution/tx-common.js';
import { MempoolError, MempoolErrorCode as Code, MAX_TX_BYTES, decodeTransaction } from '../../src/mempool/index.js';
import { createAccessList2930Tx } from '@ethereumjs/tx';
import { BLOCK_GAS_LIMIT, CHAIN_ID, GWEI, common as helperCommon, signTx, testKey } from '../mempool/helpers.js';
import { nestedRlpLists } from './harness.js';
import { testTargets } from './register.js';
import { TRANSACTION_TARGETS } from './targets/transaction.js';

testTargets(TRANSACTION_TARGETS);

const common = createTxCommon(CHAIN_ID);
const context = { chainId: CHAIN_ID, common, maxTxBytes: MAX_TX_BYTES, blockGasLimit: BLOCK_GAS_LIMIT, allowUnprotected: false };

/** The largest nesting a transaction's size allows: 120 KB of lists inside lists. */
const nestedTx = Uint8Array.from([0x02, ...nestedRlpLists(33_000)]);

// Found by fuzzing: decoding this cost @ethereumjs/rlp about 2 s (it copies each list's contents
// at every level), in the pool for a client's or a peer's transaction, and in execution on every
// node for a transaction a Byzantine member put in its batch.
test('a transaction nested deeper than any transaction is refused before it is decoded', () => {
  assert.ok(nestedTx.length <= MAX_TX_BYTES);
  assert.throws(() => decodeTransaction(nestedTx, context), (e: unknown) => {
    assert.ok(e instanceof MempoolError);
    assert.equal(e.code, Code.InvalidEncoding);
    assert.equal(e.message, 'invalid transaction encoding: bad RLP: RLP lists nested more than 4 deep');
    return true;
  });
  const executed = decodeForExecution(nestedTx, common);
  assert.deepEqual(executed.ok ? 'decoded' : executed.reason, 'invalid transaction encoding: RLP lists nested more than 4 deep');
});

test('a transaction with an access list, four lists deep, still decodes in both', () => {
  const key = testKey(4);
  // Built with @ethereumjs/tx, as wallets build it: list, access list, entry, storage keys.
  const withList = createAccessList2930Tx(
    { nonce: 0n, gasLimit: 30_000n, gasPrice: 2n * GWEI, to: `0x${'ab'.repeat(20)}`, value: 1n, chainId: CHAIN_ID, accessList: [{ address: `0x${'cd'.repeat(20)}`, storageKeys: [`0x${'01'.repeat(32)}`] }] },
    { common: helperCommon },
  ).sign(key.privateKey).serialize();
  for (const tx of [signTx(key, { type: 2 }), withList]) {
    assert.deepEqual(decodeTransaction(tx, context).raw, tx);
    assert.ok(decodeForExecution(tx, common).ok);
  }
});
