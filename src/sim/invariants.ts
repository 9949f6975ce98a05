// Invariant checkers over plain data: per-member lists of delivered superblocks. Written once and
// shared: the simulator calls them after every run, and the real node's end-to-end tests call them
// with superblocks read from real nodes. Nothing here knows about the simulator's internals.
//
// What each checker guarantees (and so what a failure means) is stated on the function.
import { isQuorum, isWeakThreshold } from '../stake/quorum.js';
import { sha256 } from '../crypto/hash.js';
import { bytesEqual, toHex, uintToBytes } from '../crypto/bytes.js';

/** The parts of consensus/types.ts's Superblock the checkers read (a Superblock is assignable). */
export interface SuperblockBatchView {
  readonly proposer: number;
  readonly digest: Uint8Array;
  readonly timestampMs: number;
  readonly transactions: readonly Uint8Array[];
}
export interface SuperblockView {
  readonly height: number;
  readonly epoch: number;
  readonly batches: readonly SuperblockBatchView[];
  readonly transactions: readonly Uint8Array[];
  readonly digest: Uint8Array;
  readonly timestampMs: number;
}

/** What one member delivered, in delivery order, and (optionally) when. */
export interface MemberDeliveries {
  readonly member: string; // a label for messages, e.g. "v3" or "v3/twin"
  readonly superblocks: readonly SuperblockView[];
  /** Virtual (or wall) time of each delivery, same order as `superblocks`; liveness needs it. */
  readonly deliveredAtMs?: readonly number[];
}

export type InvariantName = 'agreement' | 'integrity' | 'validity' | 'liveness';

export interface Violation {
  readonly invariant: InvariantName;
  readonly member?: string;
  readonly height?: number;
  readonly message: string;
}

/** Hash of everything a superblock carries, so two blocks with equal digests but different contents are told apart. */
export function superblockFingerprint(block: SuperblockView): string {
  const parts: Uint8Array[] = [uintToBytes(block.height, 8), uintToBytes(block.epoch, 4), uintToBytes(block.batches.length, 4)];
  for (const batch of block.batches) {
    parts.push(uintToBytes(batch.proposer, 4), batch.digest, uintToBytes(Math.max(0, batch.timestampMs), 8));
    parts.push(uintToBytes(batch.transactions.length, 4), ...batch.transactions.flatMap((tx) => [uintToBytes(tx.length, 4), tx]));
  }
  parts.push(uintToBytes(Math.max(0, block.timestampMs), 8), block.digest);
  return toHex(sha256(...parts));
}

/**
 * Agreement: every two members in `members` that delivered height h delivered the same superblock
 * (same digest and same contents). Pass only correct members (honest, or crash-restart ones): a
 * Byzantine member's output proves nothing.
 */
export function checkAgreement(members: readonly MemberDeliveries[]): Violation[] {
  const violations: Violation[] = [];
  const firstSeen = new Map<number, { member: string; fingerprint: string; digest: string }>();
  for (const { member, superblocks } of members) {
    for (const block of superblocks) {
      const fingerprint = superblockFingerprint(block);
      const seen = firstSeen.get(block.height);
      if (seen === undefined) {
        firstSeen.set(block.height, { member, fingerprint, digest: toHex(block.digest) });
      } else if (seen.fingerprint !== fingerprint) {
        const what = seen.digest === toHex(block.digest) ? 'same digest but different contents' : `digest ${toHex(block.digest).slice(0, 16)} vs ${seen.digest.slice(0, 16)}`;
        violations.push({ invariant: 'agreement', member, height: block.height, message: `${member} and ${seen.member} delivered different superblocks at height ${block.height} (${what})` });
      }
    }
  }
  return violations;
}

/**
 * Integrity, per member: heights are delivered once each, consecutively, in increasing order; a
 * superblock's batches are in strictly increasing committee order; its transaction list is exactly
 * its batches' transactions concatenated with later duplicates removed; and no transaction is
 * delivered at two heights (the pending pool re-proposes only what was never delivered).
 */
