// decodeTransaction against a plain @ethereumjs decoding (guards the shared-Common shortcut),
// and fuzzed inputs: any byte string is either admitted or refused with a MempoolError.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTxFromRLP, getMinimumGasLimit } from '@ethereumjs/tx';
import { createTxCommon, decodeTransaction } from '../../src/mempool/decode.js';
import { MempoolError } from '../../src/mempool/index.js';
import { BLOCK_GAS_LIMIT, CHAIN_ID, GWEI, common, signTx, testKey } from './helpers.js';
import type { TxParams } from './helpers.js';

const context = { chainId: CHAIN_ID, common: createTxCommon(CHAIN_ID), maxTxBytes: 128 * 1024, blockGasLimit: BLOCK_GAS_LIMIT, allowUnprotected: false };

const variants: TxParams[] = [
  { type: 0 },
  { type: 1, gasLimit: 60_000n, data: Uint8Array.from([0, 1, 2, 0, 0, 3]) },
  { type: 2, maxFeePerGas: 7n * GWEI, maxPriorityFeePerGas: 3n * GWEI, value: 10n ** 18n },
  { type: 2, to: null, gasLimit: 200_000n, data: new Uint8Array(300).fill(0x60) },
  { type: 0, to: null, gasLimit: 200_000n, data: new Uint8Array(64).fill(0x60), nonce: 7n },
];

test('decoding matches @ethereumjs with a fresh Common for every type, interleaved', () => {
  for (let round = 0; round < 3; round++) {
    for (const [i, params] of variants.entries()) {
      const raw = signTx(testKey(40 + i), params);
      const decoded = decodeTransaction(raw, context);
      const reference = createTxFromRLP(raw, { common });
      assert.equal(decoded.hash, `0x${Buffer.from(reference.hash()).toString('hex')}`);
      assert.equal(decoded.sender, reference.getSenderAddress().toString());
      assert.equal(decoded.sender, testKey(40 + i).address);
      assert.equal(decoded.nonce, reference.nonce);
      assert.equal(decoded.gasLimit, reference.gasLimit);
      assert.equal(decoded.value, reference.value);
      assert.equal(decoded.to, reference.to?.toString() ?? null);
      assert.equal(decoded.type, reference.type);
      assert.ok(decoded.gasLimit >= getMinimumGasLimit(reference));
      // The pool charges the worst case: the whole fee cap, as if the base fee rose to it.
      const upfront = 'maxFeePerGas' in reference ? reference.getUpfrontCost(reference.maxFeePerGas) : reference.getUpfrontCost();
      assert.equal(decoded.cost, upfront);
    }
  }
});

test('fuzz: a mutated transaction is admitted or refused with a MempoolError, never anything else', () => {
  const seeds = variants.map((params, i) => signTx(testKey(50 + i), params));
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, edits) => {
      const raw = Uint8Array.from(seeds[which]!);
      for (const [at, byte] of edits) raw[at % raw.length] = byte;
      try {
        decodeTransaction(raw, context);
      } catch (error) {
        assert.ok(error instanceof MempoolError, `unexpected ${String(error)}`);
      }
    }),
    { numRuns: 400, seed: 8 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
      try {
        decodeTransaction(raw, context);
        assert.fail('random bytes decoded as a signed transaction');
      } catch (error) {
        assert.ok(error instanceof MempoolError, `unexpected ${String(error)}`);
      }
    }),
    { numRuns: 400, seed: 9 },
  );
});
