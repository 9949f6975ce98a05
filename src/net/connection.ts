// One TCP connection to one peer: the handshake, then sealed frames both ways; the bounded
// outbound queue with per-tick write batching (one sealed frame per batch), and the bounded
// inbound side (delivery budgeted per event-loop turn, reading paused while the peer's
// undelivered bytes exceed their budget). The transport decides what a connection is for
// (active, duplicate, retired); the connection only reports what happened on its socket.
import type { Socket } from 'node:net';
import { bytesEqual, toHex } from '../crypto/bytes.js';
import type { ConnectionDropReason } from './errors.js';
import {
  CONTROL_CHANNEL,
  decodeFrameSequence,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecodeError,
  FrameDecoder,
  SEAL_OVERHEAD_BYTES,
  type Frame,
} from './frame.js';
import { HandshakeError, type Handshake, type HandshakeRole } from './handshake.js';
import { sealedBodyMaxBytes, writeBatchMaxBytes, type TransportLimits } from './limits.js';
import { OutboundQueue } from './outbound-queue.js';
import { FrameOpener, FrameSealer, SessionError } from './session.js';

/** The one control message allowed after the handshake (types 1..4 are the handshake's). */
const HEARTBEAT = Uint8Array.of(5);
const HEARTBEAT_FRAME = encodeFrame(CONTROL_CHANNEL, HEARTBEAT);

export type ConnectionState = 'handshake' | 'open' | 'retiring' | 'closed';

/** Why a connection ended: one of our drop reasons, or what the socket did. */
export type CloseReason = ConnectionDropReason | 'remote_closed' | 'socket_error' | 'connect_failed' | 'retired' | 'transport_closed';

export interface TrafficCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  inboundPauses: number;
}

/** What the transport provides to, and learns from, each of its connections. */
export interface ConnectionHost {
  readonly limits: TransportLimits;
  readonly counters: TrafficCounters;
  established(connection: Connection): void;
  frame(connection: Connection, channel: number, payload: Uint8Array): void;
  closed(connection: Connection, reason: CloseReason, detail: string): void;
}

export class Connection {
  state: ConnectionState = 'handshake';
  /** Set once the handshake has proven the peer's key. */
  peerKey: Uint8Array | undefined;
  peerId: string | undefined;
  private readonly decoder: FrameDecoder;
  private readonly queue = new OutboundQueue();
  private sealer: FrameSealer | undefined;
  private opener: FrameOpener | undefined;
  /** Frames opened and not yet delivered (the rest of the current sealed frame). */
  private inbox: Frame[] = [];
  private inboxAt = 0;
  private inboxBytes = 0;
  /** The transport asked to stop reading (node overloaded). */
  private readPaused = false;
  /** Reading is paused because the peer's undelivered bytes exceed their budget. */
  private budgetPaused = false;
  private draining = false;
  private drainScheduled = false;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private retireTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private connected: boolean;
  private lastError: Error | undefined;
  private lastReceivedMs = performance.now();
  private lastSentMs = performance.now();

  constructor(
    readonly socket: Socket,
    readonly role: HandshakeRole,
    /** ip:port for logs; for a dial, the configured address. */
    readonly remote: string,
    private readonly handshake: Handshake,
    private readonly host: ConnectionHost,
  ) {
    const { limits } = host;
    this.decoder = new FrameDecoder(limits.maxHandshakeFrameBytes);
    this.connected = role === 'responder';
    socket.setNoDelay(true); // we batch per tick ourselves; Nagle would only add latency
    socket.setKeepAlive(true, limits.keepAliveInitialDelayMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.flush());
    socket.on('error', (error) => (this.lastError = error));
    socket.on('close', () => this.onSocketClose());
    this.handshakeTimer = setTimeout(
      () => this.drop('conn_handshake_timeout', `handshake not finished within ${limits.handshakeTimeoutMs} ms`),
      limits.handshakeTimeoutMs,
    );
    if (this.connected) this.startHandshake();
    else socket.once('connect', () => this.onConnect());
  }

  /**
   * Bytes waiting to go out: our queue (counting the sealing overhead each frame may need, so
   * the bound holds once sealed) plus what the socket has buffered.
   */
  get queuedBytes(): number {
    return this.queue.bytes + this.queue.length * SEAL_OVERHEAD_BYTES + this.socket.writableLength;
  }

  get queuedFrames(): number {
    return this.queue.length;
  }

  /** Bytes received from this peer and not yet delivered (the socket's read-ahead included). */
  get inboundBytes(): number {
    return this.socket.readableLength + this.heldBytes;
  }