export function checkIntegrity(members: readonly MemberDeliveries[]): Violation[] {
  const violations: Violation[] = [];
  for (const { member, superblocks } of members) {
    const deliveredAt = new Map<string, number>();
    let previousHeight: number | undefined;
    for (const block of superblocks) {
      const fail = (message: string): void => void violations.push({ invariant: 'integrity', member, height: block.height, message: `${member}: ${message}` });
      if (previousHeight !== undefined && block.height !== previousHeight + 1) {
        fail(`delivered height ${block.height} right after height ${previousHeight} (must be ${previousHeight + 1})`);
      }
      previousHeight = block.height;
      checkBlockShape(block, fail);
      for (const tx of block.transactions) {
        const key = toHex(tx);
        const earlier = deliveredAt.get(key);
        if (earlier !== undefined) fail(`transaction ${key.slice(0, 16)}… delivered again at height ${block.height} (first at ${earlier})`);
        else deliveredAt.set(key, block.height);
      }
    }
  }
  return violations;
}

function checkBlockShape(block: SuperblockView, fail: (message: string) => void): void {
  for (let i = 1; i < block.batches.length; i++) {
    const prev = (block.batches[i - 1] as SuperblockBatchView).proposer;
    const cur = (block.batches[i] as SuperblockBatchView).proposer;
    if (cur <= prev) fail(`batches not in strictly increasing committee order (${prev} then ${cur})`);
  }
  const expected = dedupTransactions(block.batches.flatMap((batch) => batch.transactions));
  const same = expected.length === block.transactions.length && expected.every((tx, i) => bytesEqual(tx, block.transactions[i] as Uint8Array));
  if (!same) fail(`transactions (${block.transactions.length}) are not the batches' transactions in order without duplicates (${expected.length})`);
}

/** Concatenation order with later duplicates removed: the superblock rule (docs/design.md, step 4). */
export function dedupTransactions(transactions: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const tx of transactions) {
    const key = toHex(tx);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(tx);
  }
  return out;
}

/** What validity needs to know about the committee and about honest proposers. */
export interface ValidityContext {
  /** Weight of each committee member (by index) at `height`. */
  readonly weightsAt: (height: number) => readonly bigint[];
  /** Whether the proposer at this index is honest at `height` (its proposals are known). */
  readonly isHonest: (height: number, proposer: number) => boolean;
  /**
   * The batches an honest proposer actually proposed for `height` (more than one is possible only
   * after a crash-restart). Undefined: unknown, skip the content check.
   */
  readonly proposedBy?: (height: number, proposer: number) => readonly SuperblockBatchView[] | undefined;
}

/**
 * Validity, per delivered superblock (holds under asynchrony, with Byzantine weight < 1/3):
 * 1. The included proposers hold a quorum (3w > 2W): 0 is input only once 1-decisions hold a
 *    quorum, and a 0-decision needs an honest 0 input (DBFT's validity).
 * 2. Hence the honest included proposers hold more than 1/3 of the weight (3w > W).
 * 3. Every batch credited to an honest proposer is one that proposer proposed for that height.
 * 4. The timestamp (weighted median) lies within the range of the honest included batches' ones.
 */
export function checkValidity(members: readonly MemberDeliveries[], context: ValidityContext): Violation[] {
  const violations: Violation[] = [];
  const checked = new Set<string>();
  for (const { member, superblocks } of members) {
    for (const block of superblocks) {
      const fingerprint = superblockFingerprint(block);
      if (checked.has(fingerprint)) continue; // same block, same verdict: check it once
      checked.add(fingerprint);
      const fail = (message: string): void => void violations.push({ invariant: 'validity', member, height: block.height, message: `${member}: height ${block.height}: ${message}` });
      checkBlockValidity(block, context, fail);
    }
  }
  return violations;
}

