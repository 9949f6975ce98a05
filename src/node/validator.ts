// One validator process: loads its config, key and genesis, opens the chain store (lmdb), the
// execution engine (EVM) and the pending-transaction store, listens for peers, builds the
// validator's logic (node.ts) over them with the system clock, and serves JSON-RPC.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractDirectory, Hex } from '../chain/types.js';
import { chainBinding } from '../consensus/messages.js';
import { ed25519Signer, ed25519Verifier } from '../consensus/signing.js';
import { fromHex, toHex } from '../crypto/bytes.js';
import { createExecutionEngine, type ExecutionEngine } from '../execution/engine.js';
import { createTransport, type Transport } from '../net/transport.js';
import { registerTransportMetrics } from '../net/metrics.js';
import { genesisCommittees } from './committees.js';
import { listValidators } from './staking.js';
import { findProposal, listProposals } from './validator-governance.js';
import { DEFAULT_RPC_GAS_CAP } from '../execution/limits.js';
import type { CallResult } from '../execution/queries.js';
import { QueryPool } from '../query/pool.js';
import { startRpcServer, type RpcServer } from '../rpc/server.js';
import { openChainStore } from '../storage/lmdb-store.js';
import { lockDataDir, type DataDirLock } from '../storage/data-dir-lock.js';
import { StorageError } from '../storage/errors.js';
import { openPendingTransactionStore, type PendingTransactionStore } from '../storage/pending-store.js';
import { openVoteJournal, type VoteJournal } from '../storage/vote-journal.js';
import type { Durability } from '../storage/durability.js';
import type { ChainStore } from '../chain/store.js';
import { systemClock } from './clock.js';
import type { ValidatorConfig } from './config.js';
import { ConfigError } from './errors.js';
import { devAccounts, loadGenesis, type ParsedGenesis } from './genesis.js';
import { PREDEPLOYED_CONTRACTS } from './predeploys.js';
import { createLogControl, nextCycleLevel, type LogControl } from './logger.js';
import { LOG_LEVELS, type LogLevel } from './settings.js';
import { countedLink, createMetrics, registerNodeGauges } from './metrics.js';
import { ValidatorNode } from './node.js';
import { createRpcBackend } from './rpc-backend.js';
import { serverLimit } from './rpc-settings.js';

export { proposalGasShare, EMPTY_BLOCK_INTERVAL_MS } from './proposals.js';

export interface RunningValidator {
  readonly rpc: RpcServer;
  readonly committeeIndex: number | null;
  stop(): Promise<void>;
}

function checkPeers(config: ValidatorConfig, genesis: ParsedGenesis): void {
  const known = new Set(genesis.validators.map((v) => v.publicKey.slice(2)));
  if (!known.has(toHex(config.keyPair.publicKey))) {
    // Peers accept only the genesis's validators, so a node with another key could never join.
    throw new ConfigError(
      `config: the key in "keyFile" (public key 0x${toHex(config.keyPair.publicKey)}) is not a validator in the genesis file: point "keyFile" at this validator's own keystore, the one whose public key the validators file lists`,
    );
  }
  for (const peer of config.peers) {
    if (!known.has(toHex(peer.publicKey))) {
      throw new ConfigError(`config: peer "${peer.id}" (0x${toHex(peer.publicKey)}) is not a validator in the genesis file; remove it or fix its publicKey`);
    }
  }
}

async function openStore(dataDir: string, durability: Durability): Promise<ChainStore> {
  try {
    return await openChainStore(join(dataDir, 'chain'), { durability });
  } catch (error) {
    throw new ConfigError(`data dir ${dataDir}: ${(error as Error).message}`);
  }
}

