// Hardhat 2 against a LIVE 4-validator devnet: the project in hardhat-project/ compiles its
// contract (with the installed solc-js), then `hardhat test --network synod` deploys and tests
// it through Hardhat's own provider stack, including debug_traceTransaction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDevnet, type TestDevnet } from '../helpers/devnet.js';

const DEVNET_SLOT = 3;
const PROJECT_DIR = join(import.meta.dirname, 'hardhat-project');
const HARDHAT_CLI = join(import.meta.dirname, '../../node_modules/hardhat/internal/cli/bootstrap.js');
const HARDHAT_TIMEOUT_MS = 120_000;
const HARDHAT_TESTS = 6;

let devnet: TestDevnet;
let buildDir: string;

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `hardhat <args>` in the project, offline and without prompts; kills it past the timeout. */
function hardhat(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ...env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), HARDHAT_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

before(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'synod-hardhat-'));
  devnet = await startTestDevnet({ validators: 4, slot: DEVNET_SLOT });
});

after(async () => {
  await devnet?.stop();
  if (buildDir !== undefined) rmSync(buildDir, { recursive: true, force: true });
});

describe('a Hardhat 2 project against a live devnet', { timeout: 240_000 }, () => {
  test('`hardhat test --network synod` compiles offline, deploys and passes every test', async () => {
    const run = await hardhat(['test', '--network', 'synod'], { SYNOD_RPC_URL: devnet.urls[0]!, SYNOD_HARDHAT_BUILD_DIR: buildDir });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Compiled 1 Solidity file/);
    assert.match(run.output, new RegExp(`${HARDHAT_TESTS} passing`), run.output);
    assert.doesNotMatch(run.output, /failing/);
  });

  test('the same project with no `accounts` in its config: the devnet signs (eth_accounts, eth_sendTransaction)', async () => {
    const run = await hardhat(['test', '--network', 'synod', '--no-compile'], { SYNOD_RPC_URL: devnet.urls[0]!, SYNOD_HARDHAT_BUILD_DIR: buildDir, SYNOD_HARDHAT_ACCOUNTS: 'node' });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, new RegExp(`${HARDHAT_TESTS} passing`), run.output);
  });

  test('the same project fails loudly when the network is unreachable', async () => {
    // Proves the run above really talked to the devnet (and that a failure would be seen).
    const run = await hardhat(['test', '--network', 'synod', '--no-compile'], { SYNOD_RPC_URL: 'http://127.0.0.1:1', SYNOD_HARDHAT_BUILD_DIR: buildDir });
    assert.notEqual(run.code, 0, run.output);
  });
});
