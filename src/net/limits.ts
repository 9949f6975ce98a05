// Every bound the transport enforces, as named constants with units, and the resolved set a
// transport runs with. Relations between limits are checked once, in resolveLimits.
import { TransportError } from './errors.js';
import { AEAD_TAG_BYTES, FRAME_LENGTH_BYTES } from './frame.js';
import { HANDSHAKE_MAX_MESSAGE_BYTES } from './handshake.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** Largest value of a frame's length field (channel byte + payload). A block sync response fits. */
export const MAX_FRAME_BYTES = 16 * MIB;
/** Handshake frames are tiny; anything larger before authentication is garbage. */
export const MAX_HANDSHAKE_FRAME_BYTES = 256;
/** Connect + hello + auth must finish within this, or the socket is closed. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;
/** Per peer: bytes waiting to be written (our queue plus the socket's buffer). */
export const MAX_QUEUE_BYTES = 32 * MIB;
/** Per peer: frames waiting in our queue. Bounds the per-frame overhead of tiny frames. */
export const MAX_QUEUE_FRAMES = 65_536;
/**
 * Small frames are concatenated into writes of at most this many bytes: one sealed frame and one
 * syscall each, so the cost of sealing is paid per batch, not per message.
 */
export const WRITE_BATCH_BYTES = 256 * KIB;
/**
 * Per peer: bytes received and not yet delivered (undecoded plus opened but undelivered). Above
 * it the socket is paused, so TCP flow control pushes back on the sender instead of memory
 * growing; reading resumes once delivery has brought it back under.
 */
export const MAX_INBOUND_BYTES = 32 * MIB;
/**
 * Per peer and event-loop turn: bytes of frames delivered before yielding, so one peer's burst
 * cannot keep the loop (timers, other peers) waiting. At least one frame is delivered per turn.
 */
export const INBOUND_TURN_BYTES = 1 * MIB;
/**
 * What a peer's bytes may exceed the inbound budget by: the chunk whose arrival crossed it (a
 * socket read is at most libuv's 64 KiB), and what the paused stream still buffers before it
 * stops reading (its high-water mark, 16 KiB on Node 20 and 64 KiB on Node 22, plus one read).
 */
export const SOCKET_READ_AHEAD_BYTES = 3 * 64 * KIB;
/** First reconnect delay; doubles per failed attempt up to RECONNECT_MAX_DELAY_MS. */
export const RECONNECT_INITIAL_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 5_000;
/**
 * The side with the higher public key waits this long before dialling, so that at startup the
 * lower side's dial usually wins and no duplicate connection has to be retired.
 */
export const DIAL_YIELD_MS = 200;
/** Inbound connections that have not finished the handshake, in total and per remote IP. */
export const MAX_PENDING_HANDSHAKES = 64;
export const MAX_PENDING_HANDSHAKES_PER_IP = 16;
/** A duplicate connection being retired is destroyed after this if the remote has not closed it. */
export const RETIRE_GRACE_MS = 2_000;
/** TCP keepalive, a second line behind the heartbeat (Node 20 cannot tune probe count/interval). */
export const KEEPALIVE_INITIAL_DELAY_MS = 5_000;
/** An open connection with nothing sent for this long sends a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 3_000;
/**
 * An open connection with nothing received for this long is dropped: its peer vanished without
 * a FIN (power loss, partition) or its event loop is stuck. Several heartbeats fit inside.
 */
export const IDLE_TIMEOUT_MS = 15_000;

/**
 * Drops of connections that never authenticated are logged at most once per this interval and
 * reason (with the number suppressed since), so a connection flood cannot flood the log; every
 * one is still counted in stats().dropped.
 */
export const UNAUTHENTICATED_DROP_LOG_INTERVAL_MS = 1_000;

