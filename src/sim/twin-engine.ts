// A cheap, deterministic twin of the execution engine behind the interface the node uses
// (node.ts NodeEngine): real Ethereum transactions are decoded and their senders recovered as the
// EVM path does (execution/admission.ts), then applied to a plain ledger of balances and nonces —
// value transfers only, with the fee (gas used × effective price) paid to a fee account so that
// the total supply is conserved exactly. Blocks are hashed over their parent, inputs and a state
// commitment, so two nodes agree on a block hash exactly when they applied the same history.
//
// Why a twin and not the EVM: a swarm runs thousands of simulated nodes for tens of heights each;
// the EVM with its trie costs milliseconds per block and per node, the twin microseconds. Sync,
// certificates, proposal pacing and mempool admission — what the simulator exists to test — run
// unchanged over it; the EVM itself has its own tests against geth's results.
import type { Common } from '@ethereumjs/common';
import type { BlockRecord, FinalityCertificate, Hex, TransactionRecord } from '../chain/types.js';
import { keccak256, sha256 } from '../crypto/hash.js';
import { toHex, utf8, uintToBytes } from '../crypto/bytes.js';
import { decodeTransaction, transactionHash } from '../execution/admission.js';
import type { AccountInfo, BlockInput, BlockResult } from '../execution/engine.js';
import { ExecutionError } from '../execution/errors.js';
import { MAX_BLOCK_TRANSACTIONS, MAX_EXTRA_DATA_BYTES } from '../execution/limits.js';
import { createTxCommon } from '../execution/tx-common.js';
import type { NodeEngine } from '../node/node.js';

/** The gas a value transfer costs (no calldata is charged in the twin). */
export const TWIN_TRANSFER_GAS = 21_000n;
/** Where fees go: counted in the supply like any account. */
export const FEE_ACCOUNT = '0x000000000000000000000000000000000000fee0' as Hex;
const EMPTY_CODE_HASH = `0x${toHex(keccak256(new Uint8Array()))}` as Hex;
const ZERO_HASH = `0x${'00'.repeat(32)}` as Hex;

interface Account {
  nonce: bigint;
  balance: bigint;
}

/** Ledger and chain, shared by every incarnation of a node: what survives its crashes (its disk). */
export class TwinChain {
  readonly ledger = new Map<string, Account>();
  readonly blocks: BlockRecord[] = [];
  readonly certificates = new Map<bigint, FinalityCertificate>();
  readonly transactions = new Map<Hex, TransactionRecord>();
  /** Every transaction hash applied, with its height: "applied twice" is checked against this. */
  readonly appliedAt = new Map<Hex, bigint>();

  constructor(alloc: ReadonlyMap<string, bigint>, genesisTimestamp: bigint) {
    for (const [address, balance] of alloc) this.ledger.set(address.toLowerCase(), { nonce: 0n, balance });
    const stateRoot = `0x${toHex(sha256(utf8('synod/sim/twin/genesis'), ...[...alloc].flatMap(([a, b]) => [utf8(a.toLowerCase()), uintToBytes(b, 32)])))}` as Hex;
    this.blocks.push(twinBlock(0n, ZERO_HASH, genesisTimestamp, '0x', stateRoot, [], { epoch: 0, proposers: [] }));
  }

  get head(): BlockRecord {
    return this.blocks.at(-1)!;
  }

  /** Sum of every balance (the fee account included): constant for a run. */
  supply(): bigint {
    let total = 0n;
    for (const account of this.ledger.values()) total += account.balance;
    return total;
  }
}

function twinBlock(number: bigint, parentHash: Hex, timestamp: bigint, extraData: Hex, stateRoot: Hex, transactions: readonly Hex[], consensus: BlockRecord['consensus']): BlockRecord {
  const hash = `0x${toHex(sha256(utf8('synod/sim/twin/block'), uintToBytes(number, 8), utf8(parentHash), uintToBytes(timestamp, 8), utf8(extraData), utf8(stateRoot), ...transactions.map(utf8)))}` as Hex;
  return {
    number,
    hash,
    parentHash,
    sha3Uncles: ZERO_HASH,
    miner: FEE_ACCOUNT,
    stateRoot,
    transactionsRoot: ZERO_HASH,
    receiptsRoot: ZERO_HASH,
    logsBloom: `0x${'00'.repeat(256)}` as Hex,
    difficulty: 0n,
    gasLimit: 60_000_000n,
    gasUsed: BigInt(transactions.length) * TWIN_TRANSFER_GAS,
    timestamp,
    extraData,
    mixHash: ZERO_HASH,
    nonce: '0x0000000000000000',
    baseFeePerGas: 1n,
    withdrawalsRoot: ZERO_HASH,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: ZERO_HASH,
    requestsHash: ZERO_HASH,
    size: 0n,
    transactions,
    consensus,
  };
}

export class TwinEngine implements NodeEngine {
  private readonly common: Common;

  constructor(
    readonly chain: TwinChain,
    chainId: bigint,
    private readonly baseFeePerGas: bigint,
    /** False once the node using this engine crashed: its writes in flight never land. */
    private readonly alive: () => boolean = () => true,
    private readonly onCommit: (height: bigint) => void = () => undefined,
  ) {
    this.common = createTxCommon(chainId);
  }

  head(): BlockRecord {
    return this.chain.head;
  }

  getBlockByNumber(number: bigint): BlockRecord | undefined {
    return number >= 0n && number < BigInt(this.chain.blocks.length) ? this.chain.blocks[Number(number)] : undefined;
  }

