// Block sync against hostile peers, on the real execution engine and store: a forged body around a
// real certificate, an oversized extraData, a malformed or empty answer, a peer that never answers
// and a lone lying claim. After any response the victim's head is the certified block or unchanged,
// and the node keeps running and asks someone else.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { certificateMessage } from '../../src/chain/certificate.js';
import type { FinalityCertificate, Hex } from '../../src/chain/types.js';
import { fromHex, toHex, uintToBytes } from '../../src/crypto/bytes.js';
import { keyPairFromSeed, sign } from '../../src/crypto/ed25519.js';
import { createExecutionEngine, type ExecutionEngine } from '../../src/execution/engine.js';
import { createLogger } from '../../src/node/logger.js';
import { createMetrics } from '../../src/node/metrics.js';
import { certifiedBlockProblem } from '../../src/node/certified-blocks.js';
import { epochOfHeight } from '../../src/stake/epochs.js';
import { BlockSync, SYNC_REQUEST_TIMEOUT_MS, SYNC_STALL_MS, STATUS_INTERVAL_MS } from '../../src/node/sync.js';
import { CHANNEL, decodeSyncRequest, encodeStatus, encodeSyncResponse, type SyncedBlock } from '../../src/node/wire.js';
import type { Committee } from '../../src/stake/committee.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { openChainStore } from '../../src/storage/lmdb-store.js';
import { CHAIN_ID, address, genesisSpec, transfer } from '../execution/helpers.js';

const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(uintToBytes(BigInt(i), 32)));
const committee: Committee = { epoch: 0, members: keys.map((k, index) => ({ index, id: `v${index}`, publicKey: k.publicKey, weight: 1n })), totalWeight: 4n };
const peerId = (i: number): string => toHex(keys[i]!.publicKey);
const silent = createLogger('test', 'silent', new Writable({ write: (_c, _e, done) => done() }));

interface Sent {
  readonly peer: string;
  readonly channel: number;
  readonly payload: Uint8Array;
}

async function openEngine(dirs: string[]): Promise<{ engine: ExecutionEngine; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-sync-'));
  dirs.push(dir);
  const store = await openChainStore(dir);
  const engine = await createExecutionEngine({ store, chainId: CHAIN_ID, genesis: genesisSpec(4) });
  return { engine, close: () => store.close() };
}

function certify(height: bigint, blockHash: Hex, stateRoot: Hex, signers = [0, 1, 2]): FinalityCertificate {
  const message = certificateMessage(CHAIN_ID, height, blockHash, stateRoot);
  return { chainId: CHAIN_ID, height, epoch: 0, blockHash, stateRoot, signatures: signers.map((i) => ({ validatorIndex: i, signature: `0x${toHex(sign(keys[i]!, message))}` as Hex })) };
}

/** A source chain of three certified blocks, each with one transfer, as an honest peer serves it. */
async function sourceChain(dirs: string[]): Promise<SyncedBlock[]> {
  const { engine, close } = await openEngine(dirs);
  const blocks: SyncedBlock[] = [];
  for (let h = 1n; h <= 3n; h++) {
    const raw = transfer(0, { nonce: h - 1n, to: address(1), value: h });
    const result = await engine.executeBlock({ height: h, timestampMs: Number(1_700_000_000n + h) * 1000, transactions: [raw], extraData: `0x${'ab'.repeat(32)}`, consensus: { epoch: 0, proposers: [0, 2] } });
    blocks.push({ height: h, timestamp: result.block.timestamp, extraData: result.block.extraData, epoch: 0, proposers: [0, 2], transactions: [raw], certificate: certify(h, result.block.hash, result.block.stateRoot) });
  }
  await close();
  return blocks;
}