export interface TransportLimits {
  readonly maxFrameBytes: number;
  readonly maxHandshakeFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly maxQueueBytes: number;
  readonly maxQueueFrames: number;
  readonly writeBatchBytes: number;
  readonly maxInboundBytes: number;
  readonly inboundTurnBytes: number;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly dialYieldMs: number;
  readonly maxPendingHandshakes: number;
  readonly maxPendingHandshakesPerIp: number;
  readonly retireGraceMs: number;
  readonly keepAliveInitialDelayMs: number;
  readonly heartbeatIntervalMs: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = Object.freeze({
  maxFrameBytes: MAX_FRAME_BYTES,
  maxHandshakeFrameBytes: MAX_HANDSHAKE_FRAME_BYTES,
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  maxQueueBytes: MAX_QUEUE_BYTES,
  maxQueueFrames: MAX_QUEUE_FRAMES,
  writeBatchBytes: WRITE_BATCH_BYTES,
  maxInboundBytes: MAX_INBOUND_BYTES,
  inboundTurnBytes: INBOUND_TURN_BYTES,
  reconnectInitialDelayMs: RECONNECT_INITIAL_DELAY_MS,
  reconnectMaxDelayMs: RECONNECT_MAX_DELAY_MS,
  dialYieldMs: DIAL_YIELD_MS,
  maxPendingHandshakes: MAX_PENDING_HANDSHAKES,
  maxPendingHandshakesPerIp: MAX_PENDING_HANDSHAKES_PER_IP,
  retireGraceMs: RETIRE_GRACE_MS,
  keepAliveInitialDelayMs: KEEPALIVE_INITIAL_DELAY_MS,
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
});

/** The u32 length field caps any frame; one byte of it is the channel. */
const LENGTH_FIELD_MAX = 0xffff_ffff;

/** Defaults overridden by `overrides`, with every value and relation checked. */
export function resolveLimits(overrides: Partial<TransportLimits> = {}): TransportLimits {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TransportError('INVALID_CONFIG', `limits.${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  // The largest frame, sealed, still has a length that fits the u32 length field.
  requireRelation(
    limits.maxFrameBytes >= 1 && limits.maxFrameBytes <= LENGTH_FIELD_MAX - FRAME_LENGTH_BYTES - AEAD_TAG_BYTES,
    `limits.maxFrameBytes must be between 1 and 2^32-1-${FRAME_LENGTH_BYTES + AEAD_TAG_BYTES}`,
  );
  requireRelation(
    limits.maxHandshakeFrameBytes >= 1 + HANDSHAKE_MAX_MESSAGE_BYTES,
    `limits.maxHandshakeFrameBytes must be at least ${1 + HANDSHAKE_MAX_MESSAGE_BYTES} (channel byte + the largest handshake message)`,
  );
  // One frame of the largest size must fit in an empty queue, or it could never be sent: queued
  // as a frame, then in the socket's buffer as a sealed frame.
  requireRelation(
    limits.maxQueueBytes >= FRAME_LENGTH_BYTES + sealedBodyMaxBytes(limits),
    `limits.maxQueueBytes must be at least limits.maxFrameBytes + ${2 * FRAME_LENGTH_BYTES + AEAD_TAG_BYTES} so one largest frame fits`,
  );
  // Likewise inbound: a sealed frame is delivered only once whole, so a whole largest one must fit
  // under the budget, or reading would pause waiting for bytes it refuses to read.
  requireRelation(
    limits.maxInboundBytes >= FRAME_LENGTH_BYTES + sealedBodyMaxBytes(limits),
    `limits.maxInboundBytes must be at least limits.maxFrameBytes + ${2 * FRAME_LENGTH_BYTES + AEAD_TAG_BYTES} so one largest sealed frame fits`,
  );
  requireRelation(limits.inboundTurnBytes >= 1, 'limits.inboundTurnBytes must be at least 1');
  requireRelation(limits.maxQueueFrames >= 1, 'limits.maxQueueFrames must be at least 1');
  requireRelation(limits.writeBatchBytes >= 1, 'limits.writeBatchBytes must be at least 1');
  requireRelation(limits.reconnectInitialDelayMs >= 1, 'limits.reconnectInitialDelayMs must be at least 1');
  requireRelation(
    limits.reconnectMaxDelayMs >= limits.reconnectInitialDelayMs,
    'limits.reconnectMaxDelayMs must be at least limits.reconnectInitialDelayMs',
  );
  requireRelation(limits.handshakeTimeoutMs >= 1, 'limits.handshakeTimeoutMs must be at least 1');
  requireRelation(
    limits.maxPendingHandshakesPerIp >= 1 && limits.maxPendingHandshakesPerIp <= limits.maxPendingHandshakes,
    'limits.maxPendingHandshakesPerIp must be between 1 and limits.maxPendingHandshakes',
  );
  requireRelation(limits.heartbeatIntervalMs >= 1, 'limits.heartbeatIntervalMs must be at least 1');
  // Two missed heartbeats (plus slack) before a peer is declared gone, never one late timer.
  requireRelation(
    limits.idleTimeoutMs >= 3 * limits.heartbeatIntervalMs,
    'limits.idleTimeoutMs must be at least 3 * limits.heartbeatIntervalMs',
  );
  return Object.freeze(limits);
}

/**
 * Largest body (after the length field) of a sealed frame: one largest frame with its own length
 * field, plus the tag. Write batches are cut to fit it (see writeBatchMaxBytes).
 */
export function sealedBodyMaxBytes(limits: Pick<TransportLimits, 'maxFrameBytes'>): number {
  return FRAME_LENGTH_BYTES + limits.maxFrameBytes + AEAD_TAG_BYTES;
}

/** Bytes of frames sealed together at most: the configured batch, cut to what a sealed frame holds. */
export function writeBatchMaxBytes(limits: Pick<TransportLimits, 'maxFrameBytes' | 'writeBatchBytes'>): number {
  return Math.min(limits.writeBatchBytes, FRAME_LENGTH_BYTES + limits.maxFrameBytes);
}

/**
 * Memory one connected peer can hold at most: what it sent us and we have not delivered (the
 * inbound budget, overshot by at most the socket's read-ahead before the pause takes effect) and what
 * we queued for it (our queue plus the socket's buffer).
 */
export function perPeerBufferBoundBytes(limits: Pick<TransportLimits, 'maxInboundBytes' | 'maxQueueBytes'>): number {
  return limits.maxInboundBytes + SOCKET_READ_AHEAD_BYTES + limits.maxQueueBytes;
}

function requireRelation(holds: boolean, message: string): void {
  if (!holds) throw new TransportError('INVALID_CONFIG', message);
}