function checkBlockValidity(block: SuperblockView, context: ValidityContext, fail: (message: string) => void): void {
  const weights = context.weightsAt(block.height);
  const total = weights.reduce((a, b) => a + b, 0n);
  let included = 0n;
  let honestIncluded = 0n;
  const honestTimes: number[] = [];
  for (const batch of block.batches) {
    const weight = weights[batch.proposer];
    if (weight === undefined) {
      fail(`batch credited to proposer ${batch.proposer}, who is not in the committee of ${weights.length}`);
      continue;
    }
    included += weight;
    if (!context.isHonest(block.height, batch.proposer)) continue;
    honestIncluded += weight;
    honestTimes.push(batch.timestampMs);
    checkHonestBatch(block.height, batch, context, fail);
  }
  if (!isQuorum(included, total)) fail(`included proposers hold ${included} of ${total}: not a quorum (3w > 2W)`);
  if (!isWeakThreshold(honestIncluded, total)) fail(`honest included proposers hold ${honestIncluded} of ${total}: not more than 1/3`);
  if (honestTimes.length > 0) {
    const lo = Math.min(...honestTimes);
    const hi = Math.max(...honestTimes);
    if (block.timestampMs < lo || block.timestampMs > hi) fail(`timestamp ${block.timestampMs} outside the honest batches' range [${lo}, ${hi}]`);
  }
}

function checkHonestBatch(height: number, batch: SuperblockBatchView, context: ValidityContext, fail: (message: string) => void): void {
  const proposed = context.proposedBy?.(height, batch.proposer);
  if (proposed === undefined) return;
  const matches = proposed.some(
    (p) => p.timestampMs === batch.timestampMs && p.transactions.length === batch.transactions.length && p.transactions.every((tx, i) => bytesEqual(tx, batch.transactions[i] as Uint8Array)),
  );
  if (!matches) fail(`batch credited to honest proposer ${batch.proposer} is not one it proposed (${batch.transactions.length} txs, t=${batch.timestampMs})`);
}

export interface LivenessBound {
  /** Every member in the list must have delivered heights 1..targetHeight. */
  readonly targetHeight: number;
  /** Global stabilization time: before it, no bound applies. */
  readonly gstMs: number;
  /** After GST, a member delivers each height within this long of max(GST, its previous delivery). */
  readonly perHeightMs: number;
}

/**
 * Liveness: each member (pass only honest ones that were up after GST) delivered every height up to
 * the target, and each height whose wait ended after GST took at most `perHeightMs` counted from
 * max(GST, the member's previous delivery).
 */
export function checkLiveness(members: readonly MemberDeliveries[], bound: LivenessBound): Violation[] {
  const violations: Violation[] = [];
  for (const { member, superblocks, deliveredAtMs } of members) {
    const last = superblocks.at(-1)?.height ?? 0;
    if (last < bound.targetHeight) {
      violations.push({ invariant: 'liveness', member, height: last + 1, message: `${member} stopped at height ${last}, never delivered ${last + 1} (target ${bound.targetHeight})` });
      continue;
    }
    if (deliveredAtMs === undefined) continue;
    let previousMs = 0;
    superblocks.forEach((block, i) => {
      const atMs = deliveredAtMs[i] as number;
      const fromMs = Math.max(bound.gstMs, previousMs);
      if (atMs > fromMs + bound.perHeightMs) {
        violations.push({ invariant: 'liveness', member, height: block.height, message: `${member} delivered height ${block.height} ${atMs - fromMs} ms after max(GST, previous delivery) > bound ${bound.perHeightMs} ms` });
      }
      previousMs = atMs;
    });
  }
  return violations;
}

// ------------------------------------------------------------------ the chain's own invariants
//
// Over what nodes hold, not over consensus outputs: the blocks each node made durable (by its own
// consensus or by sync), the certificates it keeps, the transactions it applied, its balances.
// The simulator checks them after every node-level run; the node's end-to-end tests check them
// with the same functions over data read from real nodes through JSON-RPC.

/** One node's chain as plain data. */
export interface ChainView {
  readonly member: string;
  readonly blocks: readonly { readonly height: bigint; readonly hash: string; readonly transactions: readonly string[] }[];
  /** Certified block hash by height, for the heights whose certificate the node holds. */
  readonly certificates?: ReadonlyMap<bigint, string>;
  /** Sum of every balance the node's state holds (fees included), when known. */
  readonly supply?: bigint;
}

export type ChainInvariant = 'chain-agreement' | 'certified-heads' | 'applied-once' | 'supply';

