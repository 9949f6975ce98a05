// Every reason the pool refuses a transaction, with geth's message text and the numbers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { RLP } from '@ethereumjs/rlp';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import secp from 'secp256k1';
import { MempoolError, MempoolErrorCode as Code } from '../../src/mempool/index.js';
import { BLOCK_GAS_LIMIT, CHAIN_ID, ETHER, GWEI, fund, makePool, signTx, testKey } from './helpers.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function rejects(promise: Promise<unknown>, code: Code, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MempoolError, `expected MempoolError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

function bigToBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const hex = value.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}

/** Re-encodes a signed EIP-1559 transaction with its fields changed by `edit`. */
function edit1559(raw: Uint8Array, edit: (fields: Uint8Array[]) => void): Uint8Array {
  const fields = RLP.decode(raw.subarray(1)) as Uint8Array[];
  edit(fields);
  return Uint8Array.from([2, ...RLP.encode(fields)]);
}

const key = testKey(1);

test('oversized data: larger than maxTxBytes, before any decoding', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const raw = signTx(key, { data: new Uint8Array(130 * 1024).fill(1), gasLimit: 10_000_000n });
  await rejects(pool.add(raw, 'local'), Code.OversizedData, new RegExp(`^oversized data: transaction size ${raw.length}, limit 131072$`));
});

test('invalid encoding: garbage, trailing bytes, an unsigned transaction, non-canonical RLP', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  await rejects(pool.add(Uint8Array.from([0xc3, 0x01]), 'local'), Code.InvalidEncoding, /^invalid transaction encoding: bad RLP/);
  await rejects(pool.add(new Uint8Array(0), 'local'), Code.InvalidEncoding, /empty input/);
  const good = signTx(key);
  await rejects(pool.add(Uint8Array.from([...good, 0]), 'local'), Code.InvalidEncoding, /bad RLP/);
  const unsigned = Uint8Array.from([2, ...RLP.encode((RLP.decode(good.subarray(1)) as Uint8Array[]).slice(0, 9))]);
  await rejects(pool.add(unsigned, 'local'), Code.InvalidEncoding, /not signed/);
  // A nonce with a leading zero byte is a non-canonical integer; @ethereumjs refuses it.
  const padded = edit1559(good, (fields) => (fields[1] = Uint8Array.from([0, 1])));
  await rejects(pool.add(padded, 'local'), Code.InvalidEncoding, /^invalid transaction encoding: /);
  assert.equal(pool.size(), 0);
  assert.equal(pool.stats().rejected[Code.InvalidEncoding], 5);
});

test('transaction type not supported: blob and unknown types', async () => {
  const { pool } = makePool();
  await rejects(pool.add(Uint8Array.from([3, 0xc0]), 'local'), Code.TxTypeNotSupported, /^transaction type not supported: type 3 \(EIP-4844 blob\)/);
  await rejects(pool.add(Uint8Array.from([0x7f, 0xc0]), 'local'), Code.TxTypeNotSupported, /type 0x7f is unknown/);
});

test('unprotected legacy transactions are refused unless allowed (geth --rpc.allow-unprotected-txs)', async () => {
  const homestead = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Homestead });
  const raw = signTx(key, { type: 0 }, homestead);
  const strict = makePool();
  fund(strict.state, key);
  await rejects(strict.pool.add(raw, 'local'), Code.UnprotectedTx, /^only replay-protected \(EIP-155\) transactions allowed over RPC: sign with chain id 31337/);
  const lenient = makePool({}, { allowUnprotected: true });
  fund(lenient.state, key);
  const added = await lenient.pool.add(raw, 'local');
  assert.equal(added.sender, key.address);
});

test('invalid chain id: typed and EIP-155 legacy transactions signed for another chain', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const mainnet = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.Prague });
  await rejects(pool.add(signTx(key, { type: 2 }, mainnet), 'local'), Code.InvalidChainId, /^invalid chain id for signer: have 1 want 31337$/);
  await rejects(pool.add(signTx(key, { type: 0 }, mainnet), 'local'), Code.InvalidChainId, /have 1 want 31337/);
});

test('invalid signature: high s (EIP-2), r or s out of range, bad y parity', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const good = signTx(key);
  // (r, n - s) with the parity flipped is the same signature's malleable twin.
  const highS = edit1559(good, (fields) => {
    fields[9] = bigToBytes(1n - BigInt(fields[9]!.length === 0 ? 0 : fields[9]![0]!));
    fields[11] = bigToBytes(SECP256K1_N - BigInt(`0x${Buffer.from(fields[11]!).toString('hex')}`));
  });
  await rejects(pool.add(highS, 'local'), Code.InvalidSignature, /^invalid transaction v, r, s values: s is greater than secp256k1n\/2/);
  const zeroR = edit1559(good, (fields) => (fields[10] = new Uint8Array(0)));
  await rejects(pool.add(zeroR, 'local'), Code.InvalidSignature, /r and s must lie in \[1, n - 1\]/);
  const badParity = edit1559(good, (fields) => (fields[9] = Uint8Array.from([27])));
  await rejects(pool.add(badParity, 'local'), Code.InvalidSignature, /y parity must be 0 or 1, got 27/);
});

test('invalid sender: an r that is the x of no curve point recovers nothing', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const good = signTx(key);
  const hash = new Uint8Array(32).fill(7);
  let r = 1n;
  // Find a small r with no point on the curve (about half of all x values): native recovery throws.
  for (; ; r++) {
    const signature = new Uint8Array(64);
    signature.set(Buffer.from(r.toString(16).padStart(64, '0'), 'hex'), 0);
    signature[63] = 1;
    try {
      secp.ecdsaRecover(signature, 0, hash, false);
    } catch {
      break;
    }
  }
  const raw = edit1559(good, (fields) => (fields[10] = bigToBytes(r)));
  await rejects(pool.add(raw, 'local'), Code.InvalidSender, /^invalid sender: /);
});

