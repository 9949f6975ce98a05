// synod export / synod import: a running node's certified blocks go to an archive and into a new
// data dir, where every block is checked against its certificate before it executes; a forged,
// foreign, damaged or cut archive is refused with what is wrong, keeping what came before; a data
// dir in use by a validator is never written by an import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveReader, exportChain } from '../../src/node/chain-archive.js';
import { openChainStoreReader } from '../../src/storage/lmdb-store.js';
import { resolveValidatorConfig } from '../../src/node/config.js';
import { SYNOD_BIN, startTestDevnet, type TestDevnet } from '../helpers/devnet.js';
import { closeSync, openSync } from 'node:fs';

const SLOT = 17;
let devnet: TestDevnet | undefined;
let work: string;

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(devnet!.urls[0]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

function synod(...args: string[]) {
  return spawnSync(process.execPath, [SYNOD_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

const configPath = () => join(devnet!.dataDir, 'validator-0', 'config.json');
const validatorDir = () => resolveValidatorConfig(configPath()).dataDir;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'synod-archive-'));
  devnet = await startTestDevnet({ validators: 1, slot: SLOT, args: ['--empty-block-interval', '200'] });
  const [from, to] = await rpc<string[]>('eth_accounts');
  for (let i = 0; i < 3; i++) await rpc('eth_sendTransaction', [{ from, to, value: '0x1000' }]);
  // a few blocks past the transfers, so that their blocks are certified
  const start = Number(await rpc<string>('eth_blockNumber'));
  while (Number(await rpc<string>('eth_blockNumber')) < start + 5) await new Promise((r) => setTimeout(r, 100));
});

after(async () => {
  await devnet?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a running node exports; a new data dir imports every block, certificate-checked, and holds the same chain', async () => {
  const archive = join(work, 'chain.archive');
  const exported = synod('export', '--config', configPath(), '--out', archive);
  assert.equal(exported.status, 0, exported.stderr);
  const last = Number(/wrote blocks 1\.\.(\d+) of chain 31337/.exec(exported.stdout)?.[1]);
  assert.ok(last >= 5, exported.stdout);
  const target = join(work, 'imported');
  const imported = synod('import', '--config', configPath(), '--data-dir', target, '--in', archive);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`imported ${last} blocks \\(0 already held\\).*head is now block ${last}`));
  const store = await openChainStoreReader(join(target, 'chain'));
  try {
    let transactions = 0;
    for (let h = 1; h <= last; h++) {
      const ours = store.getBlockByNumber(BigInt(h))!;
      const theirs = await rpc<{ hash: string; stateRoot: string; transactions: string[] }>('eth_getBlockByNumber', [`0x${h.toString(16)}`, false]);
      assert.equal(ours.hash, theirs.hash, `block ${h}`);
      assert.equal(ours.stateRoot, theirs.stateRoot, `block ${h}`);
      assert.ok(store.getCertificate(BigInt(h)) !== undefined, `certificate ${h}`);
      transactions += theirs.transactions.length;
    }
    assert.ok(transactions >= 3, `${transactions} transactions`);
  } finally {
    await store.close();
  }
  // Again: nothing new, nothing rewritten.
  const again = synod('import', '--config', configPath(), '--data-dir', target, '--in', archive);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`imported 0 blocks \\(${last} already held\\)`));
});

test("an import into the running validator's data dir is refused: one writer per data dir", () => {
  const archive = join(work, 'chain.archive');
  const r = synod('import', '--config', configPath(), '--in', archive);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /is in use by process \d+ \(validator v?\w*/);
});

