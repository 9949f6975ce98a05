// `synod export` / `synod import` on a data dir: opens its store (a read-only snapshot to export,
// the writer lock and the engine over the genesis file to import) around chain-archive.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519Verifier } from '../consensus/signing.js';
import { createExecutionEngine } from '../execution/engine.js';
import { ExecutionError } from '../execution/errors.js';
import { lockDataDir } from '../storage/data-dir-lock.js';
import type { Durability } from '../storage/durability.js';
import { StorageError } from '../storage/errors.js';
import { openChainStore, openChainStoreReader } from '../storage/lmdb-store.js';
import { ArchiveError, exportChain, importChain, type ArchiveHeader, type ImportResult } from './chain-archive.js';
import { loadGenesis } from './genesis.js';
import { genesisCommittees } from './committees.js';

type Progress = (height: bigint, last: bigint) => void;

function storageProblem(dataDir: string, error: unknown): never {
  if (error instanceof StorageError) throw new ArchiveError(`data dir ${dataDir}: ${error.message}`);
  throw error;
}

/** Exports blocks `from`..`to` (default: 1 to the highest certified) of `dataDir` to `path`. */
export async function exportDataDir(dataDir: string, path: string, options: { readonly from?: bigint; readonly to?: bigint; readonly onProgress?: Progress }): Promise<ArchiveHeader> {
  const store = await openChainStoreReader(join(dataDir, 'chain')).catch((error: unknown) => storageProblem(dataDir, error));
  try {
    const meta = store.meta();
    if (meta === undefined) throw new ArchiveError(`data dir ${dataDir} holds no chain yet: start the node once first`);
    const source = {
      getBlockByNumber: (n: bigint) => store.getBlockByNumber(n),
      getCertificate: (h: bigint) => store.getCertificate(h),
      getTransaction: (hash: Parameters<typeof store.getTransaction>[0]) => store.getTransaction(hash),
      head: () => meta.headNumber,
    };
    return exportChain(source, path, {
      chainId: meta.chainId,
      genesisHash: meta.genesisHash,
      from: options.from ?? 1n,
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await store.close();
  }
}

export interface ImportTarget {
  readonly dataDir: string;
  readonly genesisPath: string;
  readonly durability: Durability;
}

/** Imports the archive at `path` into `target`'s data dir (created from its genesis if new), holding its writer lock. */
export async function importIntoDataDir(target: ImportTarget, path: string, options: { readonly onProgress?: Progress } = {}): Promise<ImportResult> {
  const genesis = loadGenesis(target.genesisPath);
  let lock;
  try {
    mkdirSync(target.dataDir, { recursive: true });
    lock = lockDataDir(target.dataDir, 'synod import');
  } catch (error) {
    if (error instanceof StorageError) storageProblem(target.dataDir, error);
    throw new ArchiveError(`data dir ${target.dataDir}: ${(error as Error).message}; use another --data-dir`);
  }
  try {
    const store = await openChainStore(join(target.dataDir, 'chain'), { durability: target.durability }).catch((error: unknown) => storageProblem(target.dataDir, error));
    try {
      const engine = await createExecutionEngine({
        store,
        chainId: genesis.chainId,
        genesis: { alloc: genesis.alloc, timestamp: genesis.timestamp, gasLimit: genesis.gasLimit, baseFeePerGas: genesis.baseFeePerGas },
      }).catch((error: unknown) => {
        // another chain's data dir, or a damaged one: the engine's message says which and what to do
        if (error instanceof ExecutionError && (error.code === 'GENESIS_MISMATCH' || error.code === 'ENGINE_FAILED')) throw new ArchiveError(error.message);
        throw error;
      });
      const committees = genesisCommittees(genesis, engine);
      await committees.prepare(engine.head().number);
      return await importChain(engine, path, {
        chainId: genesis.chainId,
        genesisHash: engine.getBlockByNumber(0n)!.hash,
        committeeOfEpoch: (epoch) => committees.committeeOfEpoch(epoch),
        epochOfHeight: (height) => committees.epochOf(height),
        afterBlock: (height) => committees.onBlockExecuted(height),
        verifySignature: (publicKey, message, signature) => ed25519Verifier.verify(publicKey, message, signature),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      });
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
}
