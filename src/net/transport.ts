// The validator mesh: one authenticated, encrypted TCP connection per committee peer, dialled by both
// sides with backoff; duplicates from simultaneous dials are resolved by one deterministic rule
// both sides compute alike (see preferNew). Sends never block and never grow memory without
// bound: a peer that is down or too slow loses frames, counted, and the layers above resend.
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { bytesEqual, compareBytes, toHex } from '../crypto/bytes.js';
import type { Ed25519KeyPair } from '../crypto/ed25519.js';
import { ED25519_PUBLIC_KEY_BYTES } from '../crypto/ed25519.js';
import { addressGroup, PendingAdmission } from './admission.js';
import { reconnectDelayMs } from './backoff.js';
import { Connection, type CloseReason, type ConnectionHost, type TrafficCounters } from './connection.js';
import { TransportError, type DropReason } from './errors.js';
import { CONTROL_CHANNEL, encodeFrame, MAX_CHANNEL } from './frame.js';
import { Handshake, HANDSHAKE_NONCE_BYTES, isValidChainId, type HandshakeRole } from './handshake.js';
import { resolveLimits, UNAUTHENTICATED_DROP_LOG_INTERVAL_MS, type TransportLimits } from './limits.js';

/** A peer's ed25519 public key in lowercase hex, without 0x. */
export type PeerId = string;

export interface PeerAddress {
  readonly publicKey: Uint8Array;
  readonly host: string;
  readonly port: number;
}

/** The subset of pino's logger the transport uses; pino loggers fit it as they are. */
export interface TransportLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TransportOptions {
  readonly self: { readonly keyPair: Ed25519KeyPair };
  readonly listen: { readonly host: string; readonly port: number };
  /** The committee; an entry with our own key is ignored, so one list serves every member. */
  readonly peers: readonly PeerAddress[];
  readonly chainId: bigint;
  readonly logger?: TransportLogger;
  readonly limits?: Partial<TransportLimits>;
  /** Jitter source in [0, 1); injectable so tests can pin it. */
  readonly random?: () => number;
}

export interface TransportStats {
  readonly framesIn: number;
  readonly framesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Frames not queued and connections we closed, by reason. */
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
  /** Frames waiting in our per-peer queues, over all peers. */
  readonly queueDepth: number;
  /** Bytes waiting to be written (our queues plus socket buffers), over all peers. */
  readonly queueBytes: number;
  /** Bytes received and not yet delivered, over all peers (each bounded by limits.maxInboundBytes). */
  readonly inboundBytes: number;
  /** Times a peer's socket was paused because its undelivered bytes exceeded limits.maxInboundBytes. */
  readonly inboundPauses: number;
  readonly connectedPeers: number;
  readonly pendingHandshakes: number;
}

export type MessageHandler = (peer: PeerId, channel: number, payload: Uint8Array) => void;
export type PeerHandler = (peer: PeerId) => void;

export interface Transport {
  /** Queues one frame; false when the peer is down or its queue is full (counted in stats). */
  send(peer: PeerId, channel: number, payload: Uint8Array): boolean;
  /** Sends to every connected peer; the frame is encoded once. */
  broadcast(channel: number, payload: Uint8Array): void;
  onMessage(handler: MessageHandler): void;
  onPeerUp(handler: PeerHandler): void;
  onPeerDown(handler: PeerHandler): void;
  connectedPeers(): PeerId[];
  /** Replaces the peer set (a new epoch's committee): new peers are dialled, removed ones dropped. */
  setPeers(peers: readonly PeerAddress[]): void;
  /** Backpressure toward peers: stop reading sockets while the node is overloaded. */
  pauseReading(): void;
  resumeReading(): void;
  /** The bound listen address (useful with port 0). */
  address(): { host: string; port: number };
  stats(): TransportStats;
  /** Stops listening, cancels dials, closes every socket; resolves when all are closed. */
  close(): Promise<void>;
}

const SILENT_LOGGER: TransportLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Peer removed, transport closing: ordinary ends that are not counted as drops. */
const QUIET_CLOSE_REASONS: ReadonlySet<CloseReason> = new Set(['remote_closed', 'socket_error', 'connect_failed', 'retired', 'transport_closed']);

