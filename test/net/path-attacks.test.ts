// An attacker on the network path between two members, as a TCP proxy that sees every byte.
// Once the handshake is over it injects, alters, replays, reorders or truncates one frame. The
// receiver must deliver only genuine frames, in order and once each, drop the connection and
// count why; the members reconnect and traffic resumes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { utf8 } from '../../src/crypto/bytes.js';
import { encodeFrame } from '../../src/net/frame.js';
import { createTransport, type Transport } from '../../src/net/transport.js';
import { CapturingLogger, CHAIN_ID, FAST_LIMITS, idOf, validatorKey, waitFor } from './helpers.js';

type Attack = 'inject' | 'tamper' | 'replay' | 'reorder' | 'truncate';

/** The handshake's units from initiator to responder; the data units follow. */
const HANDSHAKE_UNITS = 2;
/** The data unit (0-based) the attack targets. */
const TARGET = 1;

class PathAttacker {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  constructor(
    private readonly attack: Attack,
    private readonly upstreamPort: number,
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const attacking = this.connections++ === 0; // only the first connection; reconnects pass untouched
    const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.once('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    let pending = Buffer.alloc(0);
    let units = 0;
    let held: Buffer | undefined;
    client.on('data', (chunk: Buffer) => {
      if (!attacking) return void upstream.write(chunk);
      // Cut the stream into wire units (u32 length | body) itself: the attacker knows the format.
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const unit = Buffer.from(pending.subarray(0, 4 + pending.readUInt32BE(0)));
        pending = pending.subarray(unit.length);
        const index = units++ - HANDSHAKE_UNITS;
        if (index !== TARGET && !(this.attack === 'reorder' && index === TARGET + 1)) {
          upstream.write(unit);
          continue;
        }
        switch (this.attack) {
          case 'inject':
            upstream.write(unit);
            upstream.write(encodeFrame(1, utf8('injected: as long as a sealed frame could be')));
            break;
          case 'tamper':
            unit[unit.length - 1]! ^= 0x01;
            upstream.write(unit);
            break;
          case 'replay':
            upstream.write(unit);
            upstream.write(unit);
            break;
          case 'reorder':
            if (index === TARGET) held = unit;
            else upstream.write(Buffer.concat([unit, held!]));
            break;
          case 'truncate':
            upstream.end(unit.subarray(0, unit.length >> 1));
            break;
        }
      }
    });
  }
}

const EXPECTED_DROP: Record<Attack, string> = {
  inject: 'conn_bad_mac',
  tamper: 'conn_bad_mac',
  replay: 'conn_bad_mac',
  reorder: 'conn_bad_mac',
  truncate: 'conn_truncated_frame',
};

for (const attack of Object.keys(EXPECTED_DROP) as Attack[]) {
  test(`an on-path attacker who tries to ${attack} a frame gets only the connection closed, counted and logged`, async () => {
    const [keyA, keyB] = [validatorKey(210), validatorKey(211)];
    const loggerB = new CapturingLogger();
    const b = await createTransport({ self: { keyPair: keyB }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits: FAST_LIMITS, logger: loggerB });
    const attacker = new PathAttacker(attack, b.address().port);
    const proxyPort = await attacker.listen();
    let a: Transport | undefined;
    try {
      a = await createTransport({ self: { keyPair: keyA }, listen: { host: '127.0.0.1', port: 0 }, peers: [], chainId: CHAIN_ID, limits: FAST_LIMITS });
      const received: string[] = [];
      b.onMessage((from, _channel, payload) => {
        assert.equal(from, idOf(keyA));
        received.push(Buffer.from(payload).toString());
      });
      // b never dials a directly (port 1), so every connection runs through the attacker.
      b.setPeers([{ publicKey: keyA.publicKey, host: '127.0.0.1', port: 1 }]);
      a.setPeers([{ publicKey: keyB.publicKey, host: '127.0.0.1', port: proxyPort }]);
      await waitFor(() => a!.connectedPeers().length === 1 && b.connectedPeers().length === 1, 'link up through the attacker');
      const sent = ['m0', 'm1', 'm2', 'm3'];
      for (const text of sent) {
        a.send(idOf(keyB), 1, utf8(text)); // false once the link is down: a lost frame, as on any drop
        await new Promise((resolve) => setTimeout(resolve, 20)); // one write (one unit on the wire) each
      }
      const drops = () => b.stats().dropped[EXPECTED_DROP[attack] as 'conn_bad_mac'] ?? 0;
      // Until b drops the link, or (without sealed frames) has taken in the whole altered stream.
      await waitFor(() => drops() > 0 || received.length >= sent.length, `b drops the link (${EXPECTED_DROP[attack]})`);
      // Only genuine frames, in order, once each. Frames may be lost with the dropped link (the
      // layers above resend) and later ones arrive over the next connection.
      const indices = received.map((text) => sent.indexOf(text));
      assert.ok(indices.every((i, n) => i >= 0 && (n === 0 || i > indices[n - 1]!)), `received ${JSON.stringify(received)}`);
      await waitFor(() => drops() > 0, `b drops the link (${EXPECTED_DROP[attack]})`);
      assert.equal(drops(), 1);
      assert.equal(loggerB.warnings(EXPECTED_DROP[attack]).length, 1);
      // The members reconnect (the attacker lets later connections pass) and traffic resumes.
      await waitFor(() => a!.connectedPeers().length === 1 && b.connectedPeers().length === 1, 'link back up');
      await waitFor(() => {
        a!.send(idOf(keyB), 2, utf8('after'));
        return received.includes('after');
      }, 'traffic after reconnecting');
    } finally {
      await a?.close();
      await b.close();
      await attacker.close();
    }
  });
}
