// The transaction decoder (src/mempool/decode.ts) and the pool's admission behind it: any bytes
// give a decoded transaction or a MempoolError (the RPC turns it into -32000), never another
// exception; what is accepted is exactly the bytes given, canonical, with its sender recovered.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import { toHex } from '../../../src/crypto/bytes.js';
import { keccak256 } from '../../../src/crypto/hash.js';
import { createTxCommon } from '../../../src/execution/tx-common.js';
import { MAX_TX_BYTES, MempoolError, decodeTransaction, type DecodeContext } from '../../../src/mempool/index.js';
import { BLOCK_GAS_LIMIT, CHAIN_ID, ETHER, fund, makePool, signTx, testKey, type TxParams } from '../../mempool/helpers.js';
import { RLP_LYING_HEADERS, assertBoundedOutput, inputsAround, nestedRlpLists, nestingDepth, rlpItem, typedOutcome, type FuzzTarget } from '../harness.js';

const KEYS = [testKey(900), testKey(901), testKey(902)];

const params: fc.Arbitrary<TxParams & { key: number }> = fc.record({
  key: fc.integer({ min: 0, max: KEYS.length - 1 }),
  type: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
  gasLimit: fc.bigInt({ min: 0n, max: BLOCK_GAS_LIMIT * 2n }),
  maxFeePerGas: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  maxPriorityFeePerGas: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  value: fc.bigInt({ min: 0n, max: 10n ** 24n }),
  to: fc.option(fc.constantFrom<`0x${string}`>(`0x${'ab'.repeat(20)}`, `0x${'00'.repeat(20)}`), { nil: null }),
  data: fc.uint8Array({ maxLength: 96 }),
});
/** Signed with @ethereumjs/tx, as wallets sign: the decoder's own counterpart. */
const signed = params.map(({ key, ...p }) => signTx(KEYS[key]!, { ...p, maxPriorityFeePerGas: p.maxPriorityFeePerGas! > p.maxFeePerGas! ? p.maxFeePerGas : p.maxPriorityFeePerGas }));
/** The typed envelopes with RLP garbage behind their type byte. */
const typedGarbage = fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x7f), rlpItem).map(([type, item]) => Uint8Array.from([type, ...RLP.encode(item as never)]));
const framing = fc.oneof(
  fc.constantFrom(...RLP_LYING_HEADERS),
  nestingDepth.map(nestedRlpLists),
  nestingDepth.map((depth) => Uint8Array.from([0x02, ...nestedRlpLists(depth)])),
);

const common = createTxCommon(CHAIN_ID);
const contexts: fc.Arbitrary<DecodeContext> = fc.record({
  allowUnprotected: fc.boolean(),
  maxTxBytes: fc.constantFrom(MAX_TX_BYTES, 64, 0),
}).map(({ allowUnprotected, maxTxBytes }) => ({ chainId: CHAIN_ID, common, maxTxBytes, blockGasLimit: BLOCK_GAS_LIMIT, allowUnprotected }));

export const TRANSACTION_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'mempool/decode-transaction',
    property: (tick) =>
      fc.property(inputsAround(signed, [typedGarbage, framing]), contexts, (raw, context) => {
        tick();
        const outcome = typedOutcome(() => decodeTransaction(raw, context), (e) => e instanceof MempoolError, 'decodeTransaction');
        if (!outcome.ok) return true;
        const tx = outcome.value;
        assert.ok(raw.length <= context.maxTxBytes);
        assert.deepEqual(tx.raw, raw);
        assert.equal(tx.hash, `0x${toHex(keccak256(raw))}`);
        assert.match(tx.sender, /^0x[0-9a-f]{40}$/);
        assert.ok(tx.gasLimit <= BLOCK_GAS_LIMIT);
        assert.equal(tx.cost, tx.gasLimit * tx.maxFeePerGas + tx.value);
        assertBoundedOutput(tx, raw.length, 'transaction');
        return true;
      }),
  },
  {
    name: 'mempool/add',
    property: (tick) =>
      fc.asyncProperty(inputsAround(signed, [typedGarbage]), fc.constantFrom<'local' | 'peer'>('local', 'peer'), async (raw, origin) => {
        tick();
        const { pool, state } = makePool();
        for (const key of KEYS) fund(state, key, 10n ** 6n * ETHER);
        try {
          const added = await pool.add(raw, origin);
          assert.ok(pool.has(added.hash));
        } catch (error) {
          assert.ok(error instanceof MempoolError, `Mempool.add threw an untyped exception: ${error instanceof Error ? error.stack : String(error)}`);
          assert.equal(pool.size(), 0);
        }
        return true;
      }),
  },
];
