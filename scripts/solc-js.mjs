#!/usr/bin/env node
// A `solc` command line over the solc-js the project pins (npm package `solc`), for tools that run
// the native compiler: Foundry's forge (`solc = "<path to this file>"` with `offline = true` in
// foundry.toml), where forge would otherwise download a native solc. It answers the two forms
// those tools use:
//   solc --version                    "Version: 0.8.37+commit…", the line forge parses
//   solc --standard-json [flags…]      standard JSON in on stdin, out on stdout
// Path flags (--base-path, --include-path, --allow-paths) name where imports may be read from;
// forge already inlines every source, so an import is read only when it was not.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import solc from 'solc';

const PATH_FLAGS = new Set(['--base-path', '--include-path', '--allow-paths']);

function usage(message) {
  process.stderr.write(`${message}\nusage: solc-js.mjs --version | --standard-json [--base-path DIR] [--include-path DIR] [--allow-paths DIRS]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const roots = [process.cwd()];
  let mode;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version' || arg === '--standard-json') mode = arg;
    else if (PATH_FLAGS.has(arg)) {
      const value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
      for (const dir of value.split(',')) if (dir !== '') roots.push(resolve(dir));
    } else usage(`unsupported argument ${JSON.stringify(arg)}: this wrapper compiles standard JSON only`);
  }
  if (mode === undefined) usage('nothing to do');
  return { mode, roots };
}

function readImport(roots, path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((root) => join(root, path));
  for (const file of candidates) {
    try {
      return { contents: readFileSync(file, 'utf8') };
    } catch {
      // try the next root
    }
  }
  return { error: `file ${path} not found under ${roots.join(', ')}` };
}

const { mode, roots } = parseArgs(process.argv.slice(2));
if (mode === '--version') {
  process.stdout.write(`solc, the solidity compiler commandline interface (solc-js)\nVersion: ${solc.version()}\n`);
} else {
  const input = readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: (path) => readImport(roots, path) }));
}
