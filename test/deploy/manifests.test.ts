// deploy/: no image registry or Docker daemon is reachable here, so the Dockerfile, the Compose
// file and the Kubernetes manifests are checked by structure (parsed, never pattern-matched as a
// whole) and against the node itself: `synod init` writes a network with the documented
// commands, and every validator's config is resolved as its container would see it (the mounts
// laid out in a scratch root, the SYNOD_* variables each file sets parsed by the node's code).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadValidatorConfig } from '../../src/node/config.js';
import { collectSettings, parseHostPort, parseOverrides } from '../../src/node/settings.js';
import { SYNOD_BIN } from '../helpers/devnet.js';

const ROOT = join(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const VALIDATORS = 4;
let scratch: string;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'synod-deploy-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function init(out: string, hosts: string[]): void {
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'init', '--validators', String(VALIDATORS), '--chain-id', '424242', '--out', out, '--hosts', hosts.join(','), '--rpc-host', '0.0.0.0'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** Copies host files to where a container sees them, under `root`. */
function mount(root: string, hostPath: string, containerPath: string): void {
  assert.ok(existsSync(hostPath), `${hostPath} (mounted at ${containerPath}) exists`);
  mkdirSync(dirname(join(root, containerPath)), { recursive: true });
  cpSync(hostPath, join(root, containerPath));
}

/** The config a container resolves: its file under `root`, its SYNOD_* variables; the data dir stays the container's. */
function resolveInContainer(root: string, configPath: string, env: Record<string, string>) {
  const overrides = parseOverrides(collectSettings({}, env));
  return loadValidatorConfig(join(root, configPath), overrides);
}

interface Instruction { readonly op: string; readonly args: string }

function dockerfile(): { stages: Instruction[][]; env: Record<string, string> } {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const instructions = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
  const stages: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(i);
  }
  const env: Record<string, string> = {};
  for (const i of stages.at(-1)!.filter((i) => i.op === 'ENV')) for (const [, k, v] of i.args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  return { stages, env };
}

test('Dockerfile: a build stage and a small run stage, non-root, a data volume, a health check on /readyz', () => {
  const { stages, env } = dockerfile();
  assert.ok(stages.length >= 2, 'multi-stage');
  const [build, run] = [stages[0]!, stages.at(-1)!];
  assert.ok(build.some((i) => i.op === 'RUN' && /npm run build/.test(i.args) && /npm prune --omit=dev/.test(i.args)));
  for (const i of build.filter((i) => i.op === 'COPY')) {
    for (const source of i.args.split(/\s+/).slice(0, -1)) assert.ok(existsSync(join(ROOT, source)), `COPY ${source} exists in the repository`);
  }
  // The run stage takes compiled code and production modules from the build stage, no sources.
  const copies = run.filter((i) => i.op === 'COPY').map((i) => i.args);
  assert.ok(copies.every((c) => c.startsWith('--from=build')), copies.join('; '));
  assert.ok(copies.some((c) => /\/src\/dist /.test(c)) && !copies.some((c) => /\/src\/src /.test(c)));
  const user = run.find((i) => i.op === 'USER')?.args;
  assert.ok(user !== undefined && user !== 'root' && user !== '0', 'runs as a non-root user');
  assert.match(run.find((i) => i.op === 'RUN' && /useradd/.test(i.args))!.args, new RegExp(`--uid 10001 .*${user}`));
  assert.equal(run.find((i) => i.op === 'VOLUME')?.args, '["/data"]');
  assert.equal(env.SYNOD_DATA_DIR, '/data');
  const metricsPort = parseHostPort(env.SYNOD_METRICS_ADDR, 'SYNOD_METRICS_ADDR').port;
  assert.match(run.find((i) => i.op === 'HEALTHCHECK')!.args, new RegExp(`http://127\\.0\\.0\\.1:${metricsPort}/readyz`));
  const exposed = run.find((i) => i.op === 'EXPOSE')!.args.split(/\s+/).map(Number);
  for (const name of ['SYNOD_LISTEN', 'SYNOD_RPC_ADDR', 'SYNOD_METRICS_ADDR']) assert.ok(exposed.includes(parseHostPort(env[name], name).port), `${name} is exposed`);
  assert.match(run.find((i) => i.op === 'ENTRYPOINT')!.args, /bin\/synod\.js/);
  // The variables are settings the node knows, with values it accepts.
  assert.doesNotThrow(() => parseOverrides(collectSettings({}, env)));
  // The native modules rebuilt are dependencies of the package.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const rebuilt = build.find((i) => /npm rebuild/.test(i.args))!.args.replace(/.*npm rebuild/, '').trim().split(/\s+/);
  for (const name of rebuilt) {
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry !== undefined && entry.dev === undefined, `${name} is a production dependency`);
  }
});

