// End-to-end: a devnet of 6 node processes with a committee of 4 and epochs of 4 blocks. The
// committee changes at every boundary while transfers keep finalizing; every epoch's committee is
// the one the sampler draws from the staking records and the digest of the epoch's last block
// before it; every certificate is a quorum of its own epoch's committee; a node killed for
// several epochs catches up by sync, each block checked against the committee of its epoch. Then
// a validator-governance vote changes K and E, and every node follows from the next boundary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWalletClient, defineChain, http, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { verifyCertificate } from '../../src/chain/certificate.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { devAccounts, parseGenesis, type GenesisFile } from '../../src/node/genesis.js';
import { STAKING_ADDRESS, stakingAbi, stakingValidatorsAt, type StakingStorageReader } from '../../src/node/staking.js';
import { VALIDATOR_GOVERNANCE_ADDRESS, validatorGovernanceAbi } from '../../src/node/validator-governance.js';
import { drawCommittee, epochCommitteeSeed, epochOfHeight } from '../../src/stake/epochs.js';
import { encodeFunctionData } from 'viem';
import { SYNOD_BIN, startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';
import { execFileSync } from 'node:child_process';

const NODES = 6;
const COMMITTEE = 4;
const EPOCH_LENGTH = 4;
const EPOCHS = 6;
const SLOT = 19;
const RPC_PORT = TEST_PORT_BASE + SLOT * 20;
const chain = defineChain({ id: 31337, name: 'synod-epochs', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [`http://127.0.0.1:${RPC_PORT}`] } } });
const RECIPIENT = '0x000000000000000000000000000000000000dEaD' as const;

let devnet: TestDevnet;

