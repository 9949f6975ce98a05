// The validator governance system contract on the chain's own EVM, with the staking contract it
// governs: stake-weighted proposals and votes on K, T, C_i, the epoch length, removal and
// admission; votes weigh the stake at the block before the proposal (stake added later does not
// count); a passed proposal changes the staking state, which the node's draw reads (K, the epoch
// plan, the weights); every bad input reverts with its reason and changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeErrorResult, decodeEventLog, decodeFunctionResult, encodeFunctionData, type Abi, type Hex } from 'viem';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { keyPairFromSeed, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import { buildGenesis, parseGenesis } from '../../src/node/genesis.js';
import { readChainParameters, readStakingRecords, readStakingStorage, STAKING_ADDRESS, stakingAbi, stakingValidatorsAt, STATUS_ACTIVE, STATUS_PENDING, STATUS_REMOVED } from '../../src/node/staking.js';
import { listProposals, VALIDATOR_GOVERNANCE_ADDRESS, validatorGovernanceAbi } from '../../src/node/validator-governance.js';
import { EpochPlan } from '../../src/stake/epochs.js';
import { sign } from '../../src/crypto/ed25519.js';
import { address, blockInput, CHAIN_ID, ETHER, GWEI, openHarness, transfer, type Harness } from '../execution/helpers.js';

const EPOCH_LENGTH = 10;
const VOTING_PERIOD = 8;
const K = 3;
const keyOf = (name: string): Ed25519KeyPair => keyPairFromSeed(sha256(utf8(`governance-test/${name}`)));
const pk = (k: Ed25519KeyPair): Hex => `0x${toHex(k.publicKey)}` as Hex;

/** Validator i is owned by account i; stakes 100, 110, 120, 130 tokens (460 in all). */
async function open(admission?: 'open' | 'governance'): Promise<Harness> {
  const file = buildGenesis({
    chainId: CHAIN_ID,
    timestamp: 1_700_000_000,
    alloc: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [address(i), { balance: (1000n * ETHER).toString() }])),
    maxLock: 90,
    form: 'product',
    committeeSize: K,
    epochLength: EPOCH_LENGTH,
    votingPeriodBlocks: VOTING_PERIOD,
    ...(admission === undefined ? {} : { admission }),
    validators: [0, 1, 2, 3].map((i) => ({ id: `v${i}`, publicKey: pk(keyOf(`v${i}`)), stake: 100 + 10 * i, lock: 10, coefficient: 1, owner: address(i) })),
  });
  const genesis = parseGenesis(file);
  assert.equal(genesis.contracts.validatorGovernance, VALIDATOR_GOVERNANCE_ADDRESS);
  return openHarness({ alloc: genesis.alloc, timestamp: genesis.timestamp, gasLimit: genesis.gasLimit, baseFeePerGas: genesis.baseFeePerGas });
}

let harness: Harness;
const nonces = new Map<string, bigint>();
before(async () => {
  harness = await open();
});
after(async () => {
  await harness?.cleanup();
});

const governance = validatorGovernanceAbi();
const staking = stakingAbi();
const data = (abi: Abi, functionName: string, args: readonly unknown[] = []): Hex => encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);

async function view<T>(h: Harness, to: Hex, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
  const result = await h.engine.call({ from: address(0), to, data: data(abi, functionName, args) });
  assert.ok(!result.reverted, `${functionName} reverted`);
  return decodeFunctionResult({ abi, functionName, data: result.returnData } as Parameters<typeof decodeFunctionResult>[0]) as T;
}
const gov = <T>(functionName: string, args: readonly unknown[] = [], h = harness): Promise<T> => view<T>(h, VALIDATOR_GOVERNANCE_ADDRESS, governance, functionName, args);
const stake = <T>(functionName: string, args: readonly unknown[] = [], h = harness): Promise<T> => view<T>(h, STAKING_ADDRESS, staking, functionName, args);

interface Sent {
  ok: boolean;
  reason?: string;
  logs: { address: Hex; topics: Hex[]; data: Hex }[];
}

/** One transaction in its own block; whether it succeeded, the revert reason when not, and its logs. */
async function send(from: number, to: Hex, abi: Abi, functionName: string, args: readonly unknown[], value = 0n, h = harness): Promise<Sent> {
  const call = await h.engine.call({ from: address(from), to, data: data(abi, functionName, args), value });
  const reason = call.reverted ? (decodeErrorResult({ data: call.returnData }).args[0] as string) : undefined;
  const key = `${h === harness ? 'a' : 'b'}${from}`;
  const nonce = nonces.get(key) ?? 0n;
  nonces.set(key, nonce + 1n);
  const raw = transfer(from, { nonce, to, value, data: data(abi, functionName, args), gasLimit: 2_000_000n, maxFeePerGas: 2n * GWEI });
  const result = await h.engine.executeBlock(blockInput(h.engine, [raw]));
  const receipt = h.engine.getReceipt(result.included[0]!.hash)!;
  assert.equal(receipt.status === 1, reason === undefined, `${functionName}: the call and the block agree`);
  const logs = (receipt.logs ?? []) as unknown as Sent['logs'];
  return receipt.status === 1 ? { ok: true, logs } : { ok: false, reason: reason!, logs };
}
const act = (from: number, functionName: string, args: readonly unknown[], h = harness): Promise<Sent> => send(from, VALIDATOR_GOVERNANCE_ADDRESS, governance, functionName, args, 0n, h);

