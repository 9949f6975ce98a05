// The container image, built and run: deploy/Dockerfile builds on a locally made Debian base with
// Node.js 20 (no registry is reachable here), the image holds what the Dockerfile says (non-root
// user, /data volume, health check, entrypoint), and a validator started from `synod init`
// output in it finalizes blocks, reports ready and healthy, runs as uid 10001, and keeps its
// chain in the volume across a new container.
// Run: npm run test:container (needs root, podman, runc and debootstrap; skipped, saying why, otherwise).
// SYNOD_CONTAINER_TEST_KEEP_IMAGES=1 keeps the two images afterwards, to look at them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_IMAGE, BaseImageUnavailable, IMAGE, buildBaseImage, buildImage, containerProblem, mustPodman, podman, removeImages, runtimeProblem } from './podman.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CONTAINER = 'synod-container-test';
const VOLUME = 'synod-container-test-data';
const IMAGE_UID = 10001;
const READY_WITHIN_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function rpc<T>(port: number, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function until<T>(what: string, withinMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + withinMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} not within ${withinMs} ms${last === undefined ? '' : `: ${String(last)}`}\n${podman(['logs', '--tail', '30', CONTAINER]).stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const problem = containerProblem();

test('the image builds on a local Debian base, runs a validator as uid 10001, and keeps its chain in the volume', { skip: problem, timeout: 30 * 60_000 }, async (t) => {
  const net = mkdtempSync(join(tmpdir(), 'synod-container-net-'));
  t.after(() => {
    podman(['rm', '-f', CONTAINER]);
    podman(['volume', 'rm', '-f', VOLUME]);
    if (process.env.SYNOD_CONTAINER_TEST_KEEP_IMAGES !== '1') removeImages();
    rmSync(net, { recursive: true, force: true });
  });
  podman(['rm', '-f', CONTAINER]);
  podman(['volume', 'rm', '-f', VOLUME]);

  let started = Date.now();
  try {
    buildBaseImage();
  } catch (error) {
    if (!(error instanceof BaseImageUnavailable)) throw error;
    t.skip(error.message);
    return;
  }
  t.diagnostic(`base image ${BASE_IMAGE} (debootstrap bookworm + Node ${process.version}) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const runtime = runtimeProblem();
  if (runtime !== undefined) {
    t.skip(runtime);
    return;
  }
  started = Date.now();
  buildImage(REPO);
  t.diagnostic(`image ${IMAGE} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  // What the Dockerfile promises, as the built image's configuration.
  const [inspected] = JSON.parse(mustPodman(['image', 'inspect', IMAGE])) as { Size: number; Healthcheck?: { Test: string[] }; Config: { User: string; Volumes?: Record<string, unknown>; Entrypoint: string[]; ExposedPorts?: Record<string, unknown> } }[];
  const config = inspected!.Config;
  assert.equal(config.User, 'synod');
  assert.ok(config.Volumes !== undefined && '/data' in config.Volumes, 'the chain lives in the volume /data');
  assert.deepEqual(config.Entrypoint, ['node', '/opt/synod/bin/synod.js']);
  for (const port of ['30300/tcp', '8545/tcp', '6060/tcp']) assert.ok(config.ExposedPorts !== undefined && port in config.ExposedPorts, `exposes ${port}`);
  assert.match(inspected!.Healthcheck?.Test.join(' ') ?? '', /readyz/);
  t.diagnostic(`image size ${(inspected!.Size / 2 ** 20).toFixed(0)} MiB`);
  // Production only: no TypeScript toolchain, no sources.
  const listing = mustPodman(['run', '--rm', '--entrypoint', 'sh', IMAGE, '-c', 'ls /opt/synod; ls /opt/synod/node_modules | grep -c -x -E "tsx|typescript" || true']);
  assert.deepEqual(listing.trim().split('\n').slice(0, -1).sort(), ['bin', 'contracts', 'dist', 'node_modules', 'package.json']);
  assert.equal(listing.trim().split('\n').at(-1), '0', 'no dev dependencies in the image');

  // A one-validator network from `synod init`, mounted as the README says.
  const init = spawnSync(process.execPath, [join(REPO, 'scripts', 'synod-from-source.mjs'), 'init', '--validators', '1', '--chain-id', '424242', '--out', net, '--hosts', '127.0.0.1'], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  chownSync(join(net, 'validator-0', 'key.json'), IMAGE_UID, IMAGE_UID); // init leaves it readable by its owner only
  // The image's own addresses (0.0.0.0:8545, :6060, :30300 from its ENV) behind published ports,
  // so that its HEALTHCHECK asks the port it was written for.
  const [rpcPort, metricsPort] = [await freePort(), await freePort()];
  const run = (): void => {
    mustPodman([
      'run', '-d', '--name', CONTAINER,
      '-p', `127.0.0.1:${rpcPort}:8545`, '-p', `127.0.0.1:${metricsPort}:6060`,
      '-v', `${join(net, 'genesis.json')}:/etc/synod/genesis.json:ro`,
      '-v', `${join(net, 'validator-0', 'config.json')}:/etc/synod/validator-0/config.json:ro`,
      '-v', `${join(net, 'validator-0', 'key.json')}:/etc/synod/validator-0/key.json:ro`,
      '-v', `${VOLUME}:/data`,
      IMAGE, 'start', '--config', '/etc/synod/validator-0/config.json',
    ]);
  };
  run();
  assert.equal(await rpc<string>(await until('JSON-RPC', READY_WITHIN_MS, async () => ((await rpc<string>(rpcPort, 'eth_chainId')) ? rpcPort : undefined)), 'eth_chainId'), '0x67932');
  const before = await until('three finalized blocks', READY_WITHIN_MS, async () => {
    const n = Number(BigInt(await rpc<string>(rpcPort, 'eth_blockNumber')));
    return n >= 3 ? n : undefined;
  });
  await until('/readyz', READY_WITHIN_MS, async () => ((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200 ? true : undefined));
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/livez`)).status, 200);
  const health = podman(['healthcheck', 'run', CONTAINER]);
  assert.equal(health.status, 0, `the image's HEALTHCHECK passes: ${health.stdout}${health.stderr}`);
  assert.equal(mustPodman(['exec', CONTAINER, 'id', '-u']).trim(), String(IMAGE_UID));

  // A new container on the same volume resumes the chain (SIGTERM first: the image's STOPSIGNAL).
  mustPodman(['stop', '--time', '30', CONTAINER]);
  mustPodman(['rm', CONTAINER]);
  run();
  const after = await until('the chain resumed past its height before', READY_WITHIN_MS, async () => {
    const n = Number(BigInt(await rpc<string>(rpcPort, 'eth_blockNumber')));
    return n > before ? n : undefined;
  });
  const first = await rpc<{ hash: string } | null>(rpcPort, 'eth_getBlockByNumber', ['0x1', false]);
  assert.ok(first !== null, 'block 1 is still there');
  t.diagnostic(`height ${before} before the new container, ${after} after`);
});