async function rpc<T>(node: number, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(devnet.urls[node]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
const head = async (node: number): Promise<bigint> => BigInt(await rpc<string>(node, 'eth_blockNumber'));
/** The staking contract's storage read over JSON-RPC (eth_getStorageAt at a block), as any client could. */
const rpcReader: StakingStorageReader = {
  getStorageAt: (address, slot, height) => rpc<Hex>(0, 'eth_getStorageAt', [address, slot, height === undefined ? 'latest' : `0x${height.toString(16)}`]),
};

interface CommitteeJson {
  epoch: number;
  firstBlock: string;
  lastBlock: string | null;
  members: { index: number; id: string; publicKey: Hex; weight: string }[];
  next: { epoch: number } | null;
}

before(async () => {
  devnet = await startTestDevnet({ validators: NODES, slot: SLOT, args: ['--committee', String(COMMITTEE), '--epoch-length', String(EPOCH_LENGTH), '--empty-block-interval', '150'] });
});
after(async () => {
  await devnet?.stop();
});

test('the committee rotates every epoch while transfers finalize, a node down for epochs catches up, and every certificate is its epoch committee quorum', { timeout: 240_000 }, async () => {
  const genesis = parseGenesis(JSON.parse(readFileSync(join(devnet.dataDir, 'genesis.json'), 'utf8')) as GenesisFile);
  assert.equal(genesis.epochLength, EPOCH_LENGTH);
  assert.equal(genesis.committee.members.length, COMMITTEE);

  // Kill one node for several epochs (it may be drawn meanwhile: one of four seats is tolerated).
  const down = 5;
  process.kill(devnet.pidOf(down), 'SIGKILL');
  const downAt = await head(0);

  // A stake change: validator-0's owner (development account 19) adds 2,000 tokens in epoch 1;
  // from the next draw on, its weight is the new one.
  const owner = privateKeyToAccount(devAccounts()[19]!.privateKey);
  await until('epoch 1', async () => ((await head(0)) > BigInt(EPOCH_LENGTH) ? true : undefined), 30_000);
  const stakeTx = await createWalletClient({ chain, transport: http(devnet.urls[1]), account: owner }).sendTransaction({
    to: STAKING_ADDRESS,
    data: encodeFunctionData({ abi: stakingAbi(), functionName: 'addStake', args: [0n] }),
    value: parseEther('2000'),
    gas: 400_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
  });
  const stakeReceipt = await until('the stake receipt', () => rpc<{ status: string; blockNumber: string } | null>(0, 'eth_getTransactionReceipt', [stakeTx]).then((r) => r ?? undefined), 30_000);
  assert.equal(stakeReceipt.status, '0x1');
  const changedAt = BigInt(stakeReceipt.blockNumber);

  // Transfers through every live node, members and full nodes alike, across the boundaries.
  const account = privateKeyToAccount(devAccounts(1)[0]!.privateKey);
  let nonce = Number(await rpc<string>(0, 'eth_getTransactionCount', [account.address, 'pending']));
  const sent: Hex[] = [];
  const target = BigInt(EPOCHS * EPOCH_LENGTH);
  for (let i = 0; (await head(0)) < target; i++) {
    const node = i % (NODES - 1);
    const wallet = createWalletClient({ chain, transport: http(devnet.urls[node]), account });
    sent.push(await wallet.sendTransaction({ to: RECIPIENT, value: parseEther('0.001'), nonce: nonce++, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n }));
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const hash of sent) {
    const receipt = await until(`receipt ${hash}`, () => rpc<{ status: string } | null>(0, 'eth_getTransactionReceipt', [hash]).then((r) => r ?? undefined), 60_000);
    assert.equal(receipt.status, '0x1');
  }
  assert.ok(epochOfHeight(await head(0), EPOCH_LENGTH) - epochOfHeight(downAt, EPOCH_LENGTH) >= 3, 'the node was down for at least three epochs');

  // The node comes back and follows the hand-overs to the head.
  devnet.startValidator(down);
  const top = await head(0);
  await until(`node ${down} at ${top}`, async () => ((await head(down)) >= top ? true : undefined), 90_000);

  // Every node holds the same blocks; each block's epoch is its height's, and its certificate a
  // quorum of that epoch's committee, which every node reports alike.
  const committees = new Map<number, CommitteeJson>();
  const distinct = new Set<string>();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const views = await Promise.all(Array.from({ length: NODES }, (_, n) => rpc<CommitteeJson>(n, 'synod_committee', [epoch])));
    for (const view of views) assert.deepEqual(view.members, views[0]!.members, `epoch ${epoch}: nodes report the same committee`);
    const committee = views[0]!;
    assert.equal(committee.epoch, epoch);
    assert.equal(committee.members.length, COMMITTEE);
    assert.equal(BigInt(committee.firstBlock), BigInt(epoch * EPOCH_LENGTH + 1));
    committees.set(epoch, committee);
    distinct.add(committee.members.map((m) => m.id).join(','));
    // Drawn as the sampler of `synod analyze` draws it, from the staking contract's weights after
    // the previous epoch's last block (read here over JSON-RPC) and the seed of that block.
    const boundary = BigInt(epoch * EPOCH_LENGTH);
    const weights = epoch === 0 ? genesis.validators.map((v) => ({ id: v.id, publicKey: fromHex(v.publicKey), weight: v.weight })) : await stakingValidatorsAt(rpcReader, boundary, 'product');
    const expected =
      epoch === 0
        ? genesis.committee
        : drawCommittee(epoch, weights, COMMITTEE, epochCommitteeSeed(epoch, fromHex((await rpc<{ extraData: Hex }>(0, 'eth_getBlockByNumber', [`0x${boundary.toString(16)}`, false])).extraData)));
    assert.deepEqual(committee.members.map((m) => m.id), expected.members.map((m) => m.id), `epoch ${epoch}: the committee the sampler draws`);
    assert.deepEqual(committee.members.map((m) => BigInt(m.weight)), expected.members.map((m) => m.weight), `epoch ${epoch}: with the weights of the staking state`);
    const genesisWeights = weights.map((w) => genesis.validators.find((v) => v.id === w.id)!.weight);
    if (epoch > 0 && boundary >= changedAt) assert.notDeepEqual(weights.map((w) => w.weight), genesisWeights, `epoch ${epoch}: drawn after the stake change, from the new weights`);
    if (epoch > 0 && boundary < changedAt) assert.deepEqual(weights.map((w) => w.weight), genesisWeights, `epoch ${epoch}: drawn before the stake change`);
  }
  assert.ok(distinct.size >= 2, `the committee changed over ${EPOCHS} epochs: ${[...distinct].join(' | ')}`);

  for (let height = 1n; height <= target; height++) {
    const hashes = await Promise.all(Array.from({ length: NODES }, (_, n) => rpc<{ hash: Hex }>(n, 'eth_getBlockByNumber', [`0x${height.toString(16)}`, false]).then((b) => b.hash)));
    assert.ok(hashes.every((h) => h === hashes[0]), `block ${height}: every node holds the same block`);
    // The node that was down holds the certificate of every block it synced (those it executed
    // before it was killed may have lost theirs with the shares still in flight).
    const holder = height > downAt + 2n ? down : 0;
    const cert = await until(`certificate of ${height} on node ${holder}`, () => rpc<{ epoch: number; chainId: string; height: string; blockHash: Hex; stateRoot: Hex; signatures: { validatorIndex: number; signature: Hex }[] } | null>(holder, 'synod_getCertificate', [`0x${height.toString(16)}`]).then((c) => c ?? undefined));
    const epoch = epochOfHeight(height, EPOCH_LENGTH);
    assert.equal(cert.epoch, epoch, `block ${height}: certificate of its epoch`);
    assert.equal(cert.blockHash, hashes[0]);
    const committee = committees.get(epoch)!;
    const check = verifyCertificate(
      { chainId: BigInt(cert.chainId), height: BigInt(cert.height), epoch: cert.epoch, blockHash: cert.blockHash, stateRoot: cert.stateRoot, signatures: cert.signatures },
      { members: committee.members.map((m) => ({ index: m.index, id: m.id, publicKey: fromHex(m.publicKey), weight: BigInt(m.weight) })), totalWeight: committee.members.reduce((s, m) => s + BigInt(m.weight), 0n) },
    );
    assert.ok(check.ok, `block ${height}: ${check.ok ? '' : check.reason}`);
  }

  // synod analyze --rpc reads the same live staking state: validator-0 staked 2,000 more.
  const analysis = JSON.parse(execFileSync(process.execPath, [SYNOD_BIN, 'analyze', '--rpc', devnet.urls[2]!, '--byzantine', 'validator-5', '--json'], { encoding: 'utf8' })) as {
    committeeRisk: { k: number };
    nodes: { id: string; weight: number; inclusionProbability: number; byzantine: boolean }[];
  };
  assert.equal(analysis.committeeRisk.k, COMMITTEE, '--k defaults to the chain committee size');
  assert.deepEqual(analysis.nodes.map((n) => n.id), genesis.validators.map((v) => v.id));
  const heaviest = analysis.nodes.reduce((a, b) => (b.weight > a.weight ? b : a));
  assert.equal(heaviest.id, 'validator-0');
  assert.ok(heaviest.inclusionProbability > 0.99, `validator-0 is almost surely drawn: ${heaviest.inclusionProbability}`);
  assert.deepEqual(analysis.nodes.filter((n) => n.byzantine).map((n) => n.id), ['validator-5']);

  // synod_committee without an epoch: the head's epoch; an epoch not reached yet: null.
  const current = await rpc<CommitteeJson>(0, 'synod_committee');
  assert.ok(current.epoch >= EPOCHS - 1);
  assert.equal(await rpc<null>(0, 'synod_committee', [10_000]), null);
});

test('a validator-governance vote changes K and the epoch length from the next boundary on; every node follows the new plan', { timeout: 180_000 }, async () => {
  const governance = validatorGovernanceAbi();
  // Validator i is owned by development account 19 - i; validator-0 holds most of the stake now.
  const ownerOf = (validator: number): ReturnType<typeof privateKeyToAccount> => privateKeyToAccount(devAccounts()[19 - validator]!.privateKey);
  const call = async (from: ReturnType<typeof privateKeyToAccount>, functionName: string, args: readonly unknown[]): Promise<bigint> => {
    const hash = await createWalletClient({ chain, transport: http(devnet.urls[0]), account: from }).sendTransaction({
      to: VALIDATOR_GOVERNANCE_ADDRESS,
      data: encodeFunctionData({ abi: governance, functionName, args } as Parameters<typeof encodeFunctionData>[0]),
      gas: 1_000_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1n,
    });
    const receipt = await until(`${functionName} receipt`, () => rpc<{ status: string; blockNumber: string } | null>(0, 'eth_getTransactionReceipt', [hash]).then((r) => r ?? undefined), 30_000);
    assert.equal(receipt.status, '0x1', `${functionName} succeeded`);
    return BigInt(receipt.blockNumber);
  };
  const contracts = await rpc<Record<string, string>>(0, 'synod_contracts');
  assert.equal(contracts.validatorGovernance, VALIDATOR_GOVERNANCE_ADDRESS);

  // A vote from someone who owns no validator is refused with its reason, changing nothing.
  const refused = await fetch(devnet.urls[0]!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ from: devAccounts()[0]!.address, to: VALIDATOR_GOVERNANCE_ADDRESS, data: encodeFunctionData({ abi: governance, functionName: 'propose', args: [0n, 1n, 0n, 3n, ''] }) }, 'latest'] }),
  }).then((r) => r.json() as Promise<{ error?: { message: string } }>);
  assert.match(refused.error?.message ?? '', /only the validator's owner may act for it/);

  await call(ownerOf(1), 'propose', [1n, 1n, 0n, 3n, 'three seats']);
  await call(ownerOf(2), 'vote', [0n, 2n, false]);
  await call(ownerOf(0), 'vote', [0n, 0n, true]);
  const kAt = await call(ownerOf(3), 'execute', [0n]);
  await call(ownerOf(0), 'propose', [0n, 3n, 0n, 5n, 'epochs of five']);
  await call(ownerOf(0), 'vote', [1n, 0n, true]);
  const eAt = await call(ownerOf(4), 'execute', [1n]);

  const proposals = await rpc<{ id: string; kind: string; value: string; state: string; executedBlock: string; noStake: string }[]>(3, 'synod_validatorProposals');
  assert.deepEqual(proposals.map((p) => [p.id, p.kind, BigInt(p.value), p.state, BigInt(p.executedBlock)]), [
    ['0x1', 'epochLength', 5n, 'executed', eAt],
    ['0x0', 'committeeSize', 3n, 'executed', kAt],
  ]);
  assert.ok(BigInt(proposals[1]!.noStake) > 0n, 'the no vote is counted');
  assert.equal((await rpc<{ state: string }>(2, 'synod_validatorProposal', ['0x1'])).state, 'executed');
  assert.equal(await rpc<null>(2, 'synod_validatorProposal', ['0x9']), null);

  // Two boundaries after the later execution, while a transfer finalizes across them.
  const account = privateKeyToAccount(devAccounts(1)[0]!.privateKey);
  const executedEpoch = async (block: bigint): Promise<number> => {
    for (let epoch = 0; ; epoch++) {
      const c = await rpc<CommitteeJson>(0, 'synod_committee', [epoch]);
      if (BigInt(c.lastBlock!) >= block) return epoch;
    }
  };
  const eExecutedIn = await executedEpoch(eAt);
  await until('two epochs after the change', async () => ((await rpc<CommitteeJson>(0, 'synod_committee')).epoch >= eExecutedIn + 2 ? true : undefined), 60_000);
  const transfer = await createWalletClient({ chain, transport: http(devnet.urls[4]), account }).sendTransaction({ to: RECIPIENT, value: 1n, gas: 21_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n });
  await until('the transfer', () => rpc<{ status: string } | null>(0, 'eth_getTransactionReceipt', [transfer]).then((r) => r ?? undefined), 30_000);

  const headEpoch = (await rpc<CommitteeJson>(0, 'synod_committee')).epoch;
  let previousLast = 0n;
  for (let epoch = 0; epoch <= headEpoch; epoch++) {
    const views = await Promise.all(Array.from({ length: NODES }, (_, n) => rpc<CommitteeJson & { epochLength: number; committeeSize: number }>(n, 'synod_committee', [epoch])));
    for (const view of views) assert.deepEqual(view, views[0], `epoch ${epoch}: every node reports the same committee and plan`);
    const c = views[0]!;
    const first = BigInt(c.firstBlock);
    assert.equal(first, previousLast + 1n, `epoch ${epoch} starts where the one before ended`);
    const length = epoch > eExecutedIn ? 5 : EPOCH_LENGTH;
    assert.equal(c.epochLength, length, `epoch ${epoch}: its length`);
    assert.equal(BigInt(c.lastBlock!), first + BigInt(length) - 1n);
    // Drawn from the state after block first - 1: with the new K once the execution is in it.
    const seats = first - 1n >= kAt ? 3 : COMMITTEE;
    assert.equal(c.members.length, seats, `epoch ${epoch}: ${seats} seats`);
    assert.equal(c.committeeSize, seats);
    previousLast = BigInt(c.lastBlock!);
    // Every block of the epoch carries a certificate of this epoch's committee.
    for (let height = first; height <= previousLast && height <= (await head(0)); height++) {
      if (epoch < eExecutedIn - 1) break;
      const cert = await until(`certificate ${height}`, () => rpc<{ epoch: number; chainId: string; height: string; blockHash: Hex; stateRoot: Hex; signatures: { validatorIndex: number; signature: Hex }[] } | null>(0, 'synod_getCertificate', [`0x${height.toString(16)}`]).then((x) => x ?? undefined));
      assert.equal(cert.epoch, epoch, `block ${height} is certified in epoch ${epoch}`);
      const check = verifyCertificate(
        { chainId: BigInt(cert.chainId), height: BigInt(cert.height), epoch: cert.epoch, blockHash: cert.blockHash, stateRoot: cert.stateRoot, signatures: cert.signatures },
        { members: c.members.map((m) => ({ index: m.index, id: m.id, publicKey: fromHex(m.publicKey), weight: BigInt(m.weight) })), totalWeight: c.members.reduce((s, m) => s + BigInt(m.weight), 0n) },
      );
      assert.ok(check.ok, `block ${height}: ${check.ok ? '' : check.reason}`);
    }
  }
  assert.ok(headEpoch > eExecutedIn + 1);
});