async function mine(h: Harness, blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await h.engine.executeBlock(blockInput(h.engine, []));
}

const KIND = { committeeSize: 1n, maxLock: 2n, epochLength: 3n, coefficient: 4n, remove: 5n, admit: 6n } as const;

test('the genesis holds the voting period, K and the total stake', async () => {
  assert.equal(await gov<bigint>('votingPeriod'), BigInt(VOTING_PERIOD));
  assert.equal(await stake<bigint>('committeeSize'), BigInt(K));
  assert.equal(await stake<bigint>('totalStake'), 460n * ETHER);
  assert.equal(await stake<bigint>('totalStakeAt', [0n]), 460n * ETHER);
  assert.deepEqual(await readChainParameters(harness.engine, 0n, 99), { committeeSize: K, epochChanges: [] });
});

test('bad proposals revert with their reason and change nothing', async () => {
  const count = await gov<bigint>('proposalCount');
  assert.deepEqual(await act(4, 'propose', [0n, KIND.committeeSize, 0n, 2n, '']).then((r) => r.reason), "SynodValidatorGovernance: only the validator's owner may act for it");
  assert.deepEqual(await act(0, 'propose', [9n, KIND.committeeSize, 0n, 2n, '']).then((r) => r.reason), 'SynodValidatorGovernance: no validator at this index');
  assert.deepEqual(await act(0, 'propose', [0n, 9n, 0n, 2n, '']).then((r) => r.reason), 'SynodValidatorGovernance: unknown proposal kind');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.committeeSize, 0n, 0n, '']).then((r) => r.reason), 'SynodStaking: the committee size must be from 1 to MAX_VALIDATORS');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.committeeSize, 0n, 5000n, '']).then((r) => r.reason), 'SynodStaking: the committee size must be from 1 to MAX_VALIDATORS');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.epochLength, 0n, 1n, '']).then((r) => r.reason), 'SynodStaking: the epoch length must be from MIN_EPOCH_LENGTH to MAX_EPOCH_LENGTH blocks');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.maxLock, 0n, 0n, '']).then((r) => r.reason), 'SynodStaking: T must be at least one epoch');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.remove, 7n, 0n, '']).then((r) => r.reason), 'SynodValidatorGovernance: the target validator does not exist');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.committeeSize, 1n, 2n, '']).then((r) => r.reason), 'SynodValidatorGovernance: this kind of proposal has no target: pass 0');
  assert.deepEqual(await act(0, 'propose', [0n, KIND.committeeSize, 0n, 2n, 'x'.repeat(1025)]).then((r) => r.reason), 'SynodValidatorGovernance: the description is longer than MAX_DESCRIPTION_BYTES');
  assert.equal(await gov<bigint>('proposalCount'), count, 'nothing was recorded');
  // The staking setters are governance's alone.
  assert.deepEqual((await send(0, STAKING_ADDRESS, staking, 'setCommitteeSize', [2n])).reason, 'SynodStaking: only the validator governance contract may do this');
});

