// The chain's records as every layer sees them: blocks, transactions, receipts, logs and
// finality certificates. Hashes, addresses and byte strings are 0x-prefixed lowercase hex;
// quantities are bigint. Execution produces them, storage keeps them, rpc formats them.

export type Hex = `0x${string}`;

/** A finalized block. Header fields follow Ethereum's (Prague) so its hash is keccak(rlp(header)). */
export interface BlockRecord {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  readonly sha3Uncles: Hex;
  readonly miner: Hex;
  readonly stateRoot: Hex;
  readonly transactionsRoot: Hex;
  readonly receiptsRoot: Hex;
  readonly logsBloom: Hex;
  readonly difficulty: bigint;
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly timestamp: bigint; // seconds
  readonly extraData: Hex; // the consensus superblock digest
  readonly mixHash: Hex;
  readonly nonce: Hex; // 8 bytes
  readonly baseFeePerGas: bigint;
  readonly withdrawalsRoot: Hex;
  readonly blobGasUsed: bigint;
  readonly excessBlobGas: bigint;
  readonly parentBeaconBlockRoot: Hex;
  readonly requestsHash: Hex;
  readonly size: bigint; // bytes of the RLP-encoded block
  readonly transactions: readonly Hex[]; // transaction hashes in block order
  /** Consensus facts about the block: who proposed the included batches, in committee order. */
  readonly consensus: { readonly epoch: number; readonly proposers: readonly number[] };
}

/** A transaction included in a block. Fields other than these are decoded from `raw`. */
export interface TransactionRecord {
  readonly hash: Hex;
  readonly raw: Hex; // the signed transaction as submitted (EIP-2718 envelope or legacy RLP)
  readonly from: Hex;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly transactionIndex: number;
}

export interface LogRecord {
  readonly address: Hex;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  readonly logIndex: number; // position in the block
  readonly removed: false; // finality is instant: logs are never removed
}

export interface ReceiptRecord {
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  readonly blockHash: Hex;
  readonly blockNumber: bigint;
  readonly from: Hex;
  readonly to: Hex | null;
  readonly contractAddress: Hex | null;
  readonly cumulativeGasUsed: bigint;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly status: 0 | 1;
  readonly type: number; // 0 legacy, 1 EIP-2930, 2 EIP-1559
  readonly logs: readonly LogRecord[];
  readonly logsBloom: Hex;
}

/** One validator's signature over (height, block hash, state root). */
export interface CertificateSignature {
  readonly validatorIndex: number;
  readonly signature: Hex; // ed25519, 64 bytes
}

/**
 * Proof of finality: signatures from committee members holding more than 2/3 of the
 * committee weight over the same (chain id, height, block hash, state root).
 */
export interface FinalityCertificate {
  readonly chainId: bigint;
  readonly height: bigint;
  readonly epoch: number;
  readonly blockHash: Hex;
  readonly stateRoot: Hex;
  readonly signatures: readonly CertificateSignature[];
}

/** Why a transaction of a superblock was skipped at its turn (never half-applied). */
export interface SkippedTransaction {
  readonly hash: Hex;
  readonly reason: string; // e.g. 'nonce too low', 'insufficient funds for gas * price + value'
}

/**
 * Contracts a chain's genesis deployed, as synod_contracts serves them: a name → address, or a
 * named group of them (for example "tokens": {"USDC": address}).
 */
export type ContractDirectory = Readonly<Record<string, Hex | Readonly<Record<string, Hex>>>>;
