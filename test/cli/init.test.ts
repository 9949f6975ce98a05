// `synod init`: a network from a validators file writes no private key and funds only what it is
// told to; a test network (--validators N) still works, with a warning; bad input names the field
// and the fix; and the devnet's genesis is byte for byte what it was before init shared its code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command as init } from '../../src/cli/init.js';
import { command as analyze } from '../../src/cli/analyze.js';
import { devnetNetworkOptions } from '../../src/cli/devnet.js';
import { keyPairFromSeed, generateKeyPair } from '../../src/crypto/ed25519.js';
import { toHex } from '../../src/crypto/bytes.js';
import { genesisHashOf } from '../../src/execution/engine.js';
import { writeNetworkFiles } from '../../src/node/network-files.js';
import { parseGenesis, type GenesisFile } from '../../src/node/genesis.js';
import { CREATE2_DEPLOYER_ADDRESS, MULTICALL3_ADDRESS } from '../../src/node/predeploys.js';
import { STAKING_ADDRESS } from '../../src/node/staking.js';
import { VALIDATOR_GOVERNANCE_ADDRESS } from '../../src/node/validator-governance.js';

/** The devnet genesis of fixed keys and time, since the staking contract joined every genesis. */
const STAKING_GENESIS_SHA256 = 'd64ff4a5b0cb3d1b76359fd26043ac378e174f7e2160f3b0ae120231794191af';
const STAKING_GENESIS_HASH = '0x00c98f7a63b21317379d0d5c3fda56d008902a87227bd66746baf22f0e27ef2f';

let dir: string;
const keys = [0, 1, 2, 3].map(() => `0x${toHex(generateKeyPair().publicKey)}`);
const nodes = keys.map((publicKey, i) => ({ id: `v${i}`, publicKey, address: i === 3 ? 'v3.example.net:30300' : `10.0.0.${i + 1}:30300`, stake: 100 * (i + 1), lock: 10 * i, coefficient: 1 }));
const FUNDED = '0x00000000000000000000000000000000000000aa';

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

async function quiet<T>(run: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    return await run();
  } finally {
    console.log = log;
    console.error = error;
  }
}