test('a proposal passes with more than half of the stake at its snapshot, is executed, and changes K for the next draw', async () => {
  const created = await act(1, 'propose', [1n, KIND.committeeSize, 0n, 2n, 'two seats']);
  assert.ok(created.ok);
  const event = decodeEventLog({ abi: governance, ...created.logs.find((l) => l.address.toLowerCase() === VALIDATOR_GOVERNANCE_ADDRESS)! } as unknown as Parameters<typeof decodeEventLog>[0]) as unknown as { eventName: string; args: { id: bigint; description: string } };
  assert.equal(event.eventName, 'ProposalCreated');
  assert.equal(event.args.description, 'two seats');
  const id = event.args.id;

  // Stake added after the snapshot does not count: v3's owner adds 500 tokens, then votes with 130.
  assert.ok((await send(3, STAKING_ADDRESS, staking, 'addStake', [3n], 500n * ETHER)).ok);
  const noVote = await act(3, 'vote', [id, 3n, false]);
  assert.ok(noVote.ok);
  const cast = decodeEventLog({ abi: governance, ...noVote.logs[0]! } as unknown as Parameters<typeof decodeEventLog>[0]) as unknown as { args: { weight: bigint } };
  assert.equal(cast.args.weight, 130n * ETHER, 'the vote weighs the stake at the snapshot');

  assert.equal((await act(2, 'vote', [id, 3n, true])).reason, "SynodValidatorGovernance: only the validator's owner may act for it");
  assert.equal((await act(3, 'vote', [id, 3n, true])).reason, 'SynodValidatorGovernance: this validator has voted on this proposal already');
  assert.ok((await act(1, 'vote', [id, 1n, true])).ok);
  assert.equal(await gov<bigint>('state', [id]), 0n, '110 of 460: still open');
  assert.equal((await act(0, 'execute', [id])).reason, 'SynodValidatorGovernance: the proposal has not passed');
  assert.ok((await act(2, 'vote', [id, 2n, true])).ok);
  assert.equal(await gov<bigint>('state', [id]), 0n, '230 of 460 is not more than half');
  assert.ok((await act(0, 'vote', [id, 0n, true])).ok);
  assert.equal(await gov<bigint>('state', [id]), 1n, '330 of 460: passed');
  assert.equal((await act(0, 'vote', [id, 0n, true])).reason, 'SynodValidatorGovernance: the proposal is decided already');

  const before = harness.engine.head().number;
  assert.ok((await act(5, 'execute', [id])).ok, 'anyone may execute a passed proposal');
  assert.equal((await act(5, 'execute', [id])).reason, 'SynodValidatorGovernance: the proposal is executed already');
  assert.equal((await readChainParameters(harness.engine, before, 99)).committeeSize, K, 'K before the execution');
  assert.equal((await readChainParameters(harness.engine, harness.engine.head().number, 99)).committeeSize, 2);

  const [listed] = await listProposals({ alloc: { [VALIDATOR_GOVERNANCE_ADDRESS]: { code: '0x00' } } }, harness.engine);
  assert.equal(listed!.id, id);
  assert.equal(listed!.kind, 'committeeSize');
  assert.equal(listed!.value, 2n);
  assert.equal(listed!.state, 'executed');
  assert.equal(listed!.yesStake, 330n * ETHER);
  assert.equal(listed!.noStake, 130n * ETHER);
  assert.equal(listed!.totalStake, 460n * ETHER);
  assert.equal(listed!.executedBlock, before + 1n);
});

test('a vote after the deadline reverts and the proposal is defeated', async () => {
  const created = await act(0, 'propose', [0n, KIND.maxLock, 0n, 50n, '']);
  assert.ok(created.ok, created.reason);
  const id = (await gov<bigint>('proposalCount')) - 1n;
  const proposal = await gov<{ deadline: bigint }>('proposal', [id]);
  assert.equal(proposal.deadline, harness.engine.head().number + BigInt(VOTING_PERIOD));
  await mine(harness, VOTING_PERIOD + 1);
  assert.equal((await act(1, 'vote', [id, 1n, true])).reason, 'SynodValidatorGovernance: the voting deadline has passed');
  assert.equal(await gov<bigint>('state', [id]), 3n);
  assert.equal((await act(1, 'execute', [id])).reason, 'SynodValidatorGovernance: the proposal has not passed');
  assert.equal(await stake<bigint>('maxLock'), 90n, 'T unchanged');
});

/** Proposes with validator 3's owner (now 630 of 960 tokens: a majority alone), votes, executes. */
async function pass(kind: bigint, target: bigint, value: bigint, h = harness, by = 3): Promise<void> {
  assert.ok((await act(by, 'propose', [BigInt(by), kind, target, value, ''], h)).ok);
  const id = (await gov<bigint>('proposalCount', [], h)) - 1n;
  assert.ok((await act(by, 'vote', [id, BigInt(by), true], h)).ok);
  const executed = await act(0, 'execute', [id], h);
  assert.ok(executed.ok, executed.reason);
}

