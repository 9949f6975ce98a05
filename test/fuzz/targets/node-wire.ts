// The node's channels besides consensus (src/node/wire.ts): certificate shares, transaction
// gossip, head status, sync request and sync response. Each decoder takes a peer's bytes and
// returns its value or throws WireError; a value it returns re-encodes to the same value.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Hex } from '../../../src/chain/types.js';
import { toHex } from '../../../src/crypto/bytes.js';
import {
  WireError,
  decodeCertificateShare,
  decodeStatus,
  decodeSyncRequest,
  decodeSyncResponse,
  decodeTransactions,
  encodeCertificateShare,
  encodeStatus,
  encodeSyncRequest,
  encodeSyncResponse,
  encodeTransactions,
  peekConsensusHeight,
  MAX_SYNC_BLOCKS_PER_REQUEST,
  type CertificateShare,
  type HeadStatus,
  type SyncRequest,
  type SyncedBlock,
} from '../../../src/node/wire.js';
import { RLP } from '@ethereumjs/rlp';
import { RLP_LYING_HEADERS, assertBoundedOutput, inputsAround, nestedRlpLists, nestingDepth, rlpItem, rlpItemFlood, typedOutcome, type FuzzTarget } from '../harness.js';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const u16 = fc.integer({ min: 0, max: 65_535 });
const hexOf = (length: number): fc.Arbitrary<Hex> => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => `0x${toHex(b)}` as Hex);
const anyHex = fc.uint8Array({ maxLength: 48 }).map((b) => `0x${toHex(b)}` as Hex);
const txBytes = fc.uint8Array({ maxLength: 160 });

/** fast-check's records have no prototype; decoders return plain objects. */
const plain = <T extends object>(value: T): T => ({ ...value });
const share: fc.Arbitrary<CertificateShare> = fc.record({ height: u64, blockHash: hexOf(32), stateRoot: hexOf(32), validatorIndex: u16, signature: hexOf(64) }).map(plain);
const status: fc.Arbitrary<HeadStatus> = fc.record({ head: u64, certified: u64 }).map(plain);
const syncRequest: fc.Arbitrary<SyncRequest> = fc.record({ from: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), count: fc.integer({ min: 1, max: MAX_SYNC_BLOCKS_PER_REQUEST }) }).map(plain);
const syncedBlock: fc.Arbitrary<SyncedBlock> = fc
  .record({
    height: u64,
    timestamp: u64,
    extraData: anyHex,
    epoch: u32,
    proposers: fc.array(u16, { maxLength: 6 }),
    transactions: fc.array(txBytes, { maxLength: 4 }),
    chainId: u64,
    certEpoch: u32,
    blockHash: anyHex,
    stateRoot: anyHex,
    signatures: fc.array(fc.record({ validatorIndex: u16, signature: anyHex }).map(plain), { maxLength: 4 }),
  })
  .map((b) => ({
    height: b.height,
    timestamp: b.timestamp,
    extraData: b.extraData,
    epoch: b.epoch,
    proposers: b.proposers,
    transactions: b.transactions,
    certificate: { chainId: b.chainId, height: b.height, epoch: b.certEpoch, blockHash: b.blockHash, stateRoot: b.stateRoot, signatures: b.signatures },
  }));

const rlpGarbage = rlpItem.map((item) => RLP.encode(item as never));
const framingAttacks = fc.oneof(fc.constantFrom(...RLP_LYING_HEADERS), nestingDepth.map(nestedRlpLists), fc.integer({ min: 1, max: 100_000 }).map(rlpItemFlood));

interface Channel<T> {
  readonly name: string;
  readonly values: fc.Arbitrary<T>;
  readonly encode: (value: T) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => T;
}

function channelTarget<T>(channel: Channel<T>): FuzzTarget {
  const seeds = channel.values.map(channel.encode);
  return {
    name: `node-wire/${channel.name}`,
    property: (tick) =>
      fc.property(fc.oneof({ weight: 1, arbitrary: channel.values.map((v) => ({ value: v as T | undefined, bytes: channel.encode(v) })) }, {
        weight: 5,
        arbitrary: inputsAround(seeds, [rlpGarbage, framingAttacks]).map((bytes) => ({ value: undefined as T | undefined, bytes })),
      }), ({ value, bytes }) => {
        tick();
        const outcome = typedOutcome(() => channel.decode(bytes), (e) => e instanceof WireError, `decode ${channel.name}`);
        if (value !== undefined) {
          assert.ok(outcome.ok, `a valid ${channel.name} was refused: ${outcome.ok ? '' : String(outcome.error)}`);
          assert.deepEqual(outcome.value, value);
        }
        if (!outcome.ok) return true;
        assertBoundedOutput(outcome.value, bytes.length, channel.name);
        // Whatever a decoder accepts means one thing: re-encoded, it decodes to the same value.
        assert.deepEqual(channel.decode(channel.encode(outcome.value)), outcome.value);
        return true;
      }),
  };
}

export const NODE_WIRE_TARGETS: readonly FuzzTarget[] = [
  channelTarget({ name: 'certificate-share', values: share, encode: encodeCertificateShare, decode: decodeCertificateShare }),
  channelTarget({ name: 'transactions', values: fc.array(txBytes, { maxLength: 12 }), encode: encodeTransactions, decode: decodeTransactions }),
  channelTarget({ name: 'status', values: status, encode: encodeStatus, decode: decodeStatus }),
  channelTarget({ name: 'sync-request', values: syncRequest, encode: encodeSyncRequest, decode: decodeSyncRequest }),
  channelTarget({ name: 'sync-response', values: fc.array(syncedBlock, { maxLength: 3 }), encode: encodeSyncResponse, decode: decodeSyncResponse }),
  {
    name: 'node-wire/peek-consensus-height',
    property: (tick) =>
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        tick();
        const height = typedOutcome(() => peekConsensusHeight(bytes), () => false, 'peekConsensusHeight');
        assert.ok(height.ok && (height.value === undefined || Number.isSafeInteger(height.value)));
        return true;
      }),
  },
];