interface PeerState {
  readonly id: PeerId;
  readonly publicKey: Uint8Array;
  host: string;
  port: number;
  active: Connection | undefined;
  dialing: Connection | undefined;
  /** The loser of the last duplicate resolution, draining before it closes. */
  retiring: Connection | undefined;
  dialTimer: NodeJS.Timeout | undefined;
  failedDials: number;
}

export async function createTransport(options: TransportOptions): Promise<Transport> {
  const transport = new TcpTransport(options);
  await transport.listen();
  return transport;
}

class TcpTransport implements Transport, ConnectionHost {
  readonly limits: TransportLimits;
  readonly counters: TrafficCounters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, inboundPauses: 0 };
  private readonly keyPair: Ed25519KeyPair;
  private readonly chainId: bigint;
  private readonly logger: TransportLogger;
  private readonly random: () => number;
  private readonly server: Server;
  private readonly peers = new Map<PeerId, PeerState>();
  private readonly sockets = new Set<Socket>();
  private readonly pending: PendingAdmission<Connection>;
  private readonly dropped: Partial<Record<DropReason, number>> = {};
  /** Per drop reason of unauthenticated connections: when it was last logged, and how many since. */
  private readonly unauthenticatedLog = new Map<CloseReason, { atMs: number; suppressed: number }>();
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly upHandlers: PeerHandler[] = [];
  private readonly downHandlers: PeerHandler[] = [];
  private readonly selfId: PeerId;
  private readingPaused = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TransportOptions) {
    this.limits = resolveLimits(options.limits);
    this.pending = new PendingAdmission(this.limits.maxPendingHandshakes, this.limits.maxPendingHandshakesPerIp);
    this.keyPair = options.self.keyPair;
    this.selfId = toHex(this.keyPair.publicKey);
    if (!isValidChainId(options.chainId)) throw new TransportError('INVALID_CONFIG', `chainId must be in 0..2^256-1, got ${options.chainId}`);
    this.chainId = options.chainId;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.random = options.random ?? Math.random;
    validatePeers(options.peers);
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    const { host, port } = this.options.listen;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(new TransportError('LISTEN_FAILED', `cannot listen on ${host}:${port} (${error.code ?? error.message}): choose a free port or address`, { cause: error }));
      };
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (error) => this.logger.error({ err: error }, 'transport listener error'));
        this.logger.info({ ...this.address(), self: this.selfId }, 'transport listening');
        this.setPeers(this.options.peers);
        this.heartbeatTimer = setInterval(() => this.heartbeat(), this.limits.heartbeatIntervalMs);
        resolve();
      });
    });
  }

  // ---- public API -------------------------------------------------------------------------

  send(peer: PeerId, channel: number, payload: Uint8Array): boolean {
    const frame = this.encode(channel, payload);
    return this.sendEncoded(this.peers.get(peer)?.active, frame);
  }

  broadcast(channel: number, payload: Uint8Array): void {
    const frame = this.encode(channel, payload);
    for (const peer of this.peers.values()) this.sendEncoded(peer.active, frame);
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onPeerUp(handler: PeerHandler): void {
    this.upHandlers.push(handler);
  }

  onPeerDown(handler: PeerHandler): void {
    this.downHandlers.push(handler);
  }

  connectedPeers(): PeerId[] {
    return [...this.peers.values()].filter((peer) => peer.active !== undefined).map((peer) => peer.id);
  }

  setPeers(peers: readonly PeerAddress[]): void {
    validatePeers(peers);
    if (this.closing !== undefined) return;
    const next = new Map(peers.filter((p) => !bytesEqual(p.publicKey, this.keyPair.publicKey)).map((p) => [toHex(p.publicKey), p]));
    for (const peer of [...this.peers.values()]) if (!next.has(peer.id)) this.removePeer(peer);
    for (const [id, address] of next) {
      const existing = this.peers.get(id);
      if (existing !== undefined) {
        existing.host = address.host;
        existing.port = address.port;
        continue;
      }
      const peer: PeerState = { id, publicKey: new Uint8Array(address.publicKey), host: address.host, port: address.port, active: undefined, dialing: undefined, retiring: undefined, dialTimer: undefined, failedDials: 0 };
      this.peers.set(id, peer);
      // The lower key dials at once; the higher key yields so the two dials rarely cross.
      this.scheduleDial(peer, this.isLowerThan(peer) ? 0 : this.limits.dialYieldMs);
    }
  }

  pauseReading(): void {
    this.readingPaused = true;
    for (const peer of this.peers.values()) for (const c of [peer.active, peer.retiring]) c?.setReadPaused(true);
  }

  resumeReading(): void {
    this.readingPaused = false;
    for (const peer of this.peers.values()) for (const c of [peer.active, peer.retiring]) c?.setReadPaused(false);
  }

  address(): { host: string; port: number } {
    const bound = this.server.address();
    if (bound === null || typeof bound === 'string') return { ...this.options.listen };
    return { host: bound.address, port: bound.port };
  }

  stats(): TransportStats {
    let queueDepth = 0;
    let queueBytes = 0;
    let inboundBytes = 0;
    for (const peer of this.peers.values()) {
      for (const connection of [peer.active, peer.retiring]) {
        inboundBytes += connection?.inboundBytes ?? 0;
        queueDepth += connection?.queuedFrames ?? 0;
        queueBytes += connection?.queuedBytes ?? 0;
      }
    }
    return {
      ...this.counters,
      dropped: { ...this.dropped },
      queueDepth,
      queueBytes,
      inboundBytes,
      connectedPeers: this.connectedPeers().length,
      pendingHandshakes: this.pending.size,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- connection host --------------------------------------------------------------------

  established(connection: Connection): void {
    this.releasePending(connection);
    const peer = this.peers.get(connection.peerId!);
    if (peer === undefined) return connection.drop('conn_peer_removed', 'peer left the peer set during the handshake');
    if (peer.dialing === connection) peer.dialing = undefined;
    const current = peer.active;
    if (current === undefined) return this.activate(peer, connection);
    // Two live connections to one peer: both sides keep the same one (see preferNew).
    this.count('conn_duplicate');
    const loser = this.preferNew(current, connection) ? current : connection;
    peer.active = loser === current ? connection : current;
    peer.active.setReadPaused(this.readingPaused);
    // At most one retiring connection per peer: a member reconnecting in a loop must not pile
    // up lingering sockets. The older one has had its chance to drain.
    peer.retiring?.close('retired', 'replaced by a newer retiring connection');
    peer.retiring = loser;
    loser.setReadPaused(this.readingPaused); // a retiring connection still delivers: it obeys pauses too
    loser.retire();
    this.logger.debug({ peer: peer.id, kept: peer.active === connection ? 'new' : 'existing' }, 'duplicate connection retired');
  }

  frame(connection: Connection, channel: number, payload: Uint8Array): void {
    if (this.closing !== undefined) return; // a handler closed us mid-chunk: deliver nothing more
    for (const handler of this.messageHandlers) {
      try {
        handler(connection.peerId!, channel, payload);
      } catch (error) {
        // A bug in a handler must not cost the peer its connection; report it loudly instead.
        this.logger.error({ err: error, peer: connection.peerId, channel }, 'message handler threw');
      }
    }
  }

  closed(connection: Connection, reason: CloseReason, detail: string): void {
    this.releasePending(connection);
    this.logClose(connection, reason, detail);
    const peer = connection.peerId === undefined ? this.dialTarget(connection) : this.peers.get(connection.peerId);
    if (peer === undefined) return;
    if (peer.retiring === connection) peer.retiring = undefined;
    if (peer.dialing === connection) {
      peer.dialing = undefined;
      if (peer.active === undefined) peer.failedDials += 1;
      this.scheduleDial(peer, this.redialDelayMs(peer));
    }
    if (peer.active === connection) {
      peer.active = undefined;
      this.emit(this.downHandlers, peer.id);
      this.scheduleDial(peer, this.redialDelayMs(peer));
    }
  }

  // ---- internals --------------------------------------------------------------------------

  private encode(channel: number, payload: Uint8Array): Buffer {
    if (!Number.isInteger(channel) || channel <= CONTROL_CHANNEL || channel > MAX_CHANNEL) {
      throw new TransportError('INVALID_CHANNEL', `channel must be an integer in 1..${MAX_CHANNEL} (0 is the transport's own), got ${channel}`);
    }
    if (payload.length + 1 > this.limits.maxFrameBytes) {
      throw new TransportError('FRAME_TOO_LARGE', `payload of ${payload.length} bytes exceeds the frame limit of ${this.limits.maxFrameBytes - 1}: split it`);
    }
    return encodeFrame(channel, payload);
  }

  private sendEncoded(connection: Connection | undefined, frame: Buffer): boolean {
    if (connection === undefined || this.closing !== undefined) {
      this.count('frame_peer_down');
      return false;
    }
    if (connection.send(frame)) return true;
    this.count('frame_queue_full');
    return false;
  }

  private activate(peer: PeerState, connection: Connection): void {
    peer.active = connection;
    peer.failedDials = 0;
    connection.setReadPaused(this.readingPaused);
    this.logger.info({ peer: peer.id, remote: connection.remote, role: connection.role }, 'peer up');
    this.emit(this.upHandlers, peer.id);
  }

  /**
   * Which of two connections to one peer survives (keepCandidate). Both ends must pick the same one without
   * talking, so the rule uses only what both know: who initiated each connection.
   * - Different initiators (simultaneous dials): keep the one the lower public key initiated.
   * - Same initiator: it only redials after losing the old connection, so the old one is a
   *   stale half-open socket (its machine restarted): keep the new one.
   */
  private preferNew(current: Connection, candidate: Connection): boolean {
    return keepCandidate(this.initiatorKey(current), this.initiatorKey(candidate));
  }

  private initiatorKey(connection: Connection): Uint8Array {
    return connection.role === 'initiator' ? this.keyPair.publicKey : connection.peerKey!;
  }

  private isLowerThan(peer: PeerState): boolean {
    return compareBytes(this.keyPair.publicKey, peer.publicKey) < 0;
  }

  private redialDelayMs(peer: PeerState): number {
    const yieldMs = this.isLowerThan(peer) ? 0 : this.limits.dialYieldMs;
    return reconnectDelayMs(peer.failedDials, this.limits, this.random) + yieldMs;
  }

  private scheduleDial(peer: PeerState, delayMs: number): void {
    if (this.closing !== undefined || peer.dialTimer !== undefined) return;
    peer.dialTimer = setTimeout(() => {
      peer.dialTimer = undefined;
      this.dial(peer);
    }, delayMs);
  }

  private dial(peer: PeerState): void {
    if (this.closing !== undefined || peer.active !== undefined || peer.dialing !== undefined) return;
    if (this.peers.get(peer.id) !== peer) return;
    const socket = createConnection({ host: peer.host, port: peer.port });
    peer.dialing = this.wrap(socket, 'initiator', `${peer.host}:${peer.port}`, peer.publicKey);
  }

  private accept(socket: Socket): void {
    if (this.closing !== undefined) return void socket.destroy();
    const group = addressGroup(socket.remoteAddress ?? 'unknown');
    // The newcomer always gets a slot; when the caps are reached the oldest pending connection of
    // the fullest group makes room (see admission.ts for why refusing the newcomer is wrong).
    const displaced = this.pending.displacementFor(group);
    if (displaced !== undefined) {
      displaced.victim.drop(displaced.reason, `displaced by a newer inbound connection (${this.pending.size} pending, group ${group})`);
    }
    const connection = this.wrap(socket, 'responder', `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, undefined);
    this.pending.add(connection, group);
  }

  private wrap(socket: Socket, role: HandshakeRole, remote: string, expectedPeer: Uint8Array | undefined): Connection {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const handshake = new Handshake({
      role,
      keyPair: this.keyPair,
      chainId: this.chainId,
      nonce: new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES)),
      expectedPeer,
      isKnownPeer: (key) => this.peers.has(toHex(key)),
    });
    return new Connection(socket, role, remote, handshake, this);
  }

  private releasePending(connection: Connection): void {
    this.pending.delete(connection);
  }

  private dialTarget(connection: Connection): PeerState | undefined {
    for (const peer of this.peers.values()) if (peer.dialing === connection) return peer;
    return undefined;
  }

  private removePeer(peer: PeerState): void {
    this.peers.delete(peer.id);
    clearTimeout(peer.dialTimer);
    peer.dialTimer = undefined;
    const wasUp = peer.active !== undefined;
    peer.retiring?.close('conn_peer_removed', 'peer left the peer set');
    peer.dialing?.close('conn_peer_removed', 'peer left the peer set');
    peer.active?.close('conn_peer_removed', 'peer left the peer set');
    peer.dialing = undefined;
    peer.active = undefined;
    if (wasUp) this.emit(this.downHandlers, peer.id);
  }

  private logClose(connection: Connection, reason: CloseReason, detail: string): void {
    const fields = { peer: connection.peerId ?? 'unauthenticated', remote: connection.remote, role: connection.role, reason, detail };
    if (QUIET_CLOSE_REASONS.has(reason)) {
      this.logger.debug(fields, 'connection closed');
    } else if (reason !== 'conn_peer_removed') {
      this.count(reason as DropReason);
      if (connection.peerId !== undefined) return this.logger.warn(fields, 'connection dropped');
      // Anyone can open connections: one warn line per reason and interval, the rest counted.
      const nowMs = performance.now();
      const last = this.unauthenticatedLog.get(reason);
      if (last !== undefined && nowMs - last.atMs < UNAUTHENTICATED_DROP_LOG_INTERVAL_MS) {
        last.suppressed += 1;
        return;
      }
      this.unauthenticatedLog.set(reason, { atMs: nowMs, suppressed: 0 });
      this.logger.warn(last?.suppressed ? { ...fields, suppressed: last.suppressed } : fields, 'connection dropped');
    }
  }

  private count(reason: DropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  private emit(handlers: readonly PeerHandler[], peer: PeerId): void {
    for (const handler of handlers) {
      try {
        handler(peer);
      } catch (error) {
        this.logger.error({ err: error, peer }, 'peer event handler threw');
      }
    }
  }

  private heartbeat(): void {
    const nowMs = performance.now();
    for (const peer of this.peers.values()) peer.active?.heartbeat(nowMs);
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const peer of this.peers.values()) {
      clearTimeout(peer.dialTimer);
      peer.dialTimer = undefined;
    }
    const socketsClosed = [...this.sockets].map((socket) => new Promise<void>((resolve) => {
      if (socket.destroyed && socket.closed) return resolve();
      socket.once('close', () => resolve());
    }));
    for (const socket of this.sockets) socket.destroy();
    for (const connection of this.pending.items()) connection.close('transport_closed', 'transport closing');
    await Promise.all([serverClosed, ...socketsClosed]);
    this.logger.info({ self: this.selfId }, 'transport closed');
  }
}

/**
 * The duplicate-connection rule on initiator keys alone, so both ends compute the same answer:
 * true when the newly established connection should replace the current one.
 */
export function keepCandidate(currentInitiator: Uint8Array, candidateInitiator: Uint8Array): boolean {
  if (bytesEqual(currentInitiator, candidateInitiator)) return true;
  return compareBytes(candidateInitiator, currentInitiator) < 0;
}

function validatePeers(peers: readonly PeerAddress[]): void {
  const seen = new Set<string>();
  for (const [index, peer] of peers.entries()) {
    if (peer.publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
      throw new TransportError('INVALID_CONFIG', `peers[${index}].publicKey must be ${ED25519_PUBLIC_KEY_BYTES} bytes, got ${peer.publicKey.length}`);
    }
    if (!Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65_535) {
      throw new TransportError('INVALID_CONFIG', `peers[${index}].port must be in 1..65535, got ${peer.port}`);
    }
    if (peer.host.length === 0) throw new TransportError('INVALID_CONFIG', `peers[${index}].host is empty: give a hostname or IP`);
    const id = toHex(peer.publicKey);
    if (seen.has(id)) throw new TransportError('INVALID_CONFIG', `peers[${index}] repeats public key ${id}: list each validator once`);
    seen.add(id);
  }
}