test('max priority fee per gas higher than max fee per gas', async () => {
  const { pool } = makePool();
  const raw = edit1559(signTx(key), (fields) => {
    fields[2] = bigToBytes(5n * GWEI);
    fields[3] = bigToBytes(3n * GWEI);
  });
  await rejects(pool.add(raw, 'local'), Code.TipAboveFeeCap, /^max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: 5000000000, maxFeePerGas: 3000000000$/);
});

test('intrinsic gas too low, including the EIP-7623 calldata floor', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  await rejects(pool.add(signTx(key, { gasLimit: 20_999n }), 'local'), Code.IntrinsicGasTooLow, /^intrinsic gas too low: gas 20999, minimum needed 21000$/);
  // 1,000 non-zero bytes: standard cost 21,000 + 16,000 = 37,000; floor 21,000 + 10 * 4,000 = 61,000.
  const data = new Uint8Array(1000).fill(0xff);
  await rejects(pool.add(signTx(key, { data, gasLimit: 37_000n }), 'local'), Code.IntrinsicGasTooLow, /gas 37000, minimum needed 61000/);
  await pool.add(signTx(key, { data, gasLimit: 61_000n }), 'local');
});

test('max initcode size exceeded (EIP-3860)', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const raw = signTx(key, { to: null, data: new Uint8Array(49_153), gasLimit: 10_000_000n });
  await rejects(pool.add(raw, 'local'), Code.MaxInitCodeSizeExceeded, /^max initcode size exceeded: code size 49153, limit 49152$/);
});

test('exceeds block gas limit', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const gasLimit = BLOCK_GAS_LIMIT + 1n;
  await rejects(pool.add(signTx(key, { gasLimit }), 'local'), Code.GasLimitExceeded, new RegExp(`^exceeds block gas limit: gas ${gasLimit}, block gas limit ${BLOCK_GAS_LIMIT}$`));
});

test('max fee per gas less than block base fee', async () => {
  const fixture = makePool();
  fund(fixture.state, key);
  fixture.baseFee = 3n * GWEI;
  await rejects(
    fixture.pool.add(signTx(key, { maxFeePerGas: 2n * GWEI }), 'local'),
    Code.FeeCapTooLow,
    new RegExp(`^max fee per gas less than block base fee: address ${key.address}, maxFeePerGas: 2000000000, baseFee: 3000000000$`),
  );
  await rejects(fixture.pool.add(signTx(key, { type: 0, maxFeePerGas: 2n * GWEI }), 'local'), Code.FeeCapTooLow, /maxFeePerGas: 2000000000/);
});

test('nonce too low and nonce too high (outside the nonce window)', async () => {
  const { pool, state } = makePool({ nonceWindow: 64, maxPerSender: 64 });
  fund(state, key, ETHER, 5n);
  await rejects(pool.add(signTx(key, { nonce: 4n }), 'local'), Code.NonceTooLow, /^nonce too low: next nonce 5, tx nonce 4$/);
  await rejects(pool.add(signTx(key, { nonce: 69n }), 'local'), Code.NonceTooHigh, /^nonce too high: next nonce 5, tx nonce 69; the pool holds nonces below 69$/);
  await pool.add(signTx(key, { nonce: 68n }), 'local');
});

test('insufficient funds for gas * price + value, alone and on top of queued transactions', async () => {
  const { pool, state } = makePool();
  const cost = 21_000n * 2n * GWEI + 1n;
  fund(state, key, cost + cost / 2n);
  await rejects(
    pool.add(signTx(key, { value: cost }), 'local'),
    Code.InsufficientFunds,
    new RegExp(`^insufficient funds for gas \\* price \\+ value: balance ${cost + cost / 2n}, tx cost ${21_000n * 2n * GWEI + cost}, overshot`),
  );
  await pool.add(signTx(key, { nonce: 0n }), 'local');
  await rejects(pool.add(signTx(key, { nonce: 1n }), 'local'), Code.InsufficientFunds, new RegExp(`queued cost ${cost}, tx cost ${cost}, overshot ${cost / 2n + 1n}$`));
});

test('already known: the same bytes twice, even while the first is still reading state', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const raw = signTx(key);
  const [first, second] = await Promise.allSettled([pool.add(raw, 'local'), pool.add(raw, 'peer')]);
  assert.equal(first.status, 'fulfilled');
  assert.equal(second.status, 'rejected');
  await rejects(pool.add(raw, 'peer'), Code.AlreadyKnown, /^already known: 0x[0-9a-f]{64}$/);
  assert.equal(pool.size(), 1);
});

test('account limit exceeded: a sender holds at most maxPerSender transactions', async () => {
  const { pool, state } = makePool({ maxPerSender: 3 });
  fund(state, key);
  for (let nonce = 0n; nonce < 3n; nonce++) await pool.add(signTx(key, { nonce }), 'local');
  await rejects(pool.add(signTx(key, { nonce: 3n }), 'local'), Code.AccountLimitExceeded, /^account limit exceeded: sender 0x[0-9a-f]{40} already has 3 transactions/);
});

test('limits are checked when the pool is built', () => {
  assert.throws(() => makePool({ maxPerSender: 10, nonceWindow: 5 }), /maxPerSender \(10\) must not exceed nonceWindow \(5\)/);
  assert.throws(() => makePool({ maxPoolTransactions: -1 }), /maxPoolTransactions must be a non-negative integer/);
});