test('a forged block is refused before it executes: the blocks before it are kept, none from it on', async () => {
  const store = await openChainStoreReader(join(validatorDir(), 'chain'));
  const forgedAt = { height: 0n };
  try {
    const head = store.meta()!.headNumber;
    let withTx = 0n;
    for (let h = 1n; h <= head && withTx === 0n; h++) if (store.getBlockByNumber(h)!.transactions.length > 0 && store.getCertificate(h) !== undefined) withTx = h;
    assert.ok(withTx > 0n);
    forgedAt.height = withTx;
    const meta = store.meta()!;
    // The certified block with its first transaction dropped: a real certificate around another body.
    const source = {
      getBlockByNumber: (n: bigint) => {
        const block = store.getBlockByNumber(n);
        return block !== undefined && n === withTx ? { ...block, transactions: block.transactions.slice(1) } : block;
      },
      getCertificate: (n: bigint) => store.getCertificate(n),
      getTransaction: (hash: Parameters<typeof store.getTransaction>[0]) => store.getTransaction(hash),
      head: () => withTx + 1n,
    };
    exportChain(source, join(work, 'forged.archive'), { chainId: meta.chainId, genesisHash: meta.genesisHash, from: 1n, to: withTx });
  } finally {
    await store.close();
  }
  const target = join(work, 'forged-import');
  const r = synod('import', '--config', configPath(), '--data-dir', target, '--in', join(work, 'forged.archive'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`block ${forgedAt.height} is not the certified block .*nothing from it on was imported`));
  const imported = await openChainStoreReader(join(target, 'chain'));
  try {
    assert.equal(imported.meta()!.headNumber, forgedAt.height - 1n);
  } finally {
    await imported.close();
  }
});

test('a damaged, cut, foreign or non-archive file is refused with what is wrong', () => {
  const archive = readFileSync(join(work, 'chain.archive'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['not-an-archive', new TextEncoder().encode('{"hello":"world"}'), /is not a Synod chain archive/],
    ['cut', archive.subarray(0, archive.length - 10), /ends inside a chunk .* the file is cut short/],
    ['huge-length', (() => { const b = Buffer.from(archive); const at = 17 + 4 + b.readUInt32BE(17); b.writeUInt32BE(0xffffffff, at); return b; })(), /a chunk of 4294967295 bytes .*the file is damaged/],
  ];
  for (const [name, bytes, expected] of cases) {
    const path = join(work, `${name}.archive`);
    writeFileSync(path, bytes);
    const r = synod('import', '--config', configPath(), '--data-dir', join(work, `target-${name}`), '--in', path);
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, expected, name);
  }
  // A header naming another chain: refused before any block.
  const fd = openSync(join(work, 'chain.archive'), 'r');
  try {
    const header = new ArchiveReader(fd, 'chain.archive').header;
    assert.equal(header.chainId, 31337n);
  } finally {
    closeSync(fd);
  }
  const foreign = Buffer.from(archive);
  foreign[17 + 4 + 2] ^= 0xff; // inside the RLP of the chain id... or the genesis hash: either is another chain
  writeFileSync(join(work, 'foreign.archive'), foreign);
  const r = synod('import', '--config', configPath(), '--data-dir', join(work, 'target-foreign'), '--in', join(work, 'foreign.archive'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /holds chain \d+; this node's genesis is chain 31337|was exported from a chain with genesis|archive header is malformed/);
});

test("an import into another chain's data dir is refused, naming both chains", () => {
  // The forged-import dir holds this chain; a genesis of another chain id is another chain.
  const other = join(work, 'other-genesis.json');
  const genesis = JSON.parse(readFileSync(resolveValidatorConfig(configPath()).genesisPath, 'utf8')) as { chainId: number | string };
  writeFileSync(other, JSON.stringify({ ...genesis, chainId: 4242 }));
  const config = JSON.parse(readFileSync(configPath(), 'utf8')) as Record<string, unknown>;
  const otherConfig = join(work, 'other-config.json');
  writeFileSync(otherConfig, JSON.stringify({ ...config, genesis: other, keyFile: resolveValidatorConfig(configPath()).keyFilePath, dataDir: join(work, 'forged-import') }));
  const r = synod('import', '--config', otherConfig, '--in', join(work, 'chain.archive'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^synod import: data dir .* belongs to another chain \(chain id 31337.*this node expects chain id 4242/);
  assert.doesNotMatch(r.stderr, /\n\s+at /); // one line, no stack
});

test('bad flags name the fix', () => {
  let r = synod('export', '--config', configPath());
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out FILE is required/);
  r = synod('export', '--data-dir', validatorDir(), '--out', join(work, 'x.archive'), '--from', 'abc');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--from must be a block number/);
  r = synod('export', '--data-dir', validatorDir(), '--out', join(work, 'x.archive'), '--to', '99999999');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--to 99999999 is above the highest certified block/);
  r = synod('import', '--config', configPath());
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--in FILE is required/);
});
