// The staking system contract on the chain's own EVM: the genesis writes its storage without
// running code, so the contract must read back exactly the genesis's records and weights; then
// registration (with an ed25519 proof of possession checked by the precompile), added stake, the
// lock, unbonding and withdrawal, and every refusal with its reason, changing nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { keyPairFromSeed, sign, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import { buildGenesis, parseGenesis, type ParsedGenesis } from '../../src/node/genesis.js';
import { idToBytes32, readStakingRecords, readStakingStorage, STAKING_ADDRESS, stakingAbi, stakingValidatorsAt, STATUS_ACTIVE, STATUS_EXITED } from '../../src/node/staking.js';
import { ED25519_VERIFY_ADDRESS } from '../../src/execution/precompiles.js';
import { VALIDATOR_GOVERNANCE_ADDRESS } from '../../src/node/validator-governance.js';
import { drawCommittee } from '../../src/stake/epochs.js';
import { address, blockInput, CHAIN_ID, ETHER, GWEI, openHarness, transfer, type Harness } from '../execution/helpers.js';

const EPOCH_LENGTH = 6;
/** The test validator's lock, in epochs (long enough that no boundary falls inside the checks before it ends). */
const LOCK = 4n;
const keyOf = (name: string): Ed25519KeyPair => keyPairFromSeed(sha256(utf8(`staking-test/${name}`)));
const pk = (k: Ed25519KeyPair): Hex => `0x${toHex(k.publicKey)}` as Hex;

let harness: Harness;
let genesis: ParsedGenesis;
const nonces = new Map<number, bigint>();

before(async () => {
  const file = buildGenesis({
    chainId: CHAIN_ID,
    timestamp: 1_700_000_000,
    alloc: Object.fromEntries([0, 1, 2, 3].map((i) => [address(i), { balance: (1000n * ETHER).toString() }])),
    maxLock: 90,
    form: 'product',
    committeeSize: 3,
    epochLength: EPOCH_LENGTH,
    validators: [
      { id: 'v0', publicKey: pk(keyOf('v0')), stake: 100, lock: 30, coefficient: 1 },
      { id: 'v1', publicKey: pk(keyOf('v1')), stake: 110.5, lock: 0, coefficient: 1.5, owner: address(0) },
      { id: 'v2', publicKey: pk(keyOf('v2')), stake: 120, lock: 60, coefficient: 1, owner: address(1) },
    ],
  });
  genesis = parseGenesis(file);
  assert.deepEqual(genesis.contracts, { staking: STAKING_ADDRESS, validatorGovernance: VALIDATOR_GOVERNANCE_ADDRESS });
  harness = await openHarness({ alloc: genesis.alloc, timestamp: genesis.timestamp, gasLimit: genesis.gasLimit, baseFeePerGas: genesis.baseFeePerGas });
});
after(async () => {
  await harness?.cleanup();
});

const abi = stakingAbi();
const data = (functionName: string, args: readonly unknown[] = []): Hex => encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);

async function view<T>(functionName: string, args: readonly unknown[] = [], from = address(0)): Promise<T> {
  const result = await harness.engine.call({ from, to: STAKING_ADDRESS, data: data(functionName, args) });
  assert.ok(!result.reverted, `${functionName} reverted`);
  return decodeFunctionResult({ abi, functionName, data: result.returnData } as Parameters<typeof decodeFunctionResult>[0]) as T;
}

/** Sends one transaction in its own block; returns whether it succeeded, and the revert reason when not. */
async function send(from: number, functionName: string, args: readonly unknown[], value = 0n): Promise<{ ok: boolean; reason?: string }> {
  const call = await harness.engine.call({ from: address(from), to: STAKING_ADDRESS, data: data(functionName, args), value });
  const reason = call.reverted ? (decodeErrorResult({ data: call.returnData }).args[0] as string) : undefined;
  const nonce = nonces.get(from) ?? 0n;
  nonces.set(from, nonce + 1n);
  const raw = transfer(from, { nonce, to: STAKING_ADDRESS, value, data: data(functionName, args), gasLimit: 500_000n, maxFeePerGas: 2n * GWEI });
  const result = await harness.engine.executeBlock(blockInput(harness.engine, [raw]));
  const receipt = harness.engine.getReceipt(result.included[0]!.hash)!;
  assert.equal(receipt.status === 1, reason === undefined, `${functionName}: the call and the block agree`);
  return receipt.status === 1 ? { ok: true } : { ok: false, reason: reason! };
}

async function mineUntilEpoch(epoch: number): Promise<void> {
  while (Number((await view<bigint>('currentEpoch')) < BigInt(epoch))) await harness.engine.executeBlock(blockInput(harness.engine, []));
}

