// One TCP connection to one peer: the handshake, frame decoding, and the bounded outbound
// queue with per-tick write batching. The transport decides what a connection is for (active,
// duplicate, retired); the connection only reports what happened on its socket.
import type { Socket } from 'node:net';
import { bytesEqual, toHex } from '../crypto/bytes.js';
import type { ConnectionDropReason } from './errors.js';
import { CONTROL_CHANNEL, encodeFrame, FrameDecodeError, FrameDecoder, type Frame } from './frame.js';
import { HandshakeError, type Handshake, type HandshakeRole } from './handshake.js';
import { FRAME_HEADER_BYTES, type TransportLimits } from './limits.js';
import { OutboundQueue } from './outbound-queue.js';

/** The one control message allowed after the handshake (types 1 and 2 are HELLO and AUTH). */
const HEARTBEAT = Uint8Array.of(3);

export type ConnectionState = 'handshake' | 'open' | 'retiring' | 'closed';

/** Why a connection ended: one of our drop reasons, or what the socket did. */
export type CloseReason = ConnectionDropReason | 'remote_closed' | 'socket_error' | 'connect_failed' | 'retired' | 'transport_closed';

export interface TrafficCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
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
    if (this.connected) this.sendControl(handshake.hello());
    else socket.once('connect', () => this.onConnect());
  }

  /** Bytes waiting to go out: our queue plus what the socket has buffered. */
  get queuedBytes(): number {
    return this.queue.bytes + this.socket.writableLength;
  }

  get queuedFrames(): number {
    return this.queue.length;
  }

  /** Queues an encoded frame; false when not open or when the queue is at its limit. */
  send(frame: Buffer): boolean {
    if (this.state !== 'open') return false;
    const { maxQueueFrames, maxQueueBytes } = this.host.limits;
    if (this.queue.length >= maxQueueFrames || this.queuedBytes + frame.length > maxQueueBytes) return false;
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

  setReadPaused(paused: boolean): void {
    if (paused) return void this.socket.pause();
    // While paused we read nothing, heartbeats included: restart the idle clock.
    this.lastReceivedMs = performance.now();
    this.socket.resume();
  }

  /** Called periodically by the transport: drop a silent peer, keep an idle link visibly alive. */
  heartbeat(nowMs: number): void {
    // A retiring connection legitimately falls silent; its grace timers bound it instead.
    if (this.state !== 'open') return;
    const { idleTimeoutMs, heartbeatIntervalMs } = this.host.limits;
    if (this.socket.isPaused()) this.lastReceivedMs = nowMs;
    else if (nowMs - this.lastReceivedMs > idleTimeoutMs) {
      return this.drop('conn_idle_timeout', `nothing received for ${Math.round(nowMs - this.lastReceivedMs)} ms`);
    }
    // Only onto an empty socket: bytes already waiting will show the peer we are alive, and a
    // peer that reads nothing must not make heartbeats pile up.
    const idleOut = this.queue.length === 0 && this.socket.writableLength === 0;
    if (idleOut && nowMs - this.lastSentMs >= heartbeatIntervalMs) this.sendControl(HEARTBEAT);
  }

  /** Ends the connection for a policy or protocol reason (counted and logged by the host). */
  drop(reason: ConnectionDropReason, detail: string): void {
    this.close(reason, detail);
  }

  close(reason: CloseReason, detail: string): void {
    this.finish(reason, detail);
    this.socket.destroy();
  }

  private onConnect(): void {
    this.connected = true;
    if (this.state === 'handshake') this.sendControl(this.handshake.hello());
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedMs = performance.now();
    this.decoder.push(chunk);
    try {
      for (;;) {
        if (this.state === 'closed') return;
        const frame = this.decoder.next();
        if (frame === undefined) return;
        this.dispatch(frame);
      }
    } catch (error) {
      if (error instanceof FrameDecodeError || error instanceof HandshakeError) this.drop(`conn_${error.reason}`, error.message);
      else throw error;
    }
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

  private onHandshakeFrame(frame: Frame): void {
    if (frame.channel !== CONTROL_CHANNEL) {
      throw new HandshakeError('malformed_handshake', `channel ${frame.channel} frame before the handshake finished`);
    }
    const step = this.handshake.receive(frame.payload);
    if ('send' in step) return this.sendControl(step.send);
    clearTimeout(this.handshakeTimer);
    this.peerKey = step.peer;
    this.peerId = toHex(step.peer);
    this.decoder.maxFrameBytes = this.host.limits.maxFrameBytes;
    this.state = 'open';
    this.host.established(this);
  }

  private sendControl(message: Uint8Array): void {
    this.lastSentMs = performance.now();
    this.socket.write(encodeFrame(CONTROL_CHANNEL, message));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Everything sent in this turn of the event loop leaves in one write.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state === 'closed') return;
    const { counters, limits } = this.host;
    while (this.queue.length > 0 && !this.socket.writableNeedDrain) {
      const batch = this.queue.takeBatch(limits.writeBatchBytes)!;
      counters.framesOut += batch.frames;
      counters.bytesOut += batch.data.length;
      this.lastSentMs = performance.now();
      this.socket.write(batch.data);
    }
  }

  private onSocketClose(): void {
    if (this.state === 'retiring') return this.finish('retired', 'duplicate connection closed');
    if (!this.connected) return this.finish('connect_failed', this.lastError?.message ?? 'connection closed before connect');
    if (this.lastError !== undefined) return this.finish('socket_error', this.lastError.message);
    this.finish('remote_closed', 'peer closed the connection');
  }

  private finish(reason: CloseReason, detail: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.retireTimer);
    this.queue.clear();
    this.host.closed(this, reason, detail);
  }
}