  getCertificate(height: bigint): FinalityCertificate | undefined {
    return this.chain.certificates.get(height);
  }

  async putCertificate(certificate: FinalityCertificate): Promise<void> {
    if (!this.alive()) return new Promise<void>(() => undefined);
    this.chain.certificates.set(certificate.height, certificate);
    return Promise.resolve();
  }

  getTransaction(hash: Hex): TransactionRecord | undefined {
    return this.chain.transactions.get(hash);
  }

  async getAccount(address: Hex): Promise<AccountInfo> {
    const account = this.chain.ledger.get(address.toLowerCase());
    return Promise.resolve({ nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n, codeHash: EMPTY_CODE_HASH });
  }

  async executeBlock(input: BlockInput): Promise<BlockResult> {
    await Promise.resolve(); // an engine answers asynchronously: keep the node's ordering honest
    if (!this.alive()) return new Promise<BlockResult>(() => undefined); // the process died mid-call
    const { chain } = this;
    const parent = chain.head;
    if (input.height !== parent.number + 1n) throw new ExecutionError('WRONG_HEIGHT', `cannot execute height ${input.height}: the head is ${parent.number}`);
    if (!/^0x([0-9a-fA-F]{2})*$/.test(input.extraData) || (input.extraData.length - 2) / 2 > MAX_EXTRA_DATA_BYTES) throw new ExecutionError('INVALID_INPUT', `extraData must be 0x-hex of at most ${MAX_EXTRA_DATA_BYTES} bytes`);
    if (input.transactions.length > MAX_BLOCK_TRANSACTIONS) throw new ExecutionError('INVALID_INPUT', 'too many transactions');
    // Apply to a copy-on-write overlay; commit only if the block is accepted.
    const overlay = new Map<string, Account>();
    const read = (address: string): Account => overlay.get(address) ?? { ...(chain.ledger.get(address) ?? { nonce: 0n, balance: 0n }) };
    const included: BlockResult['included'] = [];
    const skipped: BlockResult['skipped'] = [];
    const seen = new Set<Hex>();
    const applied: { hash: Hex; raw: Uint8Array; from: Hex }[] = [];
    for (const raw of input.transactions) {
      const hash = transactionHash(raw);
      if (seen.has(hash) || chain.appliedAt.has(hash)) {
        skipped.push({ hash, reason: 'already known: duplicate' });
        continue;
      }
      const decoded = decodeTransaction(raw, this.common, { hash, knownSender: input.senders?.get(hash) });
      if (!decoded.ok) {
        skipped.push({ hash, reason: decoded.reason });
        continue;
      }
      const from = decoded.sender.toString().toLowerCase();
      const to = decoded.tx.to?.toString().toLowerCase();
      const account = read(from);
      const price = 'gasPrice' in decoded.tx ? (decoded.tx.gasPrice as bigint) : this.baseFeePerGas;
      const fee = TWIN_TRANSFER_GAS * price;
      if (decoded.tx.nonce !== account.nonce) {
        skipped.push({ hash, reason: `nonce ${decoded.tx.nonce} is not the account's next (${account.nonce})` });
        continue;
      }
      if (to === undefined || account.balance < decoded.tx.value + fee) {
        skipped.push({ hash, reason: to === undefined ? 'contract creation is not modelled by the twin' : 'insufficient funds for gas * price + value' });
        continue;
      }
      account.nonce++;
      account.balance -= decoded.tx.value + fee;
      overlay.set(from, account);
      const recipient = read(to);
      recipient.balance += decoded.tx.value;
      overlay.set(to, recipient);
      const collector = read(FEE_ACCOUNT);
      collector.balance += fee;
      overlay.set(FEE_ACCOUNT, collector);
      seen.add(hash);
      applied.push({ hash, raw, from: from as Hex });
      included.push({ hash, sender: from as Hex, nonce: decoded.tx.nonce });
    }
    const seconds = BigInt(Math.floor(input.timestampMs / 1000));
    const timestamp = seconds > parent.timestamp ? seconds : parent.timestamp;
    const stateRoot = `0x${toHex(sha256(utf8(parent.stateRoot), ...applied.map((a) => utf8(a.hash))))}` as Hex;
    const block = twinBlock(input.height, parent.hash, timestamp, input.extraData.toLowerCase() as Hex, stateRoot, applied.map((a) => a.hash), input.consensus);
    const { certificate } = input;
    if (certificate !== undefined && (certificate.height !== input.height || certificate.blockHash !== block.hash || certificate.stateRoot !== block.stateRoot)) {
      throw new ExecutionError('CERTIFIED_MISMATCH', `block ${input.height} executes to ${block.hash}, its certificate names ${certificate.blockHash}; not committed`);
    }
    // Commit: the ledger, the block, its transactions and (for a synced block) its certificate, at once.
    for (const [address, account] of overlay) chain.ledger.set(address, account);
    chain.blocks.push(block);
    applied.forEach((a, transactionIndex) => {
      chain.appliedAt.set(a.hash, input.height);
      chain.transactions.set(a.hash, { hash: a.hash, raw: `0x${toHex(a.raw)}` as Hex, from: a.from, blockNumber: input.height, blockHash: block.hash, transactionIndex });
    });
    if (certificate !== undefined) chain.certificates.set(input.height, certificate);
    this.onCommit(input.height);
    return { block, receipts: [], skipped, included };
  }
}
