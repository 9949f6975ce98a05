// A TCP relay that delays every chunk by a WAN-like delay (default 50 ms ± 10 ms), in order, both
// ways. This machine's kernel has no `tc netem` (it has `tbf`, which shapes bandwidth only), so
// delay between the test's hosts is emulated here: validators dial a peer through its relay,
// which listens on the bridge's address in the root namespace and forwards to the peer's host.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface DelayRelay {
  readonly port: number;
  close(): Promise<void>;
}

export interface DelayOptions {
  readonly meanMs: number;
  readonly jitterMs: number;
}

export const WAN_DELAY: DelayOptions = { meanMs: 50, jitterMs: 10 };

/** Forwards `from` to `to`, each chunk after its own delay but never before the one ahead of it. */
function pipeDelayed(from: Socket, to: Socket, delay: DelayOptions): void {
  let lastAt = 0;
  from.on('data', (chunk: Buffer) => {
    const now = Date.now();
    const at = Math.max(lastAt, now + delay.meanMs + (Math.random() * 2 - 1) * delay.jitterMs);
    lastAt = at;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, at - now);
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, lastAt - Date.now())));
}

export async function startDelayRelay(listenHost: string, target: { host: string; port: number }, delay: DelayOptions = WAN_DELAY): Promise<DelayRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      // Nagle's algorithm would hold small delayed writes for the peer's delayed ACK (40 ms).
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
      s.on('close', () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
    pipeDelayed(inbound, outbound, delay);
    pipeDelayed(outbound, inbound, delay);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
