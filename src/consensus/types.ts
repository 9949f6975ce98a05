// The consensus core's public contract: events in, actions out (docs/protocol.md, docs/design.md "Consensus").
// The simulator (src/sim/) and the node drive the same core through these types; names here are
// stable — new fields and variants may be added, nothing is renamed.

export type ValidatorIndex = number; // position in the committee (committee order)
export type Height = number; // block height, starts at 1 (0 is genesis)
export type Bit = 0 | 1;

import type { Committee } from '../stake/committee.js';
import type { ItemProof } from './commitment.js';
import type { SignedEnvelope } from './messages.js';

export type { Committee, CommitteeMember } from '../stake/committee.js';

export interface MessageSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface SignatureVerifier {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Timer lengths. Safety never depends on them; liveness after stabilisation does. */
export interface CoreTiming {
  /** Round timer of DBFT round 1 (docs/protocol.md step 2); later rounds grow from it. */
  readonly roundTimeoutBaseMs: number;
  /** Each round's timer is the previous one times this factor (>= 1). */
  readonly roundTimeoutGrowth: number;
  /** Upper bound of a round timer. */
  readonly roundTimeoutMaxMs: number;
  /** A height not delivered after this long re-broadcasts this member's votes and asks peers for theirs. */
  readonly resendIntervalMs: number;
  /** A missing batch asked from some echoers is asked from the next ones after this long. */
  readonly fetchRetryMs: number;
}

/** Every bound on input sizes and buffers. */
export interface CoreLimits {
  /** Largest wire message accepted or produced. */
  readonly maxMessageBytes: number;
  /** Largest batch (sum of transaction bytes). */
  readonly maxBatchBytes: number;
  /** Most transactions in one batch. */
  readonly maxBatchTransactions: number;
  /** Messages for heights up to current + this are buffered; beyond, dropped as 'future-height'. */
  readonly futureHeightWindow: number;
  /** Total bytes of buffered future-height messages. */
  readonly futureBufferMaxBytes: number;
  /** Buffered future-height messages per sender. */
  readonly futureBufferMaxMessagesPerSender: number;
  /** Rounds accepted ahead of this member's round in one agreement instance. */
  readonly roundLookahead: number;
  /** Echoers asked at once for a missing batch. */
  readonly fetchFanout: number;
  /** State replies served to one peer for one height (bounds amplification). */
  readonly stateRepliesPerPeerHeight: number;
  /** Bytes of fetch and state replies served to one peer for one height. */
  readonly replyBytesPerPeerHeight: number;
  /** Buffered future-height bytes per sender. */
  readonly futureBufferMaxBytesPerSender: number;
  /**
   * Bytes a height keeps per agreement instance on behalf of one sender (its votes' evidence
   * records); with its proposal, a sender's budget at a height is maxBatchBytes + K × this.
   */
  readonly retainedBytesPerInstance: number;
}

/**
 * What this member signed, journaled by the host before the message leaves (etcd raft's
 * "persist, then send"). On restart the core re-sends exactly these and never signs a
 * conflicting value in the same slot. JSON-safe: byte strings are lowercase hex without 0x.
 */
export type JournalEntry =
  | {
      readonly kind: 'propose';
      readonly height: Height;
      readonly digest: string;
      readonly timestampMs: number;
      readonly transactions: readonly string[];
    }
  | { readonly kind: 'echo' | 'ready'; readonly height: Height; readonly instance: ValidatorIndex; readonly digest: string }
  | {
      readonly kind: 'est';
      readonly height: Height;
      readonly instance: ValidatorIndex;
      readonly round: number;
      readonly value: Bit;
      /** true: this member's own estimate for the round; false: a relay (BV-broadcast). */
      readonly own: boolean;
    }
  | { readonly kind: 'coord'; readonly height: Height; readonly instance: ValidatorIndex; readonly round: number; readonly value: Bit }
  | {
      readonly kind: 'aux';
      readonly height: Height;
      readonly instance: ValidatorIndex;
      readonly round: number;
      readonly values: readonly Bit[];
    }
  | { readonly kind: 'decided'; readonly height: Height; readonly instance: ValidatorIndex; readonly round: number; readonly value: Bit };

export interface CoreConfig {
  /**
   * null: an observer (follows, never votes). A number: this node's index in the start height's
   * committee (checked against the signer's key). 'by-key': a validator whose membership changes
   * with the epochs: it votes at every height whose committee holds the signer's key, at that index.
   */
  readonly selfIndex: ValidatorIndex | null | 'by-key';
  /**
   * The committee of a height: fixed per height, pure. It throws while the host does not know the
   * height's epoch yet (the next epoch's committee is drawn from the state of the epoch's last
   * block): the core then waits at that height and the host sends 'committeeKnown' once it knows.
   */
  readonly committeeForHeight: (height: Height) => Committee;
  readonly signer: MessageSigner;
  readonly verifier: SignatureVerifier;
  /** 32 bytes naming the chain (messages.ts chainBinding(chainId, genesisHash)): every signature commits to it. */
  readonly chainBinding: Uint8Array;
  readonly startHeight: Height; // first height to agree on (last committed + 1)
  readonly journal?: readonly JournalEntry[]; // replayed on restart: never sign anything conflicting with it
  readonly timing?: Partial<CoreTiming>;
  readonly limits?: Partial<CoreLimits>;
  /**
   * Coalesce messages across steps: 'broadcast' and 'send' actions wait for a 'flush' event, so
   * the votes of every step since the last flush leave in one signed envelope per height and
   * destination. The host flushes once it has stepped what was queued (default: false, every
   * step returns its own messages).
   */
  readonly coalesce?: boolean;
  /**
   * Reads wire bytes into an envelope (default: messages.ts decodeSignedMessage). The simulator,
   * which hands one broadcast buffer to every member in one process, passes a decoder that reads
   * each buffer once; it must throw MessageDecodeError exactly when decodeSignedMessage would.
   */
  readonly decode?: (bytes: Uint8Array, limits: CoreLimits) => SignedEnvelope;
}

export type CoreEvent =
  | { readonly kind: 'start' } // first event after construction
  | { readonly kind: 'message'; readonly bytes: Uint8Array } // raw wire bytes from the transport (untrusted)
  | { readonly kind: 'timer'; readonly timerId: string } // a timer set by 'setTimer' fired
  | {
      readonly kind: 'proposal';
      readonly height: Height;
      readonly transactions: readonly Uint8Array[];
      readonly timestampMs: number; // proposer's wall clock (an input; part of the batch and its digest)
    }
  | { readonly kind: 'syncedTo'; readonly height: Height } // host applied blocks up to `height` by sync
  | { readonly kind: 'committeeKnown' } // host learnt a committee the core was waiting for (a new epoch)
  | { readonly kind: 'flush' }; // coalescing: sign and return the messages waiting since the last flush

export type CoreAction =
  | { readonly kind: 'persist'; readonly entry: JournalEntry } // store durably BEFORE any later action of the same step
  | { readonly kind: 'broadcast'; readonly bytes: Uint8Array } // to every other committee member
  | { readonly kind: 'send'; readonly to: ValidatorIndex; readonly bytes: Uint8Array }
  | { readonly kind: 'setTimer'; readonly timerId: string; readonly delayMs: number } // (re)arms the timer with this id
  | { readonly kind: 'cancelTimer'; readonly timerId: string }
  | { readonly kind: 'requestProposal'; readonly height: Height } // host answers with a 'proposal' event (maybe empty)
  | { readonly kind: 'deliver'; readonly superblock: Superblock; readonly rounds?: readonly number[] } // heights delivered strictly in order; rounds: each instance's decision round
  | { readonly kind: 'evidence'; readonly evidence: Evidence }
  | { readonly kind: 'dropped'; readonly reason: DropReason; readonly detail?: string };

export interface SuperblockBatch {
  readonly proposer: ValidatorIndex;
  readonly digest: Uint8Array;
  readonly timestampMs: number;
  readonly transactions: readonly Uint8Array[];
}

export interface Superblock {
  readonly height: Height;
  readonly epoch: number;
  readonly batches: readonly SuperblockBatch[]; // batches decided 1, in committee order
  readonly transactions: readonly Uint8Array[]; // their transactions in that order, duplicates removed (first kept)
  readonly digest: Uint8Array; // binds height, epoch and the included (proposer, batch digest) pairs
  readonly timestampMs: number; // weighted median of the included batches' timestamps; host clamps to >= parent's
}

export type DropReason =
  | 'malformed'
  | 'bad-signature'
  | 'not-member'
  | 'stale-height'
  | 'future-height'
  | 'oversize'
  | 'duplicate'
  | 'queue-full'
  | 'invalid'
  | 'over-budget';

export const DROP_REASONS: readonly DropReason[] = [
  'malformed',
  'bad-signature',
  'not-member',
  'stale-height',
  'future-height',
  'oversize',
  'duplicate',
  'queue-full',
  'invalid',
  'over-budget',
];

export interface Evidence {
  readonly kind: 'equivocation';
  readonly offender: ValidatorIndex;
  readonly height: Height;
  /** The offender's first signed item in the slot, provable on its own (commitment.ts verifyItemProof). */
  readonly first: ItemProof;
  /** A second signed item in the same slot that conflicts with `first`. */
  readonly second: ItemProof;
  /** The slot both messages fill, e.g. "echo/i:3" or "aux/i:2/r:4". */
  readonly slot?: string;
}

/** One proposer's state at the current height, for status pages. */
export interface ProposerStatus {
  readonly index: ValidatorIndex;
  /** This member holds the proposer's batch, reliably delivered. */
  readonly batchDelivered: boolean;
  /** The binary agreement's decision: 1 included, 0 excluded, null pending. */
  readonly decision: Bit | null;
  /** Current DBFT round of this agreement instance. */
  readonly round: number;
}

export interface CoreStatus {
  readonly height: Height;
  /** The current height's epoch; null while the core waits for that epoch's committee. */
  readonly epoch: number | null;
  readonly selfIndex: ValidatorIndex | null;
  readonly lastDelivered: Height;
  readonly proposers: readonly ProposerStatus[];
  readonly drops: Readonly<Record<DropReason, number>>;
  readonly evidenceCount: number;
  /** Bytes the current height keeps on behalf of each member (evidence records, its proposal). */
  readonly retainedBytes: readonly number[];
  /** The most the current height keeps on behalf of one member (limits.ts: the per-sender budget). */
  readonly retainedBudgetBytes: number;
}

export interface ConsensusCore {
  step(event: CoreEvent): CoreAction[];
  readonly height: Height;
  /** Coalescing: messages wait for a 'flush' event. */
  readonly hasPendingSends: boolean;
  status(): CoreStatus;
}