  /**
   * What the budget counts: bytes handed to us and not yet delivered. Not the socket's
   * read-ahead, which a paused socket never hands over: counting it could pause reading while
   * the frame being waited for is still incomplete. Above the budget a whole frame is always
   * ready (see resolveLimits), so delivery makes progress while paused.
   */
  private get heldBytes(): number {
    return this.decoder.buffered + this.inboxBytes;
  }

  /** Queues an encoded frame; false when not open or when the queue is at its limit. */
  send(frame: Buffer): boolean {
    if (this.state !== 'open') return false;
    const { maxQueueFrames, maxQueueBytes } = this.host.limits;
    if (this.queue.length >= maxQueueFrames || this.queuedBytes + frame.length + SEAL_OVERHEAD_BYTES > maxQueueBytes) return false;
    this.queue.push(frame);
    this.scheduleFlush();
    return true;
  }

  /**
   * Stops taking frames and flushes what is queued, but keeps reading: the peer may still be
   * sending on this connection until it too switches. Only after the grace period does it
   * half-close; a FIN sooner would look to a peer that has not switched yet like the loss of
   * its active connection. Destroyed after a second grace period if the peer never closes.
   */
  retire(): void {
    if (this.state !== 'open') return;
    this.state = 'retiring';
    this.flush();
    const graceMs = this.host.limits.retireGraceMs;
    this.retireTimer = setTimeout(() => {
      this.socket.end();
      this.retireTimer = setTimeout(() => this.close('retired', 'retired connection not closed by the peer'), graceMs);
    }, graceMs);
  }

  /** The transport's backpressure: stop (or restart) reading and delivering. */
  setReadPaused(paused: boolean): void {
    if (paused === this.readPaused) return;
    this.readPaused = paused;
    // While paused we read nothing, heartbeats included: restart the idle clock.
    if (!paused) this.lastReceivedMs = performance.now();
    this.updateReading();
    if (!paused) this.scheduleDrain();
  }

  /** Called periodically by the transport: drop a silent peer, keep an idle link visibly alive. */
  heartbeat(nowMs: number): void {
    // A retiring connection legitimately falls silent; its grace timers bound it instead.
    if (this.state !== 'open') return;
    const { idleTimeoutMs, heartbeatIntervalMs } = this.host.limits;
    // Paused (by the transport or for its budget): the silence is ours, not the peer's.
    if (this.socket.isPaused()) this.lastReceivedMs = nowMs;
    else if (nowMs - this.lastReceivedMs > idleTimeoutMs) {
      return this.drop('conn_idle_timeout', `nothing received for ${Math.round(nowMs - this.lastReceivedMs)} ms`);
    }
    // Only onto an empty socket: bytes already waiting will show the peer we are alive, and a
    // peer that reads nothing must not make heartbeats pile up.
    const idleOut = this.queue.length === 0 && this.socket.writableLength === 0;
    if (idleOut && nowMs - this.lastSentMs >= heartbeatIntervalMs) {
      this.queue.push(HEARTBEAT_FRAME);
      this.flush();
    }
  }

  /** Ends the connection for a policy or protocol reason (counted and logged by the host). */
  drop(reason: ConnectionDropReason, detail: string): void {
    this.close(reason, detail);
  }

  close(reason: CloseReason, detail: string): void {
    this.finish(reason, detail);
    this.socket.destroy();
  }

  // ---- handshake ----------------------------------------------------------------------------

  private onConnect(): void {
    this.connected = true;
    if (this.state === 'handshake') this.startHandshake();
  }

  private startHandshake(): void {
    const hello = this.handshake.start();
    if (hello !== undefined) this.sendControl(hello);
  }

  private onHandshakeFrame(frame: Frame): void {
    if (frame.channel !== CONTROL_CHANNEL) {
      throw new HandshakeError('malformed_handshake', `channel ${frame.channel} frame before the handshake finished`);
    }
    const step = this.handshake.receive(frame.payload);
    if (step.send !== undefined) this.sendControl(step.send);
    if (step.established === undefined) return;
    clearTimeout(this.handshakeTimer);
    const { peer, keys } = step.established;
    this.sealer = new FrameSealer(keys.send);
    this.opener = new FrameOpener(keys.receive);
    this.peerKey = peer;
    this.peerId = toHex(peer);
    this.decoder.maxBodyBytes = sealedBodyMaxBytes(this.host.limits);
    this.state = 'open';
    this.host.established(this);
  }

  /** A handshake message, in the clear (there is no key yet). */
  private sendControl(message: Uint8Array): void {
    this.lastSentMs = performance.now();
    this.socket.write(encodeFrame(CONTROL_CHANNEL, message));
  }