test('the compiled contract in contracts/build/system.json is what its source gives', () => {
  execFileSync(process.execPath, ['scripts/compile-defi.mjs', '--check'], { cwd: new URL('../..', import.meta.url).pathname, stdio: 'pipe' });
});

test('the genesis storage reads back through the contract as the genesis records, with the same weights', async () => {
  const records = await readStakingRecords(harness.engine, 0n);
  assert.deepEqual(records.map((r) => [r.id, r.publicKey, r.owner, r.stake, r.lock, r.lockedUntil, r.coefficient, r.status]), [
    ['v0', pk(keyOf('v0')), '0x0000000000000000000000000000000000000000', 100n * ETHER, 30n, 30n, 1_000_000n, STATUS_ACTIVE],
    ['v1', pk(keyOf('v1')), address(0).toLowerCase(), 110n * ETHER + ETHER / 2n, 0n, 0n, 1_500_000n, STATUS_ACTIVE],
    ['v2', pk(keyOf('v2')), address(1).toLowerCase(), 120n * ETHER, 60n, 60n, 1_000_000n, STATUS_ACTIVE],
  ]);
  assert.equal(await view<bigint>('validatorCount'), 3n);
  assert.equal(await view<bigint>('maxLock'), 90n);
  assert.equal(await view<bigint>('epochLength'), BigInt(EPOCH_LENGTH));
  assert.equal(await view<bigint>('indexOfKey', [pk(keyOf('v2'))]), 3n);
  assert.equal(await view<bigint>('indexOfId', [idToBytes32('v1')]), 2n);
  assert.equal((await harness.engine.getAccount(STAKING_ADDRESS)).balance, 330n * ETHER + ETHER / 2n, 'the contract holds every genesis stake');
  const weights = await stakingValidatorsAt(harness.engine, 0n, 'product');
  assert.deepEqual(weights.map((w) => w.weight), genesis.validators.map((v) => v.weight), 'V_i from the chain = V_i from the genesis records');
});

test('the ed25519 precompile answers 1 for a valid signature and 0 otherwise', async () => {
  const k = keyOf('precompile');
  const message = utf8('hello');
  const input = (sig: Uint8Array, m = message): Hex => `0x${toHex(k.publicKey)}${toHex(sig)}${toHex(m)}` as Hex;
  const good = await harness.engine.call({ to: ED25519_VERIFY_ADDRESS as Hex, data: input(sign(k, message)) });
  assert.equal(BigInt(good.returnData), 1n);
  const bad = await harness.engine.call({ to: ED25519_VERIFY_ADDRESS as Hex, data: input(sign(k, message), utf8('other')) });
  assert.equal(BigInt(bad.returnData), 0n);
  const short = await harness.engine.call({ to: ED25519_VERIFY_ADDRESS as Hex, data: '0x1234' });
  assert.equal(BigInt(short.returnData), 0n);
});

