// The dependency direction of docs/design.md ("Layers and their one rule each"), checked over the real
// import graph of src/. Imports are read by TypeScript's own pre-processor, so static imports,
// `export … from`, side-effect imports, type-only imports and dynamic `import('…')` all count.
// Package imports (anything not starting with '.') are libraries and always allowed; imports
// inside one folder are always allowed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const EDGES = ['mempool', 'storage', 'net', 'rpc', 'query'] as const;

/** folder -> the folders it may import (besides itself and libraries). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  crypto: [],
  stake: ['crypto'],
  consensus: ['crypto', 'stake', 'chain'], // chain/: the chain-wide transaction facts (chain/transactions.ts)
  chain: ['crypto', 'stake'],
  execution: ['chain', 'crypto'],
  defi: ['chain', 'crypto', 'execution'],
  ...Object.fromEntries(EDGES.map((edge) => [edge, ['crypto', 'stake', 'chain', 'execution', ...EDGES]])),
  node: ['crypto', 'stake', 'consensus', 'chain', 'execution', 'defi', ...EDGES], // everything but cli/ and sim/
  sim: ['consensus', 'chain', 'stake', 'crypto', 'node', 'execution', 'storage', 'mempool'],
  cli: ['node', 'sim', 'stake', 'crypto'],
};

interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsFiles(path, out);
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

const folderOf = (srcRoot: string, path: string): string => relative(srcRoot, path).split(sep)[0]!;

function checkDependencies(srcRoot: string, rules = MAY_IMPORT): Violation[] {
  const violations: Violation[] = [];
  for (const file of tsFiles(srcRoot)) {
    const from = folderOf(srcRoot, file);
    const shown = relative(resolve(srcRoot, '..'), file);
    if (!file.slice(srcRoot.length + 1).includes(sep) || !(from in rules)) {
      violations.push({ file: shown, specifier: '', reason: `folder '${from}' is not in docs/design.md's layer table; add it there and here` });
      continue;
    }
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue; // a library
      const target = resolve(dirname(file), specifier);
      const to = relative(srcRoot, target).startsWith('..') ? '<outside src>' : folderOf(srcRoot, target);
      if (to !== from && !rules[from]!.includes(to)) {
        violations.push({ file: shown, specifier, reason: `${from}/ may import only ${rules[from]!.map((f) => f + '/').join(', ') || 'libraries'}; not ${to}/` });
      }
    }
  }
  return violations;
}

const format = (violations: readonly Violation[]) => violations.map((v) => `  ${v.file}: import '${v.specifier}': ${v.reason}`).join('\n');

test('src/ follows the dependency direction of docs/design.md', () => {
  const violations = checkDependencies(resolve('src'));
  assert.equal(violations.length, 0, `dependency-direction violations:\n${format(violations)}`);
});

test('the checker catches every import form (synthetic tree)', () => {
  const root = mkdtempSync(join(tmpdir(), 'synod-deps-'));
  try {
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
      writeFileSync(join(root, 'src', path), text);
    };
    write('crypto/hash.ts', "import { createHash } from 'node:crypto';\nexport const h = createHash;\n");
    write('stake/ok.ts', "import { h } from '../crypto/hash.js';\nimport { x } from './local.js';\nexport const y = [h, x];\n");
    write('stake/local.ts', 'export const x = 1;\n');
    write('stake/static.ts', "import {\n  start,\n} from '../node/main.js';\nexport const s = start;\n");
    write('stake/reexport.ts', "export { start } from '../node/main.js';\n");
    write('stake/typeonly.ts', "import type { Thing } from '../consensus/core.js';\nexport type T = Thing;\n");
    write('stake/dynamic.ts', "export const load = () => import('../cli/main.js');\n");
    write('stake/sideeffect.ts', "import '../sim/run.js';\n");
    write('consensus/deep.ts', "import { a } from '../../test/helpers.js';\nexport const b = a;\n");
    write('cli/fine.ts', "import { y } from '../stake/ok.js';\nimport { s } from '../sim/run.js';\nexport const z = [y, s];\n");
    write('sim/run.ts', "import { q } from '../net/socket.js';\nexport const s = q;\n");
    write('mystery/x.ts', 'export const m = 1;\n');
    write('loose.ts', 'export const l = 1;\n');
    const found = checkDependencies(join(root, 'src')).map((v) => `${v.file.split(sep).join('/')} ${v.specifier}`);
    assert.deepEqual(found.sort(), [
      'src/consensus/deep.ts ../../test/helpers.js',
      'src/loose.ts ',
      'src/mystery/x.ts ',
      'src/sim/run.ts ../net/socket.js',
      'src/stake/dynamic.ts ../cli/main.js',
      'src/stake/reexport.ts ../node/main.js',
      'src/stake/sideeffect.ts ../sim/run.js',
      'src/stake/static.ts ../node/main.js',
      'src/stake/typeonly.ts ../consensus/core.js',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the table is the one docs/design.md states', () => {
  assert.deepEqual(MAY_IMPORT.stake, ['crypto']);
  assert.deepEqual([...MAY_IMPORT.consensus!].sort(), ['chain', 'crypto', 'stake']);
  for (const folder of Object.keys(MAY_IMPORT)) {
    if (folder !== 'cli') assert.ok(!MAY_IMPORT[folder]!.includes('cli'), `${folder} must not import cli/`);
    // The simulator runs the node's own code over twins; nothing else below the CLI may.
    if (folder !== 'node' && folder !== 'cli' && folder !== 'sim') assert.ok(!MAY_IMPORT[folder]!.includes('node'), `${folder} must not import node/`);
  }
});