export interface ChainViolation {
  readonly invariant: ChainInvariant;
  readonly member?: string;
  readonly height?: bigint;
  readonly message: string;
}

/** Every two correct nodes that hold height h hold the same block hash there; heights run 1, 2, … without gaps. */
export function checkChainAgreement(chains: readonly ChainView[]): ChainViolation[] {
  const violations: ChainViolation[] = [];
  const first = new Map<bigint, { member: string; hash: string }>();
  for (const { member, blocks } of chains) {
    blocks.forEach((block, i) => {
      if (block.height !== BigInt(i + 1)) violations.push({ invariant: 'chain-agreement', member, height: block.height, message: `${member} holds height ${block.height} at position ${i + 1}: heights must run 1, 2, … without gaps` });
      const seen = first.get(block.height);
      if (seen === undefined) first.set(block.height, { member, hash: block.hash });
      else if (seen.hash !== block.hash) violations.push({ invariant: 'chain-agreement', member, height: block.height, message: `${member} and ${seen.member} hold different blocks at height ${block.height} (${block.hash.slice(0, 18)} vs ${seen.hash.slice(0, 18)})` });
    });
  }
  return violations;
}

/**
 * Every certificate a correct node keeps names the block it holds at that height, and all nodes'
 * certificates of a height agree; every block below `certifiedBelow` is certified at some node
 * (a durable head that no quorum signed would fail here).
 */
export function checkCertifiedHeads(chains: readonly ChainView[], certifiedBelow: bigint): ChainViolation[] {
  const violations: ChainViolation[] = [];
  const certified = new Map<bigint, { member: string; hash: string }>();
  for (const { member, blocks, certificates } of chains) {
    if (certificates === undefined) continue;
    const byHeight = new Map(blocks.map((b) => [b.height, b.hash]));
    for (const [height, hash] of certificates) {
      const held = byHeight.get(height);
      if (held !== undefined && held !== hash) violations.push({ invariant: 'certified-heads', member, height, message: `${member} holds block ${held.slice(0, 18)} at height ${height} but keeps a certificate for ${hash.slice(0, 18)}` });
      const other = certified.get(height);
      if (other === undefined) certified.set(height, { member, hash });
      else if (other.hash !== hash) violations.push({ invariant: 'certified-heads', member, height, message: `${member} and ${other.member} keep certificates for different blocks at height ${height}` });
    }
  }
  for (const { member, blocks } of chains) {
    for (const block of blocks) {
      if (block.height >= certifiedBelow) break;
      const cert = certified.get(block.height);
      if (cert === undefined) violations.push({ invariant: 'certified-heads', member, height: block.height, message: `no node keeps a certificate for height ${block.height}, which ${member} made durable` });
      else if (cert.hash !== block.hash) violations.push({ invariant: 'certified-heads', member, height: block.height, message: `${member} holds ${block.hash.slice(0, 18)} at height ${block.height}; the certificate names ${cert.hash.slice(0, 18)}` });
    }
  }
  return violations;
}

/** No transaction is applied twice on any node. */
export function checkAppliedOnce(chains: readonly ChainView[]): ChainViolation[] {
  const violations: ChainViolation[] = [];
  for (const { member, blocks } of chains) {
    const seen = new Map<string, bigint>();
    for (const block of blocks) {
      for (const hash of block.transactions) {
        const earlier = seen.get(hash);
        if (earlier !== undefined) violations.push({ invariant: 'applied-once', member, height: block.height, message: `${member} applied transaction ${hash.slice(0, 18)} at height ${block.height} and already at ${earlier}` });
        else seen.set(hash, block.height);
      }
    }
  }
  return violations;
}

/** Every node's total supply equals the genesis supply (transfers and fees move value, never make it). */
export function checkSupply(chains: readonly ChainView[], expected: bigint): ChainViolation[] {
  return chains
    .filter((c) => c.supply !== undefined && c.supply !== expected)
    .map((c) => ({ invariant: 'supply' as const, member: c.member, message: `${c.member} holds a total supply of ${c.supply} wei, genesis had ${expected}` }));
}