test('a new epoch length holds from the next epoch on, in the contract and in the node plan alike', async () => {
  // Two changes (proposal, vote, execution: three blocks each) fall in the epoch that starts next.
  while (harness.engine.head().number % BigInt(EPOCH_LENGTH) !== 0n) await mine(harness, 1);
  const epochBefore = await stake<bigint>('epochOfBlock', [harness.engine.head().number + 1n]);
  await pass(KIND.epochLength, 0n, 3n);
  const head = harness.engine.head().number;
  assert.equal(await stake<bigint>('epochOfBlock', [head]), epochBefore, 'the current epoch keeps its length');
  assert.equal(await stake<bigint>('epochOfBlock', [head + 2n]), epochBefore, 'up to its last block');
  const { epochChanges } = await readChainParameters(harness.engine, head, 99);
  assert.equal(epochChanges.length, 1);
  assert.equal(epochChanges[0]!.firstEpoch, Number(epochBefore) + 1);
  assert.equal(epochChanges[0]!.length, 3);
  const plan = new EpochPlan(EPOCH_LENGTH, epochChanges);
  for (let block = 1n; block < head + 20n; block++) {
    assert.equal(BigInt(plan.epochOf(block)), await stake<bigint>('epochOfBlock', [block]), `block ${block}`);
  }
  for (let epoch = 0; epoch < Number(epochBefore) + 5; epoch++) {
    const [first, length] = await stake<[bigint, bigint]>('epochBounds', [BigInt(epoch)]);
    assert.equal(BigInt(plan.firstHeight(epoch)), first, `epoch ${epoch} starts`);
    assert.equal(BigInt(plan.lengthOf(epoch)), length, `epoch ${epoch} length`);
    assert.ok(plan.endsEpoch(plan.lastHeight(epoch)!) && !plan.endsEpoch(plan.lastHeight(epoch)! - 1));
  }
  // A second change in the same epoch replaces the first (it is not in force yet).
  await pass(KIND.epochLength, 0n, 4n);
  const again = await readChainParameters(harness.engine, harness.engine.head().number, 99);
  assert.equal(again.epochChanges.length, 1);
  assert.equal(again.epochChanges[0]!.length, 4);
});

test('removal leaves a validator out of the draw and the votes; admission takes it back; C_i and T change its weight', async () => {
  await pass(KIND.remove, 2n, 0n);
  const head = (): bigint => harness.engine.head().number;
  assert.equal((await readStakingRecords(harness.engine))[2]!.status, STATUS_REMOVED);
  assert.equal((await stakingValidatorsAt(harness.engine, head(), 'product'))[2]!.weight, 0n);
  assert.equal((await act(2, 'propose', [2n, KIND.admit, 2n, 0n, ''])).reason, 'SynodValidatorGovernance: only an active validator with stake may propose');
  assert.equal(await stake<bigint>('totalStake'), 840n * ETHER, 'its 120 tokens no longer count');
  await pass(KIND.admit, 2n, 0n);
  assert.equal((await readStakingRecords(harness.engine))[2]!.status, STATUS_ACTIVE);
  const weightBefore = (await stakingValidatorsAt(harness.engine, head(), 'product'))[1]!.weight;
  await pass(KIND.coefficient, 1n, 2_000_000n);
  assert.equal((await stakingValidatorsAt(harness.engine, head(), 'product'))[1]!.weight, 2n * weightBefore, 'C_1 doubled: V_1 doubled');
  await pass(KIND.maxLock, 0n, 20n);
  assert.equal((await readStakingStorage(harness.engine, head())).maxLock, 20n);
  // Storage reads and EVM reads agree on every field, the new ones included.
  assert.deepEqual((await readStakingStorage(harness.engine, head())).records, await readStakingRecords(harness.engine, head()));
});

test('with admission by governance, a registration weighs nothing until a vote admits it', async () => {
  const h = await open('governance');
  try {
    const k = keyOf('newcomer');
    const id = `0x${toHex(utf8('newcomer'))}${'00'.repeat(32 - 8)}` as Hex;
    const message = await view<Hex>(h, STAKING_ADDRESS, staking, 'popMessage', [id, pk(k), address(4)]);
    const pop = `0x${toHex(sign(k, Buffer.from(message.slice(2), 'hex')))}` as Hex;
    assert.ok((await send(4, STAKING_ADDRESS, staking, 'register', [id, pk(k), pop, 0n], 50n * ETHER, h)).ok);
    const records = await readStakingRecords(h.engine);
    assert.equal(records[4]!.status, STATUS_PENDING);
    assert.equal(records[4]!.registeredAt, h.engine.head().number);
    assert.equal((await stakingValidatorsAt(h.engine, h.engine.head().number, 'product'))[4]!.weight, 0n);
    assert.equal((await act(4, 'propose', [4n, KIND.admit, 4n, 0n, ''], h)).reason, 'SynodValidatorGovernance: only an active validator with stake may propose');
    // Validators 2 and 3 (250 of 460) admit it.
    assert.ok((await act(3, 'propose', [3n, KIND.admit, 4n, 0n, 'welcome'], h)).ok);
    assert.ok((await act(3, 'vote', [0n, 3n, true], h)).ok);
    assert.equal((await act(4, 'vote', [0n, 4n, true], h)).reason, 'SynodValidatorGovernance: this validator held no active stake at the proposal\'s snapshot');
    assert.ok((await act(2, 'vote', [0n, 2n, true], h)).ok);
    assert.ok((await act(1, 'execute', [0n], h)).ok);
    assert.equal((await readStakingRecords(h.engine))[4]!.status, STATUS_ACTIVE);
    assert.ok((await stakingValidatorsAt(h.engine, h.engine.head().number, 'product'))[4]!.weight > 0n);
  } finally {
    await h.cleanup();
  }
});
