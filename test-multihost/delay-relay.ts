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

/**
 * Forwards `from` to `to`, each chunk after its own delay but never before the one ahead of it:
 * one queue per direction drained by one timer, so bytes keep their order (separate timers per
 * chunk may fire out of order, and a sealed link refuses a reordered frame).
 */
function pipeDelayed(from: Socket, to: Socket, delay: DelayOptions): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const drain = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(drain, queue[0]!.at - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    const last = queue.at(-1)?.at ?? 0;
    queue.push({ at: Math.max(last, Date.now() + delay.meanMs + (Math.random() * 2 - 1) * delay.jitterMs), chunk });
    timer ??= setTimeout(drain, queue[0]!.at - Date.now());
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && timer === undefined) to.end();
  });
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
