// A malformed frame from any peer on any channel is counted and dropped, never fatal: one gossip
// frame with payload 0x01 used to make every validator that received it exit (an async handler
// started with `void` rejected, unhandled). The node's own logic runs here over the simulator's
// twins, so a rejection nobody catches would reach the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidatorNode } from '../../src/node/node.js';
import { createLogger } from '../../src/node/logger.js';
import { createMetrics } from '../../src/node/metrics.js';
import { CHANNEL, encodeStatus } from '../../src/node/wire.js';
import { toHex } from '../../src/crypto/bytes.js';
import { EndpointClock, EndpointLink, type EndpointHost } from '../../src/sim/endpoint-io.js';
import { drawCommittee, SIM_CHAIN_BINDING, SIM_CHAIN_ID } from '../../src/sim/committee.js';
import { Rng } from '../../src/sim/random.js';
import { signatureScheme } from '../../src/sim/signatures.js';
import { TwinChain, TwinEngine } from '../../src/sim/twin-engine.js';
import { MemoryJournal, MemoryPendingStore } from '../../src/sim/twin-stores.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { fixedCommittee } from '../../src/node/committees.js';

test('junk on every channel is dropped and counted; the node keeps running and nothing rejects unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const scheme = signatureScheme('twin');
    const sim = drawCommittee({ validators: 4, byzantine: 0, strategy: 'silent', seed: 5, heights: 1, stakes: 'equal', signatures: 'twin', network: 'synchronous' }, new Rng(5), scheme);
    const clock = new VirtualClock();
    const host: EndpointHost = { nowMs: () => clock.elapsedMs, schedule: (atMs, run) => void clock.setTimer(run, atMs - clock.elapsedMs), sendFrame: () => undefined, connectedPeers: () => [] };
    const link = new EndpointLink(host);
    const metrics = createMetrics('hostile');
    const node = new ValidatorNode({
      clock: new EndpointClock(host, 0),
      link,
      journal: new MemoryJournal(),
      engine: new TwinEngine(new TwinChain(new Map(), 1_700_000_000n), SIM_CHAIN_ID, 1_000_000_000n),
      pendingStore: new MemoryPendingStore(),
      committees: fixedCommittee(sim.committee),
      chainId: SIM_CHAIN_ID,
      chainBinding: SIM_CHAIN_BINDING,
      gasLimit: 60_000_000n,
      baseFeePerGas: 1_000_000_000n,
      signer: sim.members[0]!.signer,
      verifier: scheme.verifier,
      logger: createLogger('hostile', 'silent'),
      metrics,
      onFatal: (reason) => assert.fail(`the node halted: ${reason}`),
    });
    await node.start();
    const peer = toHex(sim.members[1]!.signer.publicKey);
    const junk = [Uint8Array.of(0x01), new Uint8Array(0), Uint8Array.of(0xc1, 0xff), Uint8Array.of(0xf8, 0xff, 0x01), new Uint8Array(300).fill(0xc0)];
    for (const channel of [...Object.values(CHANNEL), 0, 42]) for (const bytes of junk) link.deliver(peer, channel, bytes);
    // A far-future claim from one peer: not a sync target (one member is not more than 1/3).
    link.deliver(peer, CHANNEL.status, encodeStatus({ head: 10n ** 12n, certified: 10n ** 12n }));
    await clock.settle(40);
    clock.advance(2_000);
    await clock.settle(40);
    assert.deepEqual(unhandled, []);
    assert.equal(node.halted, undefined);
    assert.equal(node.syncStatus(), false);
    const dropped = await metrics.registry.getSingleMetricAsString('synod_dropped_messages_total');
    assert.match(dropped, /reason="malformed"/);
    assert.ok(node.consensusStatus().height >= 1);
    await node.stop();
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