test('compose: 4 validators from synod init output, each config resolving inside its container', () => {
  const compose = parse(readFileSync(join(DEPLOY, 'compose/compose.yaml'), 'utf8'), { merge: true }) as Record<string, any>;
  const services = Object.entries(compose.services as Record<string, any>);
  assert.equal(services.length, VALIDATORS);
  const net = join(scratch, 'compose-net');
  init(net, services.map(([name]) => name));
  const composeDir = join(DEPLOY, 'compose');
  services.forEach(([name, service], i) => {
    const root = join(scratch, `compose-${name}`);
    for (const volume of service.volumes as string[]) {
      const [source, target] = volume.split(':') as [string, string];
      if (source.startsWith('./')) mount(root, join(net, source.replace(/^\.\/net\//, '')), target);
      else assert.ok(compose.volumes && source in compose.volumes, `named volume ${source} is declared`);
    }
    for (const secret of service.secrets as { source: string; target: string }[]) {
      const file = compose.secrets[secret.source].file as string;
      mount(root, join(net, file.replace(/^\.\/net\//, '')), secret.target);
    }
    assert.ok(existsSync(join(composeDir, '../Dockerfile')) && service.build.dockerfile === 'deploy/Dockerfile');
    const env = service.environment as Record<string, string>;
    const config = resolveInContainer(root, env.SYNOD_CONFIG!, env);
    assert.equal(config.id, `validator-${i}`);
    assert.equal(config.dataDir, '/data');
    assert.ok(service.volumes.includes(`data-${i}:/data`));
    for (const peer of config.peers) assert.ok(compose.services[peer.host], `peer host ${peer.host} is a service`);
    assert.ok(config.peers.every((p) => p.port === config.listen.port));
    assert.match(service.healthcheck.test.join(' '), new RegExp(`127\\.0\\.0\\.1:${config.metricsAddr!.port}/readyz`));
    assert.ok((service.ports as string[]).some((p) => p.endsWith(`:${config.rpc.port}`)));
  });
});

test('kubernetes: StatefulSet with volumes, a headless Service for peers, probes, scrape annotations, keys from a Secret', () => {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'k8s/synod.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  for (const d of docs) assert.ok(typeof d.apiVersion === 'string' && typeof d.kind === 'string' && typeof d.metadata?.name === 'string', 'every object names apiVersion, kind, metadata.name');
  const set = docs.find((d) => d.kind === 'StatefulSet')!;
  const headless = docs.find((d) => d.kind === 'Service' && d.metadata.name === set.spec.serviceName)!;
  assert.equal(headless.spec.clusterIP, 'None');
  assert.equal(headless.spec.publishNotReadyAddresses, true);
  assert.equal(set.spec.podManagementPolicy, 'Parallel');
  const podLabels = set.spec.template.metadata.labels as Record<string, string>;
  for (const [k, v] of Object.entries(set.spec.selector.matchLabels as Record<string, string>)) assert.equal(podLabels[k], v);
  for (const service of docs.filter((d) => d.kind === 'Service')) for (const [k, v] of Object.entries(service.spec.selector as Record<string, string>)) assert.equal(podLabels[k], v);
  const pod = set.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries((container.env as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  const port = (name: string) => (container.ports as { name: string; containerPort: number }[]).find((p) => p.name === name)!.containerPort;
  assert.equal(port('p2p'), parseHostPort(env.SYNOD_LISTEN, 'SYNOD_LISTEN').port);
  assert.equal(port('rpc'), parseHostPort(env.SYNOD_RPC_ADDR, 'SYNOD_RPC_ADDR').port);
  assert.equal(port('metrics'), parseHostPort(env.SYNOD_METRICS_ADDR, 'SYNOD_METRICS_ADDR').port);
  assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
  assert.deepEqual(container.livenessProbe.httpGet, { path: '/livez', port: 'metrics' });
  const annotations = set.spec.template.metadata.annotations as Record<string, string>;
  assert.equal(annotations['prometheus.io/scrape'], 'true');
  assert.equal(Number(annotations['prometheus.io/port']), port('metrics'));
  assert.equal(annotations['prometheus.io/path'], '/metrics');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 10001); // the Dockerfile's synod user
  // The data volume is a claim per pod, mounted where SYNOD_DATA_DIR points.
  const claim = set.spec.volumeClaimTemplates[0];
  const mounts = container.volumeMounts as { name: string; mountPath: string }[];
  assert.equal(mounts.find((m) => m.name === claim.metadata.name)?.mountPath, env.SYNOD_DATA_DIR);
  // Configs from the ConfigMap and keys from the Secret, laid out as synod init writes them.
  const configMount = mounts.find((m) => m.name === 'config')!;
  const sources = pod.volumes.find((v: { name: string }) => v.name === 'config').projected.sources as Record<string, any>[];
  const secret = sources.find((s) => s.secret)!.secret;
  const configMap = sources.find((s) => s.configMap)!.configMap;
  assert.equal(secret.items.length, set.spec.replicas);
  const net = join(scratch, 'k8s-net');
  init(net, Array.from({ length: set.spec.replicas }, (_, i) => `${set.metadata.name}-${i}.${headless.metadata.name}`));
  const fileFor = (key: string) => (/^genesis\.json$/.test(key) ? join(net, 'genesis.json') : join(net, `validator-${/(\d+)/.exec(key)![1]}`, key.startsWith('key') ? 'key.json' : 'config.json'));
  for (let i = 0; i < set.spec.replicas; i++) {
    const root = join(scratch, `k8s-${i}`);
    for (const item of [...configMap.items, ...secret.items] as { key: string; path: string }[]) mount(root, fileFor(item.key), join(configMount.mountPath, item.path));
    // The container's command picks the config by the pod's ordinal.
    const podName = `${set.metadata.name}-${i}`;
    const configPath = /--config "([^"]+)"/.exec(container.command.join(' '))![1]!.replace('${POD_NAME##*-}', String(Number(podName.split('-').at(-1))));
    const config = resolveInContainer(root, configPath, env);
    assert.equal(config.id, `validator-${i}`);
    for (const peer of config.peers) assert.match(peer.host, new RegExp(`^${set.metadata.name}-\\d+\\.${headless.metadata.name}$`));
  }
});