interface Victim {
  readonly engine: ExecutionEngine;
  readonly sync: BlockSync;
  readonly clock: VirtualClock;
  readonly sent: Sent[];
  readonly synced: bigint[];
  requests(): { peer: string; from: bigint; count: number }[];
  respond(from: number, payload: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

async function victim(dirs: string[]): Promise<Victim> {
  const { engine, close } = await openEngine(dirs);
  const clock = new VirtualClock();
  const sent: Sent[] = [];
  const synced: bigint[] = [];
  let exclusive: Promise<void> = Promise.resolve();
  const sync = new BlockSync({
    engine,
    link: {
      send: (peer, channel, payload) => (sent.push({ peer, channel, payload }), true),
      broadcast: () => undefined,
    },
    committeeOfEpoch: (epoch) => (epoch === 0 ? committee : undefined),
    epochOfHeight: () => 0,
    weightOf: (peer) => (committee.members.some((m) => toHex(m.publicKey) === peer) ? 1n : 0n),
    totalWeight: () => committee.totalWeight,
    chainId: CHAIN_ID,
    clock,
    logger: silent,
    metrics: createMetrics('test'),
    runExclusive: (task) => {
      exclusive = exclusive.then(task);
    },
    onApplied: async () => undefined,
    onSynced: (height) => void synced.push(height),
  });
  sync.start();
  return {
    engine,
    sync,
    clock,
    sent,
    synced,
    requests: () => sent.filter((s) => s.channel === CHANNEL.syncRequest).map((s) => ({ peer: s.peer, ...decodeSyncRequest(s.payload) })),
    respond: async (from, payload) => {
      sync.onMessage(peerId(from), CHANNEL.syncResponse, payload);
      await exclusive;
      await clock.settle();
      await exclusive;
    },
    close: async () => {
      sync.stop();
      await exclusive;
      await close();
    },
  };
}

function claim(v: Victim, from: number, certified: bigint): void {
  v.sync.onMessage(peerId(from), CHANNEL.status, encodeStatus({ head: certified, certified }));
}

async function withDirs(run: (dirs: string[]) => Promise<void>): Promise<void> {
  const dirs: string[] = [];
  try {
    await run(dirs);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

test('a real certificate around other transactions is refused before anything is stored; the next peer is asked', () =>
  withDirs(async (dirs) => {
    const honest = await sourceChain(dirs);
    const v = await victim(dirs);
    try {
      claim(v, 1, 3n);
      claim(v, 2, 3n);
      const [first] = v.requests();
      assert.ok(first !== undefined, 'a corroborated target starts a request');
      const liar = keys.findIndex((_, i) => peerId(i) === first.peer);
      // The liar wraps block 1's real certificate around a different body (no transactions).
      const forged = honest.map((b, i) => (i === 0 ? { ...b, transactions: [] } : b));
      await v.respond(liar, encodeSyncResponse(forged));
      assert.equal(v.engine.head().number, 0n, 'nothing of the forged response became the head');
      assert.equal(v.engine.getBlockByNumber(1n), undefined, 'the forged block is not stored');
      assert.equal(v.engine.getCertificate(1n), undefined, 'nor its certificate');
      assert.equal(v.sync.failuresOf(first.peer), 1, 'the liar is penalised');
      const second = v.requests()[1];
      assert.ok(second !== undefined && second.peer !== first.peer, 'another peer is asked at once');
      const honestIndex = keys.findIndex((_, i) => peerId(i) === second.peer);
      await v.respond(honestIndex, encodeSyncResponse(honest));
      assert.equal(v.engine.head().number, 3n);
      for (const b of honest) {
        assert.equal(v.engine.getBlockByNumber(b.height)?.hash, b.certificate.blockHash);
        assert.deepEqual(v.engine.getCertificate(b.height)?.blockHash, b.certificate.blockHash, 'the certificate is stored with its block');
      }
      assert.deepEqual(v.synced, [3n]);
    } finally {
      await v.close();
    }
  }));

test('an extraData over 32 bytes, a wrong-chain certificate or a short signature set is the peer fault, not a crash', () =>
  withDirs(async (dirs) => {
    const honest = await sourceChain(dirs);
    const v = await victim(dirs);
    try {
      claim(v, 1, 3n);
      claim(v, 2, 3n);
      claim(v, 3, 3n);
      const lies: SyncedBlock[][] = [
        [{ ...honest[0]!, extraData: `0x${'ab'.repeat(33)}` }],
        [{ ...honest[0]!, certificate: { ...honest[0]!.certificate, chainId: CHAIN_ID + 1n } }],
        [{ ...honest[0]!, certificate: { ...honest[0]!.certificate, signatures: honest[0]!.certificate.signatures.slice(0, 2) } }],
      ];
      for (const [n, lie] of lies.entries()) {
        const request = v.requests()[n]!;
        await v.respond(keys.findIndex((_, i) => peerId(i) === request.peer), encodeSyncResponse(lie));
        assert.equal(v.engine.head().number, 0n);
        assert.equal(v.sync.failuresOf(request.peer), 1);
      }
    } finally {
      await v.close();
    }
  }));

test('a malformed or empty answer clears the request at once and rotates to another peer', () =>
  withDirs(async (dirs) => {
    const v = await victim(dirs);
    try {
      claim(v, 1, 3n);
      claim(v, 2, 3n);
      const first = v.requests()[0]!;
      await v.respond(keys.findIndex((_, i) => peerId(i) === first.peer), Uint8Array.of(0x01));
      const second = v.requests()[1];
      assert.ok(second !== undefined && second.peer !== first.peer, 'the malformed answer freed the request slot');
      await v.respond(keys.findIndex((_, i) => peerId(i) === second.peer), encodeSyncResponse([]));
      assert.equal(v.sync.failuresOf(second.peer), 1, 'an empty answer counts against the peer');
      assert.equal(v.engine.head().number, 0n);
    } finally {
      await v.close();
    }
  }));

test('a peer that never answers is rotated out after the timeout, with backoff', () =>
  withDirs(async (dirs) => {
    const v = await victim(dirs);
    try {
      claim(v, 1, 5n);
      claim(v, 2, 5n);
      const first = v.requests()[0]!;
      v.clock.advance(SYNC_REQUEST_TIMEOUT_MS + 1);
      await v.clock.settle();
      const second = v.requests()[1];
      assert.ok(second !== undefined && second.peer !== first.peer);
      assert.equal(v.sync.failuresOf(first.peer), 1);
    } finally {
      await v.close();
    }
  }));

test('one lying claim is not a sync target: eth_syncing stays false and the liar is asked only after a stall', () =>
  withDirs(async (dirs) => {
    const v = await victim(dirs);
    try {
      claim(v, 3, 1_000_000n);
      assert.equal(v.sync.status(), false, 'one member (1/4 of the weight) cannot make the node report syncing');
      assert.equal(v.requests().length, 0, 'no request before the head stalls');
      v.clock.advance(SYNC_STALL_MS + STATUS_INTERVAL_MS);
      await v.clock.settle();
      const request = v.requests()[0];
      assert.ok(request !== undefined && request.peer === peerId(3), 'after a stall the lone claim is tried');
      assert.ok(request.count <= 64);
      v.clock.advance(SYNC_REQUEST_TIMEOUT_MS + 1);
      await v.clock.settle();
      assert.equal(v.sync.failuresOf(peerId(3)), 1);
      const before = v.requests().length;
      v.clock.advance(STATUS_INTERVAL_MS);
      await v.clock.settle();
      assert.equal(v.requests().length, before, 'a benched peer is not asked again before its backoff ends');
    } finally {
      await v.close();
    }
  }));

test('blocks a peer sends beyond what was asked, or out of order, are refused', () =>
  withDirs(async (dirs) => {
    const honest = await sourceChain(dirs);
    const v = await victim(dirs);
    try {
      claim(v, 1, 3n);
      claim(v, 2, 3n);
      const request = v.requests()[0]!;
      await v.respond(keys.findIndex((_, i) => peerId(i) === request.peer), encodeSyncResponse([honest[1]!, honest[2]!]));
      assert.equal(v.engine.head().number, 0n);
      assert.equal(v.sync.failuresOf(request.peer), 1);
      assert.equal(fromHex(honest[0]!.extraData).length, 32);
    } finally {
      await v.close();
    }
  }));

test('a certificate is checked against the committee of its own epoch: another epoch, or a block claiming one its height is not in, is refused', async () => {
  // Epochs of 2 blocks: epoch 0's committee is members 0-3, epoch 1's members 1-3 at new indexes.
  const epoch1: Committee = { epoch: 1, members: [1, 2, 3].map((k, index) => ({ index, id: `v${k}`, publicKey: keys[k]!.publicKey, weight: 1n })), totalWeight: 3n };
  const context = { chainId: CHAIN_ID, committeeOfEpoch: (e: number) => (e === 0 ? committee : e === 1 ? epoch1 : undefined), epochOfHeight: (h: bigint) => epochOfHeight(h, 2) };
  const blockHash = `0x${'11'.repeat(32)}` as Hex;
  const stateRoot = `0x${'22'.repeat(32)}` as Hex;
  const signedBy = (epoch: number, height: bigint, signerKeys: number[], indexes: number[]): FinalityCertificate => {
    const message = certificateMessage(CHAIN_ID, height, blockHash, stateRoot);
    return { chainId: CHAIN_ID, height, epoch, blockHash, stateRoot, signatures: signerKeys.map((k, i) => ({ validatorIndex: indexes[i]!, signature: `0x${toHex(sign(keys[k]!, message))}` as Hex })) };
  };
  const block = (height: bigint, epoch: number, certificate: FinalityCertificate): SyncedBlock => ({ height, timestamp: 1n, extraData: `0x${'ab'.repeat(32)}`, epoch, proposers: [0], transactions: [], certificate });
  // Height 3 is epoch 1: a quorum of epoch 1 (keys 1-3 at indexes 0-2) certifies it.
  assert.equal(certifiedBlockProblem(block(3n, 1, signedBy(1, 3n, [1, 2, 3], [0, 1, 2])), context), undefined);
  // The outgoing committee cannot certify a height of the next epoch, even with a quorum of its own.
  assert.match(certifiedBlockProblem(block(3n, 0, signedBy(0, 3n, [0, 1, 2], [0, 1, 2])), context)?.detail ?? '', /height 3 belongs to epoch 1, the block claims epoch 0/);
  // Epoch 0's signatures under epoch 1's indexes do not verify.
  assert.match(certifiedBlockProblem(block(3n, 1, signedBy(1, 3n, [0, 1, 2], [0, 1, 2])), context)?.detail ?? '', /signature|quorum/);
  // An epoch this node has not drawn is refused.
  assert.match(certifiedBlockProblem(block(5n, 2, signedBy(2, 5n, [1, 2, 3], [0, 1, 2])), context)?.detail ?? '', /unknown epoch 2/);
});
