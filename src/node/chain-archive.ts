// Chain archives: `synod export` writes a node's certified blocks to a file, `synod import` applies
// such a file to a data dir, checking every block as sync does (certified-blocks.ts) before the
// engine executes it, and the engine commits only a block whose header and state root match its
// certificate. So an archive needs no trust: a node that imports one holds exactly the blocks the
// committee signed, or stops at the first one that is not.
//
// Format (all integers big-endian):
//   magic      "synod-archive/v1\n"
//   header     u32 length, then RLP [chainId, genesisHash (32 bytes), first height, last height]
//   chunks     u32 length, then a sync response (wire.ts encodeSyncResponse) of up to
//              ARCHIVE_CHUNK_BLOCKS consecutive blocks, each with its certificate and raw
//              transactions; lengths above MAX_ARCHIVE_CHUNK_BYTES are refused before reading.
// Export writes FILE.partial and renames it once complete and flushed, so a FILE is never cut short.
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { RLP } from '@ethereumjs/rlp';
import type { Hex } from '../chain/types.js';
import { bytesEqual, bytesToBigInt, fromHex, toHex, utf8 } from '../crypto/bytes.js';
import type { ExecutionEngine } from '../execution/engine.js';
import { certifiedBlockAt, certifiedBlockBytes, certifiedBlockProblem, executeCertifiedBlock, type CertifiedBlockContext, type CertifiedBlockSource } from './certified-blocks.js';
import { MAX_SYNC_BLOCKS_PER_REQUEST, MAX_SYNC_RESPONSE_BYTES, WireError, decodeSyncResponse, encodeSyncResponse, uint, type SyncedBlock } from './wire.js';

export const ARCHIVE_MAGIC = utf8('synod-archive/v1\n');
/** Blocks per chunk: a sync response's worth, so the chunk decoder is sync's own bounded one. */
export const ARCHIVE_CHUNK_BLOCKS = MAX_SYNC_BLOCKS_PER_REQUEST;
/** Bytes one chunk may hold (a sync response's bound). */
export const MAX_ARCHIVE_CHUNK_BYTES = MAX_SYNC_RESPONSE_BYTES;
/** Bytes the header may hold. */
const MAX_ARCHIVE_HEADER_BYTES = 1024;
const LENGTH_BYTES = 4;

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

export interface ArchiveHeader {
  readonly chainId: bigint;
  readonly genesisHash: Hex;
  readonly first: bigint;
  readonly last: bigint;
}

export interface ExportOptions {
  readonly chainId: bigint;
  readonly genesisHash: Hex;
  readonly from: bigint;
  /** Last height to write; the highest certified block when omitted. */
  readonly to?: bigint;
  readonly onProgress?: (height: bigint, last: bigint) => void;
}

/** The highest height at or below `head` with a stored certificate (0 when there is none). */
function lastCertified(source: CertifiedBlockSource, head: bigint): bigint {
  let height = head;
  while (height > 0n && source.getCertificate(height) === undefined) height--;
  return height;
}

function lengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(LENGTH_BYTES);
  new DataView(out.buffer).setUint32(0, length);
  return out;
}

/** Writes blocks `from`..`to` of `source` with their certificates to `path`; answers the range written. */
export function exportChain(source: CertifiedBlockSource & { head(): bigint }, path: string, options: ExportOptions): ArchiveHeader {
  if (options.from < 1n) throw new ArchiveError('--from must be at least 1 (block 0 is the genesis, which every node builds from its genesis file)');
  const top = lastCertified(source, source.head());
  const last = options.to ?? top;
  if (last > top) throw new ArchiveError(`--to ${last} is above the highest certified block, ${top}`);
  if (last < options.from) throw new ArchiveError(top < options.from ? `no certified block from ${options.from} on (the highest is ${top})` : `--to ${last} is below --from ${options.from}`);
  const header: ArchiveHeader = { chainId: options.chainId, genesisHash: options.genesisHash, first: options.from, last };
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, ARCHIVE_MAGIC);
    const encodedHeader = RLP.encode([uint(header.chainId), fromHex(header.genesisHash), uint(header.first), uint(header.last)]);
    writeSync(fd, lengthPrefix(encodedHeader.length));
    writeSync(fd, encodedHeader);
    let chunk: SyncedBlock[] = [];
    let chunkBytes = 0;
    const flush = (): void => {
      if (chunk.length === 0) return;
      const encoded = encodeSyncResponse(chunk);
      writeSync(fd, lengthPrefix(encoded.length));
      writeSync(fd, encoded);
      options.onProgress?.(chunk[chunk.length - 1]!.height, last);
      chunk = [];
      chunkBytes = 0;
    };
    for (let height = options.from; height <= last; height++) {
      const block = certifiedBlockAt(source, height);
      if (block === undefined || block === 'missing-body') throw new ArchiveError(`block ${height} or one of its transactions is missing from the store: it is damaged; export a range without it or export from another node`);
      const size = certifiedBlockBytes(block);
      if (chunk.length > 0 && (chunk.length >= ARCHIVE_CHUNK_BLOCKS || chunkBytes + size > MAX_ARCHIVE_CHUNK_BYTES)) flush();
      chunk.push(block);
      chunkBytes += size;
    }
    flush();
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(partial, path);
  return header;
}

/** Reads an archive sequentially; every length is checked against its bound before it is read. */
export class ArchiveReader {
  private offset = 0;
  readonly header: ArchiveHeader;

