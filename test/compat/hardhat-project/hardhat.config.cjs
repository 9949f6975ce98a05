// A plain Hardhat 2 project that deploys and tests a contract on a Synod devnet used as a custom
// network: `SYNOD_RPC_URL=http://127.0.0.1:8545 npx hardhat test --network synod`.
// Hardhat would download
// solc from the internet; this project compiles with the solc-js installed in node_modules.
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const path = require('node:path');
const os = require('node:os');
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');

const SOLC_VERSION = require('solc/package.json').version;
const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
// Build output goes outside the source tree so test runs leave nothing behind.
const BUILD_DIR = process.env.SYNOD_HARDHAT_BUILD_DIR ?? path.join(os.tmpdir(), 'synod-hardhat-build');

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  const solc = require('solc');
  return { version: SOLC_VERSION, longVersion: solc.version(), compilerPath: require.resolve('solc/soljson.js'), isSolcJs: true };
});

module.exports = {
  solidity: { version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 200 } } },
  defaultNetwork: 'synod',
  networks: {
    synod: {
      url: process.env.SYNOD_RPC_URL ?? 'http://127.0.0.1:8545',
      chainId: 31337,
      // SYNOD_HARDHAT_ACCOUNTS=node leaves `accounts` out, as a devnet needs: Hardhat then asks
      // eth_accounts and the node signs (eth_sendTransaction). Otherwise Hardhat signs locally.
      ...(process.env.SYNOD_HARDHAT_ACCOUNTS === 'node' ? {} : { accounts: { mnemonic: DEV_MNEMONIC, count: 5 } }),
      timeout: 60_000,
    },
  },
  paths: {
    root: __dirname,
    sources: path.join(__dirname, 'contracts'),
    tests: path.join(__dirname, 'test'),
    cache: path.join(BUILD_DIR, 'cache'),
    artifacts: path.join(BUILD_DIR, 'artifacts'),
  },
  mocha: { timeout: 60_000 },
};