export async function startValidator(config: ValidatorConfig): Promise<RunningValidator> {
  const logControl = createLogControl(config.id, config.logLevel, { format: config.logFormat });
  const logger = logControl.logger;
  const genesis = loadGenesis(config.genesisPath);
  checkPeers(config, genesis);
  let lock: DataDirLock;
  try {
    mkdirSync(config.dataDir, { recursive: true });
    lock = lockDataDir(config.dataDir, `validator ${config.id}`);
  } catch (error) {
    if (error instanceof StorageError) throw new ConfigError(error.message);
    throw new ConfigError(`data dir ${config.dataDir}: ${(error as Error).message}; use another data dir ("dataDir" in the config, or --data-dir)`);
  }
  let store: ChainStore;
  try {
    store = await openStore(config.dataDir, config.durability);
  } catch (error) {
    lock.release();
    throw error;
  }
  const closers: (() => Promise<unknown>)[] = [async () => lock.release(), () => store.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  let engine: ExecutionEngine;
  let journal: VoteJournal;
  let pendingStore: PendingTransactionStore;
  let transport: Transport;
  let queries: QueryPool;
  try {
    try {
      engine = await createExecutionEngine({
        store,
        chainId: genesis.chainId,
        genesis: { alloc: genesis.alloc, timestamp: genesis.timestamp, gasLimit: genesis.gasLimit, baseFeePerGas: genesis.baseFeePerGas },
        onListenerError: (error) => logger.error({ err: error }, 'block listener failed'),
      });
      pendingStore = openPendingTransactionStore(join(config.dataDir, 'pending'), { durability: config.durability });
      closers.push(() => pendingStore.close());
      // Entries an older data dir kept in the chain store move to the journal file once.
      journal = openVoteJournal(join(config.dataDir, 'journal'), () => store.readJournal(), { durability: config.durability });
      closers.push(async () => journal.close());
      // EVM work for clients runs in worker threads over the committed chain, never on this thread.
      queries = new QueryPool({ dataDir: store.path, chainId: genesis.chainId, timeoutMs: config.rpcSettings.evmTimeoutMs, logger: logger.child({ part: 'query' }) });
      closers.push(() => queries.close());
    } catch (error) {
      throw new ConfigError(`data dir ${config.dataDir}: ${(error as Error).message}`);
    }
    try {
      transport = await createTransport({
        self: { keyPair: config.keyPair },
        listen: config.listen,
        peers: config.peers,
        chainId: genesis.chainId,
        logger: logger.child({ part: 'net' }),
      });
      closers.push(() => transport.close());
    } catch (error) {
      throw new ConfigError(`cannot listen for validators on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}; change "listen" in the config`);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const metrics = createMetrics(config.id);
  registerTransportMetrics(transport, metrics.registry);
  const genesisHash = engine.getBlockByNumber(0n)!.hash;
  const committees = genesisCommittees(genesis, engine);
  const node = new ValidatorNode({
    clock: systemClock,
    link: countedLink(transport, metrics),
    journal,
    engine,
    pendingStore,
    committees,
    chainId: genesis.chainId,
    chainBinding: chainBinding(genesis.chainId, fromHex(genesisHash)),
    gasLimit: genesis.gasLimit,
    baseFeePerGas: genesis.baseFeePerGas,
    emptyBlockIntervalMs: genesis.emptyBlockIntervalMs,
    signer: ed25519Signer(config.keyPair),
    verifier: ed25519Verifier,
    logger,
    metrics,
    onFatal: (reason) => {
      // The node stopped voting already; end the process so that an operator or supervisor sees it.
      logger.fatal({ reason }, 'validator stopping after a fatal condition');
      logger.flush?.();
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    },
  });
  registerNodeGauges(metrics, { mempoolTransactions: () => node.mempool.size(), syncLagBlocks: () => node.syncLagBlocks() });
  let rpc: RpcServer | undefined;
  const stopCyclingLevels = cycleLevelsOnSignal(logControl);
  const stop = async (): Promise<void> => {
    stopCyclingLevels();
    logger.info('validator stopping');
    await node.stop();
    await rpc?.close().catch(() => undefined);
    await closeAll();
    logger.info('validator stopped');
    logger.flush?.();
  };
  try {
    await node.start();
    // Predeployed contracts this chain's genesis actually holds (synod_contracts).
    // Weight of the current committee this node reaches: its own (when a member) and its peers'.
    const connectedWeight = (): bigint => {
      const weightByKey = new Map(node.committee.members.map((m) => [toHex(m.publicKey), m.weight]));
      return transport.connectedPeers().reduce((sum, id) => sum + (weightByKey.get(id) ?? 0n), weightByKey.get(toHex(config.keyPair.publicKey)) ?? 0n);
    };
    const settings = config.rpcSettings;
    // System contracts are read through the query workers, never on this thread: a client asking often must not slow consensus.
    const systemReader = { call: async (params: { to: Hex; data: Hex }, height?: bigint) => (await queries.run({ kind: 'call', at: engine.queryBlock(height), params, gasCap: DEFAULT_RPC_GAS_CAP })) as CallResult };
    const contracts: ContractDirectory = { ...Object.fromEntries(Object.entries(PREDEPLOYED_CONTRACTS).filter(([, address]) => genesis.alloc[address]?.code !== undefined)), ...genesis.contracts };
    try {
      rpc = await startRpcServer({
        backend: createRpcBackend({
          engine,
          queries,
          mempool: node.mempool,
          committees,
          weightForm: genesis.file.staking.form ?? 'product',
          validators: () => listValidators({ alloc: genesis.alloc, validators: genesis.validators, form: genesis.file.staking.form ?? 'product' }, systemReader),
          validatorProposals: (options) => listProposals(genesis, systemReader, options),
          validatorProposal: (id) => findProposal(genesis, systemReader, id),
          baseFeePerGas: genesis.baseFeePerGas,
          metrics: metrics.registry,
          submit: (raw) => node.submit(raw),
          proposeAtOnce: () => node.proposeAtOnce(),
          consensusStatus: () => node.consensusStatus(),
          inclusion: () => node.inclusion,
          peers: () => transport.connectedPeers().length,
          connectedWeight,
          sync: () => node.syncStatus(),
          contracts: () => contracts,
        }, { gasCap: settings.gasCap, logLevel: logLevelControl(logControl) }),
        host: config.rpc.host,
        port: config.rpc.port,
        api: settings.api,
        cors: settings.cors,
        vhosts: settings.vhosts,
        wsOrigins: settings.wsOrigins,
        ...(config.metricsAddr === undefined ? {} : { metricsAddr: config.metricsAddr }),
        limits: { maxBatchLength: serverLimit(settings.batchLimit), maxBatchResponseBytes: serverLimit(settings.batchResponseMaxBytes), rateLimit: settings.rateLimit },
        logger: logger.child({ part: 'rpc' }),
        ...(config.unlockDevAccounts === true ? { unlockedKeys: devAccounts().map((a) => a.privateKey) } : {}),
      });
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (config.unlockDevAccounts === true) logger.warn({ accounts: devAccounts().length }, 'development accounts unlocked: this endpoint signs for their publicly known keys, for a devnet only');
  logger.info({ rpc: rpc.url, p2p: transport.address(), api: config.rpcSettings.api, durability: config.durability, ...(rpc.metricsUrl === undefined ? {} : { metrics: rpc.metricsUrl }) }, 'validator started');
  return { rpc, committeeIndex: node.committeeIndex, stop };
}

/** The log level as the admin namespace reads and sets it; each change is logged at warn so that it shows at any level but silent. */
function logLevelControl(control: LogControl) {
  return {
    levels: LOG_LEVELS,
    get: () => control.level(),
    set: (level: string) => {
      const previous = control.setLevel(level as LogLevel);
      control.logger.warn({ level, previous }, 'log level changed');
      return previous;
    },
  };
}

/** SIGUSR2 steps the log level through SIGUSR2_LEVEL_CYCLE (info, debug, trace, warn, info, …); returns the remover. */
function cycleLevelsOnSignal(control: LogControl): () => void {
  const onSignal = () => {
    const level = nextCycleLevel(control.level());
    const previous = control.setLevel(level);
    control.logger.warn({ level, previous, signal: 'SIGUSR2' }, 'log level changed');
  };
  process.on('SIGUSR2', onSignal);
  return () => process.off('SIGUSR2', onSignal);
}