  constructor(private readonly fd: number, private readonly path: string) {
    const magic = this.read(ARCHIVE_MAGIC.length, 'its first bytes');
    if (!bytesEqual(magic, ARCHIVE_MAGIC)) throw new ArchiveError(`${path} is not a Synod chain archive (made by 'synod export')`);
    const encoded = this.read(this.length(MAX_ARCHIVE_HEADER_BYTES, 'header'), 'header');
    let fields: unknown;
    try {
      fields = RLP.decode(encoded);
    } catch {
      throw new ArchiveError(`${path}: the archive header is malformed`);
    }
    if (!Array.isArray(fields) || fields.length !== 4 || !fields.every((f) => f instanceof Uint8Array) || (fields[1] as Uint8Array).length !== 32) {
      throw new ArchiveError(`${path}: the archive header is malformed`);
    }
    const [chainId, genesisHash, first, last] = fields as Uint8Array[];
    this.header = { chainId: bytesToBigInt(chainId!), genesisHash: `0x${toHex(genesisHash!)}`, first: bytesToBigInt(first!), last: bytesToBigInt(last!) };
  }

  /** The next chunk of blocks, or undefined at the end of the file. */
  next(): SyncedBlock[] | undefined {
    const probe = Buffer.alloc(1);
    if (readSync(this.fd, probe, 0, 1, this.offset) === 0) return undefined;
    const length = this.length(MAX_ARCHIVE_CHUNK_BYTES, 'chunk');
    const bytes = this.read(length, 'a chunk');
    try {
      return decodeSyncResponse(bytes);
    } catch (error) {
      if (error instanceof WireError) throw new ArchiveError(`${this.path}: a chunk at byte ${this.offset - length} is malformed (${error.message})`);
      throw error;
    }
  }

  private length(max: number, what: string): number {
    const length = new DataView(this.read(LENGTH_BYTES, `the length of a ${what}`).buffer).getUint32(0);
    if (length === 0 || length > max) throw new ArchiveError(`${this.path}: a ${what} of ${length} bytes at byte ${this.offset - LENGTH_BYTES} (at most ${max}): the file is damaged`);
    return length;
  }

  private read(length: number, what: string): Uint8Array {
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, out, got, length - got, this.offset + got);
      if (n === 0) throw new ArchiveError(`${this.path} ends inside ${what} at byte ${this.offset + got}: the file is cut short`);
      got += n;
    }
    this.offset += length;
    return out;
  }
}

export interface ImportOptions extends CertifiedBlockContext {
  readonly genesisHash: Hex;
  readonly onProgress?: (height: bigint, last: bigint) => void;
  /** After each block executed (an epoch's last block draws the next committee). */
  readonly afterBlock?: (height: bigint) => Promise<unknown>;
}

export interface ImportResult {
  readonly header: ArchiveHeader;
  /** Blocks executed and committed. */
  readonly imported: number;
  /** Blocks the data dir already held (checked against the archive's certificate hash). */
  readonly alreadyHeld: number;
  readonly head: bigint;
}

/**
 * Applies the archive at `path` to `engine`, block by block, each checked before it executes:
 * its certificate must be a quorum of its epoch's committee for this chain, and execution must give
 * the certified header. Blocks the engine already holds are skipped when their hash is the
 * certified one (and refused when not: another chain). Stops at the first block that fails, with
 * everything before it committed.
 */
export async function importChain(engine: ExecutionEngine, path: string, options: ImportOptions): Promise<ImportResult> {
  const fd = openSync(path, 'r');
  try {
    const reader = new ArchiveReader(fd, path);
    const { header } = reader;
    if (header.chainId !== options.chainId) throw new ArchiveError(`${path} holds chain ${header.chainId}; this node's genesis is chain ${options.chainId}`);
    if (header.genesisHash.toLowerCase() !== options.genesisHash.toLowerCase()) throw new ArchiveError(`${path} was exported from a chain with genesis ${header.genesisHash}; this node's genesis is ${options.genesisHash}`);
    let imported = 0;
    let alreadyHeld = 0;
    for (let chunk = reader.next(); chunk !== undefined; chunk = reader.next()) {
      for (const block of chunk) {
        const head = engine.head().number;
        if (block.height <= head) {
          const held = engine.getBlockByNumber(block.height);
          if (held === undefined || held.hash.toLowerCase() !== block.certificate.blockHash.toLowerCase()) {
            throw new ArchiveError(`block ${block.height}: this data dir holds ${held?.hash ?? 'no block'} there, the archive's certificate names ${block.certificate.blockHash}: they are different chains`);
          }
          alreadyHeld++;
          continue;
        }
        if (block.height !== head + 1n) throw new ArchiveError(`the archive jumps to block ${block.height} while this node's head is ${head}: import an archive that starts at ${head + 1n} or lower`);
        const problem = certifiedBlockProblem(block, options);
        if (problem !== undefined) throw new ArchiveError(`${problem.detail}; nothing from it on was imported`);
        const executed = await executeCertifiedBlock(engine, block);
        if ('forged' in executed) throw new ArchiveError(`block ${block.height} is not the certified block (${executed.forged}); nothing from it on was imported`);
        imported++;
        await options.afterBlock?.(block.height);
        options.onProgress?.(block.height, header.last);
      }
    }
    return { header, imported, alreadyHeld, head: engine.head().number };
  } finally {
    closeSync(fd);
  }
}