  // ---- inbound ------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.lastReceivedMs = performance.now();
    this.decoder.push(chunk);
    this.drain();
  }

  /**
   * Delivers what has arrived, up to the per-turn budget (then continues on a later turn), and
   * stops while reading is paused. Reentrant calls (a handler resuming reading) are no-ops.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      let deliveredBytes = 0;
      while (this.state !== 'closed' && !this.readPaused) {
        if (deliveredBytes >= this.host.limits.inboundTurnBytes) {
          this.scheduleDrain();
          break;
        }
        const frame = this.nextFrame();
        if (frame === undefined) break;
        deliveredBytes += FRAME_HEADER_BYTES + frame.payload.length;
        this.dispatch(frame);
      }
    } catch (error) {
      if (error instanceof FrameDecodeError || error instanceof HandshakeError || error instanceof SessionError) this.drop(`conn_${error.reason}`, error.message);
      else throw error;
    } finally {
      this.draining = false;
    }
    this.updateReading();
  }

  /** The next frame to deliver: a handshake frame, or the next of the current sealed frame. */
  private nextFrame(): Frame | undefined {
    if (this.state === 'handshake') return this.decoder.next();
    if (this.inboxAt === this.inbox.length) {
      const body = this.decoder.nextBody();
      if (body === undefined) return undefined;
      const plain = this.opener!.open(body);
      this.inbox = decodeFrameSequence(plain, this.host.limits.maxFrameBytes);
      this.inboxAt = 0;
      this.inboxBytes = plain.length;
    }
    const frame = this.inbox[this.inboxAt++]!;
    this.inboxBytes -= FRAME_HEADER_BYTES + frame.payload.length;
    if (this.inboxAt === this.inbox.length) {
      this.inbox = [];
      this.inboxAt = 0;
    }
    return frame;
  }

  private dispatch(frame: Frame): void {
    if (this.state === 'handshake') return this.onHandshakeFrame(frame);
    if (frame.channel === CONTROL_CHANNEL) {
      if (bytesEqual(frame.payload, HEARTBEAT)) return;
      return this.drop('conn_unexpected_control_frame', 'peer sent a control frame other than a heartbeat after the handshake');
    }
    this.host.counters.framesIn += 1;
    this.host.counters.bytesIn += FRAME_HEADER_BYTES + frame.payload.length;
    this.host.frame(this, frame.channel, frame.payload);
  }

  /** Reading runs unless the transport paused it or the peer's undelivered bytes exceed their budget. */
  private updateReading(): void {
    if (this.state === 'closed') return;
    const overBudget = this.heldBytes > this.host.limits.maxInboundBytes;
    if (overBudget && !this.budgetPaused) this.host.counters.inboundPauses += 1;
    this.budgetPaused = overBudget;
    const pause = this.readPaused || overBudget;
    if (pause && !this.socket.isPaused()) this.socket.pause();
    else if (!pause && this.socket.isPaused()) this.socket.resume();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  // ---- outbound -----------------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Everything sent in this turn of the event loop leaves in one sealed frame and one write.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state === 'closed' || this.sealer === undefined) return;
    const { counters } = this.host;
    const batchBytes = writeBatchMaxBytes(this.host.limits);
    while (this.queue.length > 0 && !this.socket.writableNeedDrain) {
      const batch = this.queue.takeBatch(batchBytes)!;
      let parts: Buffer[];
      try {
        parts = this.sealer.seal(batch.data);
      } catch (error) {
        if (!(error instanceof SessionError)) throw error;
        return this.drop(`conn_${error.reason}`, error.message);
      }
      const heartbeats = batch.data === HEARTBEAT_FRAME ? 1 : 0;
      counters.framesOut += batch.frames - heartbeats;
      counters.bytesOut += batch.data.length - heartbeats * HEARTBEAT_FRAME.length;
      this.lastSentMs = performance.now();
      this.socket.cork();
      for (const part of parts) this.socket.write(part);
      this.socket.uncork();
    }
  }

  // ---- end ----------------------------------------------------------------------------------

  private onSocketClose(): void {
    if (this.state === 'retiring') return this.finish('retired', 'duplicate connection closed');
    if (!this.connected) return this.finish('connect_failed', this.lastError?.message ?? 'connection closed before connect');
    // A stream cut inside a frame is a truncation, whoever cut it: count it, unlike a clean close.
    if (this.state === 'open' && this.decoder.buffered > 0) {
      return this.finish('conn_truncated_frame', `connection ended ${this.decoder.buffered} bytes into a frame${this.lastError ? ` (${this.lastError.message})` : ''}`);
    }
    if (this.lastError !== undefined) return this.finish('socket_error', this.lastError.message);
    this.finish('remote_closed', 'peer closed the connection');
  }

  private finish(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.retireTimer);
    this.queue.clear();
    this.inbox = [];
    this.inboxBytes = 0;
    this.host.closed(this, reason, detail);
  }
}