test('register, add stake, unstake after the lock, withdraw after unbonding; every bad input reverts with its reason and changes nothing', async () => {
  const k = keyOf('v3');
  const id = idToBytes32('v3');
  const owner = 2;
  const pop = async (signer: Ed25519KeyPair, by = owner): Promise<Hex> => {
    const message = await view<Hex>('popMessage', [id, pk(k), address(by)]);
    return `0x${toHex(sign(signer, Buffer.from(message.slice(2), 'hex')))}` as Hex;
  };
  const before = await readStakingRecords(harness.engine);

  assert.deepEqual(await send(owner, 'register', [id, pk(k), await pop(keyOf('someone else')), LOCK], 5n * ETHER), { ok: false, reason: 'SynodStaking: the proof of possession does not verify for this key' });
  assert.deepEqual(await send(3, 'register', [id, pk(k), await pop(k), LOCK], 5n * ETHER), { ok: false, reason: 'SynodStaking: the proof of possession does not verify for this key' }, 'a proof made for another owner');
  assert.deepEqual(await send(owner, 'register', [id, pk(k), await pop(k), LOCK], ETHER / 2n), { ok: false, reason: 'SynodStaking: stake below the minimum' });
  assert.deepEqual(await send(owner, 'register', [id, pk(k), await pop(k), 91n], 5n * ETHER), { ok: false, reason: 'SynodStaking: lock above the maximum T' });
  assert.deepEqual(await send(owner, 'register', [idToBytes32('v0'), pk(k), await pop(k), LOCK], 5n * ETHER), { ok: false, reason: 'SynodStaking: the id is taken' });
  assert.deepEqual(await readStakingRecords(harness.engine), before, 'nothing changed');

  assert.deepEqual(await send(owner, 'register', [id, pk(k), await pop(k), LOCK], 5n * ETHER), { ok: true });
  assert.deepEqual(await send(owner, 'register', [idToBytes32('v4'), pk(k), await pop(k), LOCK], 5n * ETHER), { ok: false, reason: 'SynodStaking: the public key is registered already' });
  const registered = (await readStakingRecords(harness.engine))[3]!;
  // Its block's epoch (heights 1..E are epoch 0): the lock runs from there.
  const epoch = Math.floor((Number(harness.engine.head().number) - 2) / EPOCH_LENGTH);
  assert.equal(registered.id, 'v3');
  assert.equal(registered.stake, 5n * ETHER);
  assert.equal(registered.lockedUntil, BigInt(epoch) + LOCK);

  assert.deepEqual(await send(3, 'addStake', [3n], ETHER), { ok: false, reason: "SynodStaking: only the validator's owner may do this" });
  assert.deepEqual(await send(owner, 'addStake', [3n], ETHER), { ok: true });
  assert.deepEqual(await send(owner, 'requestUnstake', [3n, ETHER]), { ok: false, reason: 'SynodStaking: the stake is locked' });
  assert.deepEqual(await send(owner, 'withdraw', [3n]), { ok: false, reason: 'SynodStaking: nothing to withdraw' });

  await mineUntilEpoch(epoch + Number(LOCK));
  assert.deepEqual(await send(owner, 'requestUnstake', [3n, 5n * ETHER + ETHER / 2n]), { ok: false, reason: 'SynodStaking: the stake left would be below the minimum: unstake all of it or less' });
  assert.deepEqual(await send(owner, 'requestUnstake', [3n, 6n * ETHER]), { ok: true });
  const unbonding = (await readStakingRecords(harness.engine))[3]!;
  assert.equal(unbonding.stake, 0n);
  assert.equal(unbonding.status, STATUS_EXITED);
  assert.equal((await stakingValidatorsAt(harness.engine, harness.engine.head().number, 'product'))[3]!.weight, 0n, 'an exited validator weighs nothing');
  assert.deepEqual(await send(owner, 'withdraw', [3n]), { ok: false, reason: 'SynodStaking: still unbonding' });

  await mineUntilEpoch(Number(unbonding.unbondingEnds));
  const balanceBefore = (await harness.engine.getAccount(address(owner))).balance;
  assert.deepEqual(await send(owner, 'withdraw', [3n]), { ok: true });
  const balanceAfter = (await harness.engine.getAccount(address(owner))).balance;
  assert.ok(balanceAfter > balanceBefore + 6n * ETHER - ETHER / 100n, 'the owner got the stake back (less gas)');
  assert.deepEqual(await send(owner, 'withdraw', [3n]), { ok: false, reason: 'SynodStaking: nothing to withdraw' });
  // The draw reads storage slots directly: the same records as the contract's own view, at every block.
  for (const height of [0n, harness.engine.head().number - 3n, harness.engine.head().number]) {
    const direct = await readStakingStorage(harness.engine, height);
    assert.deepEqual(direct.records, await readStakingRecords(harness.engine, height), `block ${height}`);
    assert.equal(direct.maxLock, 90n);
  }
});

test('ids that are not valid UTF-8 stay distinct: two such registrations cannot make the draw see one id twice', async () => {
  const ids = ['0xff', '0xfe'].map((b) => `${b}${'00'.repeat(31)}` as Hex);
  for (const [i, id] of ids.entries()) {
    const k = keyOf(`bad-utf8-${i}`);
    const message = await view<Hex>('popMessage', [id, pk(k), address(3)]);
    const pop = `0x${toHex(sign(k, Buffer.from(message.slice(2), 'hex')))}` as Hex;
    assert.deepEqual(await send(3, 'register', [id, pk(k), pop, 0n], 2n * ETHER), { ok: true });
  }
  const validators = await stakingValidatorsAt(harness.engine, harness.engine.head().number, 'product');
  assert.equal(new Set(validators.map((v) => v.id)).size, validators.length, 'every id distinct');
  assert.ok(validators.some((v) => v.id === ids[0]), 'an id that is not UTF-8 reads as its bytes32');
  const drawn = drawCommittee(1, validators, 3, new Uint8Array(32));
  assert.equal(drawn.members.length, 3);
});

test('the precompile refuses small-order keys: the identity key with a forged signature is not valid', async () => {
  const identity = `01${'00'.repeat(31)}`;
  const forged = `01${'00'.repeat(63)}`; // R = the identity point, S = 0: "verifies" any message under the identity key
  const result = await harness.engine.call({ to: ED25519_VERIFY_ADDRESS as Hex, data: `0x${identity}${forged}${toHex(utf8('anything'))}` as Hex });
  assert.equal(BigInt(result.returnData), 0n);
});
