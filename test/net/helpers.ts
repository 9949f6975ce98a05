// Shared fixtures for the socket tests: deterministic keys, fast limits, a capturing logger,
// mesh setup and raw (hand-driven) peers that speak the wire protocol directly.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { toHex } from '../../src/crypto/bytes.js';
import { keyPairFromSeed, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import { CONTROL_CHANNEL, decodeFrameSequence, encodeFrame, FrameDecoder, type Frame } from '../../src/net/frame.js';
import { FrameOpener, FrameSealer } from '../../src/net/session.js';
import { Handshake } from '../../src/net/handshake.js';
import type { TransportLimits } from '../../src/net/limits.js';
import { createTransport, type PeerId, type Transport, type TransportLogger } from '../../src/net/transport.js';

export const CHAIN_ID = 31337n;

export function validatorKey(index: number): Ed25519KeyPair {
  const seed = new Uint8Array(32);
  seed[0] = 0xa0;
  seed[31] = index;
  return keyPairFromSeed(seed);
}

export const idOf = (key: Ed25519KeyPair): PeerId => toHex(key.publicKey);

/** Short timeouts so failure paths finish quickly; correctness never depends on them. */
export const FAST_LIMITS: Partial<TransportLimits> = {
  handshakeTimeoutMs: 1_000,
  reconnectInitialDelayMs: 20,
  reconnectMaxDelayMs: 200,
  dialYieldMs: 10,
  retireGraceMs: 1_000,
};

export interface LogEntry {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export class CapturingLogger implements TransportLogger {
  readonly entries: LogEntry[] = [];
  debug(fields: object, message: string): void {
    this.entries.push({ level: 'debug', fields: fields as Record<string, unknown>, message });
  }
  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }
  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', fields: fields as Record<string, unknown>, message });
  }
  warnings(reason: string): LogEntry[] {
    return this.entries.filter((e) => e.level === 'warn' && e.fields.reason === reason);
  }
}

/** Polls until `condition` holds; fails with `what` if it does not within the bound. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface Mesh {
  readonly keys: Ed25519KeyPair[];
  readonly transports: Transport[];
  readonly loggers: CapturingLogger[];
  close(): Promise<void>;
}

/** n transports on ephemeral ports, each given the full list (itself included), all connected. */
export async function startMesh(n: number, limits: Partial<TransportLimits> = FAST_LIMITS, firstKey = 1): Promise<Mesh> {
  const keys = Array.from({ length: n }, (_, i) => validatorKey(firstKey + i));
  const loggers = keys.map(() => new CapturingLogger());
  const transports = await Promise.all(
    keys.map((keyPair, i) => createTransport({ self: { keyPair }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits, logger: loggers[i] })),
  );
  const peers = transports.map((t, i) => ({ publicKey: keys[i]!.publicKey, host: '127.0.0.1', port: t.address().port }));
  for (const transport of transports) transport.setPeers(peers);
  await waitFor(() => transports.every((t) => t.connectedPeers().length === n - 1), 'full mesh');
  return { keys, transports, loggers, close: async () => void (await Promise.all(transports.map((t) => t.close()))) };
}

export function connectRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the socket closes. Reads (and discards) anything unread, or the FIN is never seen. */
export function closedPromise(socket: Socket): Promise<void> {
  if (socket.listenerCount('data') === 0) socket.resume();
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.once('close', () => resolve());
  });
}

/** A hand-driven peer, for tests that need to misbehave on purpose. Bodies are read as they come
 * and interpreted in order: as plain frames during the handshake, as sealed frames once `session` is set. */
export class RawPeer {
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly bodies: Uint8Array[] = [];
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | undefined;
  session: { sealer: FrameSealer; opener: FrameOpener } | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let b = this.decoder.nextBody(); b !== undefined; b = this.decoder.nextBody()) this.bodies.push(new Uint8Array(b));
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  /** The next frame; once sealed, heartbeats are skipped. */
  async nextFrame(): Promise<Frame> {
    for (;;) {
      const frame = this.interpret();
      if (frame !== undefined) return frame;
      if (this.socket.closed) throw new Error('socket closed while waiting for a frame');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        this.socket.once('close', resolve);
      });
    }
  }

  private interpret(): Frame | undefined {
    for (;;) {
      if (this.frames.length > 0) return this.frames.shift()!;
      const body = this.bodies.shift();
      if (body === undefined) return undefined;
      if (this.session === undefined) return { channel: body[0]!, payload: body.subarray(1) };
      for (const frame of decodeFrameSequence(this.session.opener.open(body), 64 * 1024 * 1024)) {
        if (frame.channel !== CONTROL_CHANNEL) this.frames.push(frame);
      }
    }
  }

  sendControl(message: Uint8Array): void {
    this.socket.write(encodeFrame(CONTROL_CHANNEL, message));
  }

  /** The wire bytes of `frames` sealed as one sealed frame (not sent). */
  seal(...frames: Frame[]): Buffer {
    return Buffer.concat(this.session!.sealer.seal(Buffer.concat(frames.map((f) => encodeFrame(f.channel, f.payload)))));
  }

  sendSealed(channel: number, payload: Uint8Array): void {
    this.socket.write(this.seal({ channel, payload }));
  }
}

/** A raw peer that completes a genuine handshake as `keyPair` (initiator) toward `serverKey`. */
export async function authenticatedRawPeer(keyPair: Ed25519KeyPair, serverKey: Ed25519KeyPair, port: number): Promise<RawPeer> {
  const peer = new RawPeer(await connectRaw(port));
  const handshake = new Handshake({
    role: 'initiator',
    keyPair,
    chainId: CHAIN_ID,
    nonce: new Uint8Array(randomBytes(32)),
    expectedPeer: serverKey.publicKey,
    isKnownPeer: () => true,
  });
  peer.sendControl(handshake.start()!);
  const auth = handshake.receive((await peer.nextFrame()).payload);
  if (auth.send === undefined) throw new Error('expected to send AUTH_I');
  peer.sendControl(auth.send);
  const done = handshake.receive((await peer.nextFrame()).payload);
  if (done.established === undefined) throw new Error('expected the server AUTH_R');
  peer.session = { sealer: new FrameSealer(done.established.keys.send), opener: new FrameOpener(done.established.keys.receive) };
  return peer;
}