const out = () => join(dir, `out-${Math.random().toString(36).slice(2)}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-init-'));
  file('validators.json', { T: 90, form: 'product', nodes });
  file('alloc.json', { alloc: { [FUNDED.slice(2)]: { balance: '0xde0b6b3a7640000' } } });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a validators file gives a genesis of its stakes and keys, configs without keys, and only the alloc funded', async () => {
  const target = out();
  assert.equal(await quiet(() => init.run(['--validators-file', join(dir, 'validators.json'), '--alloc', join(dir, 'alloc.json'), '--chain-id', '4242', '--committee', '3', '--gas-limit', '30000000', '--out', target])), 0);
  const genesis = JSON.parse(readFileSync(join(target, 'genesis.json'), 'utf8')) as GenesisFile;
  assert.equal(genesis.chainId, '4242');
  assert.equal(genesis.gasLimit, '30000000');
  // Besides the predeploys, only the staking contract, which holds the genesis validators' stake.
  assert.deepEqual(Object.keys(genesis.alloc).sort(), [FUNDED, MULTICALL3_ADDRESS, CREATE2_DEPLOYER_ADDRESS, STAKING_ADDRESS, VALIDATOR_GOVERNANCE_ADDRESS].sort());
  assert.equal(genesis.alloc[FUNDED]!.balance, '1000000000000000000');
  assert.deepEqual(genesis.staking, { maxLock: 90, form: 'product', committeeSize: 3, validators: nodes.map(({ id, publicKey, stake, lock, coefficient }) => ({ id, publicKey, stake, lock, coefficient })) });
  assert.equal(parseGenesis(genesis).committee.members.length, 3);
  assert.deepEqual(readdirSync(target).sort(), ['genesis.json', 'v0', 'v1', 'v2', 'v3']);
  for (const id of ['v0', 'v1', 'v2', 'v3']) assert.deepEqual(readdirSync(join(target, id)), ['config.json'], 'no key file is written');
  const config = JSON.parse(readFileSync(join(target, 'v3', 'config.json'), 'utf8'));
  assert.equal(config.keyFile, 'keystore.json');
  assert.equal(config.listen, '0.0.0.0:30300');
  assert.deepEqual(config.peers.map((p: { address: string }) => p.address), ['10.0.0.1:30300', '10.0.0.2:30300', '10.0.0.3:30300']);
  const v0 = JSON.parse(readFileSync(join(target, 'v0', 'config.json'), 'utf8'));
  assert.equal(v0.peers[2].address, 'v3.example.net:30300', 'peers by DNS name');
});

test('synod analyze reads the same validators file', async () => {
  assert.equal(await quiet(() => analyze.run(['--stakes', join(dir, 'validators.json'), '--k', '3', '--json'])), 0);
});

test('bad input names the field and the fix', async () => {
  const base = ['--validators-file', join(dir, 'validators.json'), '--out', out()];
  const refused = (args: string[], pattern: RegExp) => assert.rejects(quiet(() => init.run(args)), pattern);
  await refused(base, /--chain-id ID is required/);
  await refused([...base, '--chain-id', '31337'], /--chain-id 31337 is a development chain id .* add --dev-accounts/);
  await refused([...base, '--chain-id', '1337'], /development chain id/);
  await refused([...base, '--chain-id', '7', '--committee', '5'], /--committee must be an integer from 1 to 4/);
  await refused([...base, '--chain-id', '7', '--gas-limit', '60000', '--committee', '4'], /leaves 15000 gas per transaction, below the 21000 of a transfer: raise the gas limit \(--gas-limit\) or lower K/);
  await refused([...base, '--chain-id', '7', '--hosts', 'a,b'], /--hosts applies to --validators N only/);
  const withNode = (change: Record<string, unknown>) => ['--validators-file', file(`v-${Math.random()}.json`, { T: 90, nodes: [{ ...nodes[0], ...change }, nodes[1]] }), '--out', out(), '--chain-id', '7'];
  await refused(withNode({ publicKey: '0x1234' }), /nodes\[0\]\.publicKey must be an ed25519 public key, 0x \+ 64 hex digits/);
  await refused(withNode({ publicKey: `0x${'12'.repeat(32)}` }), /nodes\[0\]\.publicKey 0x1212.* is not a point of the ed25519 curve .*copy it again from 'synod keys inspect'/);
  await refused(withNode({ publicKey: `0x01${'00'.repeat(31)}` }), /is not a point of the ed25519 curve \(or is a weak, small-order one\)/);
  await refused(withNode({ publicKey: undefined }), /nodes\[0\]\.publicKey is missing: give the validator's ed25519 public key, as 'synod keys generate' prints it/);
  await refused(withNode({ publicKey: keys[1] }), /nodes\[1\]\.publicKey repeats nodes\[0\]\.publicKey/);
  await refused(withNode({ address: '0.0.0.0:30300' }), /nodes\[0\]\.address: 0\.0\.0\.0 is where a node listens, not an address others can dial/);
  await refused(withNode({ address: 'bad_host!:1' }), /is not an IPv4 address, a \[bracketed\] IPv6 address or a DNS name/);
  await refused(withNode({ address: '10.0.0.2:30300' }), /nodes\[1\]\.address 10\.0\.0\.2:30300 repeats nodes\[0\]\.address/);
  await refused(withNode({ stak: 1 }), /unknown field "nodes\[0\]\.stak"/);
  await refused(withNode({ id: '../x' }), /nodes\[0\]\.id "\.\.\/x" names the validator's folder/);
  const alloc = (json: unknown) => [...base, '--chain-id', '7', '--alloc', file(`a-${Math.random()}.json`, json)];
  await refused(alloc({ '0x12': { balance: '1' } }), /"0x12" is not an address/);
  await refused(alloc({ [FUNDED]: { balance: '-1' } }), /0x0+aa\.balance must be a non-negative integer/);
  await refused(alloc({ [FUNDED]: { balance: '1', nonse: 1 } }), /0x0+aa\.nonse is not an alloc field/);
  await refused(alloc({ [MULTICALL3_ADDRESS]: { balance: '1' } }), /allocated twice \(it is the Multicall3 predeploy\)/);
});

test('--validators N still makes a test network, funding the development accounts only with --dev-accounts', async () => {
  const plain = out();
  assert.equal(await quiet(() => init.run(['--validators', '2', '--chain-id', '7', '--out', plain])), 0);
  const genesis = JSON.parse(readFileSync(join(plain, 'genesis.json'), 'utf8')) as GenesisFile;
  assert.deepEqual(Object.keys(genesis.alloc), [MULTICALL3_ADDRESS, CREATE2_DEPLOYER_ADDRESS, STAKING_ADDRESS, VALIDATOR_GOVERNANCE_ADDRESS]);
  assert.ok(readFileSync(join(plain, 'validator-0', 'key.json'), 'utf8').includes('"seed"'));
  const dev = out();
  assert.equal(await quiet(() => init.run(['--validators', '2', '--chain-id', '31337', '--dev-accounts', '--out', dev])), 0);
  assert.equal(Object.keys((JSON.parse(readFileSync(join(dev, 'genesis.json'), 'utf8')) as GenesisFile).alloc).length, 24, '20 development accounts, 2 predeploys, the staking and validator governance contracts');
  const rotating = out();
  assert.equal(await quiet(() => init.run(['--validators', '6', '--committee', '4', '--epoch-length', '8', '--chain-id', '7', '--out', rotating])), 0);
  const staking = (JSON.parse(readFileSync(join(rotating, 'genesis.json'), 'utf8')) as GenesisFile).staking;
  assert.deepEqual([staking.validators.length, staking.committeeSize, staking.epochLength], [6, 4, 8]);
  await assert.rejects(() => quiet(() => init.run(['--validators', '6', '--epoch-length', '1', '--chain-id', '7', '--out', out()])), /--epoch-length must be an integer from 2/);
});

test("the devnet's genesis is unchanged: same file bytes and genesis hash for the same keys and time", async () => {
  const target = out();
  const options = devnetNetworkOptions({ validators: 4, dataDir: target, rpcPort: 8545, chainId: undefined, emptyBlockIntervalMs: undefined }, 30300);
  const keyPairs = [0, 1, 2, 3].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i + 1)));
  await writeNetworkFiles({ ...options, keyPairs, timestamp: 1_700_000_000 });
  const text = readFileSync(join(target, 'genesis.json'), 'utf8');
  // Recorded from the devnet before init and the devnet shared their genesis code, then changed on
  // purpose: the CREATE2 deployer joined the predeploys, then the staking contract joined every
  // genesis (with its directory entry and each validator's stake owner), then the validator
  // governance contract (and the staking slots it governs). Without them the file is the earlier one.
  assert.equal(createHash('sha256').update(text).digest('hex'), STAKING_GENESIS_SHA256);
  const beforeStaking = JSON.parse(text) as GenesisFile & { contracts: Record<string, unknown>; staking: { validators: { owner?: string }[] } };
  delete (beforeStaking.alloc as Record<string, unknown>)[STAKING_ADDRESS];
  delete (beforeStaking.alloc as Record<string, unknown>)[VALIDATOR_GOVERNANCE_ADDRESS];
  delete beforeStaking.contracts.staking;
  delete beforeStaking.contracts.validatorGovernance;
  for (const v of beforeStaking.staking.validators) delete v.owner;
  const earlier = JSON.stringify(beforeStaking, null, 2) + '\n';
  assert.equal(createHash('sha256').update(earlier).digest('hex'), '2adf8dec3a7ce9abe3a06c15d59498f2562ca5e62ad2e8ebb7612e46639f276a');
  const withoutCreate2 = JSON.parse(earlier) as GenesisFile;
  delete (withoutCreate2.alloc as Record<string, unknown>)[CREATE2_DEPLOYER_ADDRESS];
  assert.equal(createHash('sha256').update(JSON.stringify(withoutCreate2, null, 2) + '\n').digest('hex'), '475ece06b19e5866820437736db92a3dd41346ca056d6a76c354d609c2418898');
  const parsed = parseGenesis(JSON.parse(text) as GenesisFile);
  const hash = await genesisHashOf(parsed.chainId, { alloc: parsed.alloc, timestamp: parsed.timestamp, gasLimit: parsed.gasLimit, baseFeePerGas: parsed.baseFeePerGas });
  assert.equal(hash, STAKING_GENESIS_HASH);
  assert.ok(parsed.alloc[MULTICALL3_ADDRESS]?.code !== undefined && parsed.alloc[CREATE2_DEPLOYER_ADDRESS]?.code !== undefined);
  assert.ok(readFileSync(join(target, 'validator-0', 'key.json'), 'utf8').includes('"seed"'), 'the devnet keeps its plaintext keys');
});
