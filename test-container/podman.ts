// The container image's build and run, on this machine, with podman from Debian's packages. No
// image registry is reachable here, so the base image (what `ARG NODE_IMAGE` names; upstream
// node:20-bookworm-slim) is made locally: a Debian bookworm rootfs from debootstrap, with this
// machine's Node.js 20 and npm (and Node's headers and the CA bundle npm uses) copied in, imported
// as an image. Needs root, podman, runc and debootstrap; `containerProblem` says why not otherwise.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const BASE_IMAGE = 'localhost/synod-node:20';
export const IMAGE = 'localhost/synod:container-test';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const COMMAND_TIMEOUT_MS = 15 * 60_000;
const CONTAINER_NOFILE = 65_536;
const CONTAINER_NPROC = 32_768;

/** podman's settings for this sandbox: runc (crun refuses hybrid cgroups), limits within the caller's own. */
function containersConf(): string {
  const dir = mkdtempSync(join(tmpdir(), 'synod-containers-'));
  // Within the caller's soft limits, and no higher than a validator needs: the runtime may not
  // raise a limit (seen here: nproc at the caller's own 96,362 refused, 32,768 accepted).
  const limit = (flag: string, most: number): number => {
    const soft = Number(spawnSync('bash', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim());
    return Number.isSafeInteger(soft) && soft > 0 ? Math.min(soft, most) : most;
  };
  const nofile = limit('-Sn', CONTAINER_NOFILE);
  const nproc = limit('-Su', CONTAINER_NPROC);
  const path = join(dir, 'containers.conf');
  writeFileSync(
    path,
    [
      '[containers]',
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
      '[engine]',
      `runtime = "${existsSync('/usr/sbin/runc') ? 'runc' : 'crun'}"`,
      'cgroup_manager = "cgroupfs"',
      '',
    ].join('\n'),
  );
  return path;
}

let conf: string | undefined;

export function podman(args: readonly string[]): SpawnSyncReturns<string> {
  conf ??= containersConf();
  return spawnSync('podman', args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 << 20, env: { ...process.env, CONTAINERS_CONF: conf } });
}

export function mustPodman(args: readonly string[]): string {
  const r = podman(args);
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim().slice(-2_000)}`);
  return r.stdout;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Undefined when this machine can build and run the image, else why not (the test is skipped with it). */
export function containerProblem(): string | undefined {
  if (process.platform !== 'linux') return 'the container test needs Linux';
  if (process.getuid?.() !== 0) return 'the container test needs root (rootful podman, debootstrap)';
  for (const command of ['podman', 'debootstrap', 'tar']) {
    if (!has(command)) return `${command} is missing; install it with apt-get install podman runc debootstrap`;
  }
  if (!existsSync('/usr/include/node/node.h')) return "Node's headers (/usr/include/node) are missing: the image's native modules build against them";
  return undefined;
}

/** Undefined when a container of BASE_IMAGE runs here, else what the runtime said. */
export function runtimeProblem(): string | undefined {
  const probe = podman(['run', '--rm', '--network', 'none', BASE_IMAGE, 'node', '--version']);
  if (probe.status !== 0) return `podman cannot run a container here: ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}`;
  return undefined;
}

/** The machine cannot make the base image (Debian's mirror out of reach): the test is skipped with it. */
export class BaseImageUnavailable extends Error {}

/** Makes BASE_IMAGE: Debian bookworm (minbase) with this machine's Node.js and npm. */
export function buildBaseImage(): void {
  const rootfs = mkdtempSync(join(tmpdir(), 'synod-rootfs-'));
  try {
    const boot = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
    if (boot.status !== 0) throw new BaseImageUnavailable(`debootstrap could not make a Debian rootfs (is ${DEBIAN_MIRROR} reachable?): ${(boot.stderr || boot.stdout).trim().split('\n').at(-1)}`);
    const node = process.execPath;
    const npmDir = join(dirname(dirname(node)), 'lib', 'node_modules', 'npm');
    if (!existsSync(join(npmDir, 'bin', 'npm-cli.js'))) throw new Error(`npm not found beside ${node} (looked in ${npmDir})`);
    const into = (path: string): string => join(rootfs, path);
    cpSync(node, into('usr/local/bin/node'));
    mkdirSync(into('usr/local/lib/node_modules'), { recursive: true });
    cpSync(npmDir, into('usr/local/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', into('usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', into('usr/local/bin/npx'));
    cpSync('/usr/include/node', into('usr/include/node'), { recursive: true });
    // npm reaches the registry through this machine's CA bundle; native modules build against Node's headers.
    mkdirSync(into('etc/ssl/certs'), { recursive: true });
    cpSync('/etc/ssl/certs/ca-certificates.crt', into('etc/ssl/certs/ca-certificates.crt'));
    mkdirSync(into('usr/local/etc'), { recursive: true });
    writeFileSync(into('usr/local/etc/npmrc'), 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr\nfund=false\naudit=false\nupdate-notifier=false\n');
    const archive = `${rootfs}.tar`;
    try {
      const tar = spawnSync('tar', ['-c', '-f', archive, '-C', rootfs, '.'], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
      if (tar.status !== 0) throw new Error(`tar of the rootfs failed: ${tar.stderr.trim()}`);
      mustPodman(['import', '--change', 'CMD ["node"]', archive, BASE_IMAGE]);
    } finally {
      rmSync(archive, { force: true });
    }
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** Builds deploy/Dockerfile on BASE_IMAGE, from the repository root; returns podman's output. */
export function buildImage(repoRoot: string): string {
  return mustPodman(['build', '--format', 'docker', '--network', 'host', '--build-arg', `NODE_IMAGE=${BASE_IMAGE}`, '-f', join(repoRoot, 'deploy', 'Dockerfile'), '-t', IMAGE, repoRoot]);
}

export function removeImages(): void {
  for (const image of [IMAGE, BASE_IMAGE]) podman(['rmi', '-f', image]);
  podman(['image', 'prune', '-f']);
}
