// Hosts for the multi-host test: one Linux network namespace per validator, each with its own
// address on a bridge in the root namespace (veth pairs), created and removed by the test itself.
// Needs root and iproute2; `canCreateNamespaces` says whether this machine allows it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The test network: 10.231.<net>.0/24, the bridge at .254, host i at .(i + 1). */
export const BRIDGE_HOST_OCTET = 254;

function run(args: readonly string[], allowFailure = false): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  const ok = r.status === 0;
  if (!ok && !allowFailure) throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  return { ok, out: r.stdout };
}

/** Undefined when namespaces can be made here, else why not (the test is skipped with it). */
export function canCreateNamespaces(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  // Everything the test makes, made once and removed: a namespace, a bridge, a veth pair.
  const tag = randomBytes(3).toString('hex');
  const names = { ns: `synod-probe-${tag}`, bridge: `spb${tag}`, veth: `spv${tag}`, peer: `spp${tag}` };
  const steps: string[][] = [
    ['netns', 'add', names.ns],
    ['link', 'add', names.bridge, 'type', 'bridge'],
    ['link', 'add', names.veth, 'type', 'veth', 'peer', 'name', names.peer],
    ['link', 'set', names.peer, 'netns', names.ns],
    ['link', 'set', names.veth, 'master', names.bridge],
  ];
  let reason: string | undefined;
  for (const step of steps) {
    const r = spawnSync('ip', step, { encoding: 'utf8', timeout: 10_000 });
    if (r.error !== undefined) {
      reason = `iproute2 is missing (${r.error.message}); install it with apt-get install iproute2`;
      break;
    }
    if (r.status !== 0) {
      reason = `ip ${step.join(' ')} failed: ${r.stderr.trim()}`;
      break;
    }
  }
  spawnSync('ip', ['link', 'del', names.veth]);
  spawnSync('ip', ['link', 'del', names.bridge]);
  spawnSync('ip', ['netns', 'del', names.ns]);
  return reason;
}

export interface Host {
  readonly index: number;
  readonly namespace: string;
  readonly address: string;
  /** The root-namespace end of the host's link: down cuts the host off, up restores it. */
  readonly link: string;
}

export interface HostNetwork {
  readonly hosts: readonly Host[];
  readonly bridgeAddress: string;
  cut(host: Host): void;
  restore(host: Host): void;
  /** Arguments that run a command inside a host's namespace. */
  exec(host: Host, command: readonly string[]): string[];
  remove(): void;
}

export function createHostNetwork(count: number): HostNetwork {
  const tag = randomBytes(3).toString('hex'); // interface names stay under 15 characters
  const net = 1 + (randomBytes(1)[0]! % 250);
  const bridge = `sbr${tag}`;
  const bridgeAddress = `10.231.${net}.${BRIDGE_HOST_OCTET}`;
  const hosts: Host[] = [];
  const remove = (): void => {
    for (const host of hosts) run(['netns', 'del', host.namespace], true);
    run(['link', 'del', bridge], true);
  };
  try {
    run(['link', 'add', bridge, 'type', 'bridge']);
    run(['addr', 'add', `${bridgeAddress}/24`, 'dev', bridge]);
    run(['link', 'set', bridge, 'up']);
    for (let index = 0; index < count; index++) {
      const host: Host = { index, namespace: `synod-${tag}-${index}`, address: `10.231.${net}.${index + 1}`, link: `sv${tag}${index}` };
      const inner = `si${tag}${index}`;
      run(['netns', 'add', host.namespace]);
      hosts.push(host);
      run(['link', 'add', host.link, 'type', 'veth', 'peer', 'name', inner]);
      run(['link', 'set', inner, 'netns', host.namespace]);
      run(['link', 'set', host.link, 'master', bridge]);
      run(['link', 'set', host.link, 'up']);
      run(['-n', host.namespace, 'link', 'set', 'lo', 'up']);
      run(['-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', inner]);
      run(['-n', host.namespace, 'link', 'set', inner, 'up']);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return {
    hosts,
    bridgeAddress,
    cut: (host) => void run(['link', 'set', host.link, 'down']),
    restore: (host) => void run(['link', 'set', host.link, 'up']),
    exec: (host, command) => ['netns', 'exec', host.namespace, ...command],
    remove,
  };
}
