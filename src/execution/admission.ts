// The checks a transaction of a superblock must pass at its turn, against the state left by the
// transactions before it. A transaction that fails one is skipped with the reason, never
// half-applied (docs/design.md, "Superblock"). Reasons use geth's wording so clients recognise them.
import type { Common } from '@ethereumjs/common';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Address, bytesToHex, createAddressFromString } from '@ethereumjs/util';
import { transactionShapeViolation } from '../chain/rlp.js';
import type { Hex } from '../chain/types.js';
import { keccak256 } from '../crypto/hash.js';
import { publicKeyToAddress } from '../crypto/secp256k1.js';
import { MAX_TRANSACTION_BYTES } from './limits.js';
import { authorizationListProblem, unsupportedTypeReason } from '../chain/transactions.js';

export type Decoded =
  | { readonly ok: true; readonly tx: TypedTransaction; readonly hash: Hex; readonly sender: Address }
  | { readonly ok: false; readonly hash: Hex; readonly reason: string };

export interface AccountState {
  readonly nonce: bigint;
  readonly balance: bigint;
}

export interface BlockBudget {
  readonly baseFeePerGas: bigint;
  readonly gasRemaining: bigint;
}

function classifyDecodeError(message: string): string {
  if (/chain ?id|EIP155/i.test(message)) return `invalid chain id: ${message}`;
  return `invalid transaction encoding: ${message}`;
}

/** keccak256 of the signed bytes: the transaction hash, for every supported type. */
export function transactionHash(raw: Uint8Array): Hex {
  return bytesToHex(keccak256(raw)) as Hex;
}

export interface DecodeOptions {
  /** The hash of `raw` when the caller already computed it. */
  readonly hash?: Hex;
  /**
   * The sender, when this node already recovered it from these exact bytes (its mempool admitted
   * the transaction under the same hash, and keccak256 binds the hash to the bytes). Recovery is
   * then skipped; every other check still runs. Never pass a sender that came from a peer.
   */
  readonly knownSender?: Hex;
}

/**
 * Decodes the signed transaction and recovers its sender (natively, through Common's
 * customCrypto; the address is keccak of the key through crypto/hash.ts, not @ethereumjs/util's
 * JavaScript keccak), or takes the sender from `options.knownSender`.
 */
export function decodeTransaction(raw: Uint8Array, common: Common, options: DecodeOptions = {}): Decoded {
  const hash = options.hash ?? transactionHash(raw);
  if (raw.length > MAX_TRANSACTION_BYTES) {
    return { ok: false, hash, reason: `oversized transaction: ${raw.length} bytes, limit ${MAX_TRANSACTION_BYTES}` };
  }
  // A proposer's bytes: nested deeper than any transaction, they would cost every node seconds.
  const shape = transactionShapeViolation(raw);
  if (shape !== undefined) return { ok: false, hash, reason: `invalid transaction encoding: ${shape}` };
  let tx: TypedTransaction;
  try {
    // Unfrozen only to install the sender below; frozen right after, as ethereumjs would.
    tx = createTxFromRLP(raw, { common, freeze: false });
  } catch (error) {
    return { ok: false, hash, reason: classifyDecodeError((error as Error).message) };
  }
  const unsupported = unsupportedTypeReason(tx.type);
  if (unsupported !== undefined) return { ok: false, hash, reason: unsupported };
  if ('authorizationList' in tx) {
    const problem = authorizationListProblem(tx.authorizationList.length);
    if (problem !== undefined) return { ok: false, hash, reason: problem };
  }
  if (options.knownSender !== undefined) {
    const sender = createAddressFromString(options.knownSender);
    return { ok: true, tx: withSender(tx, sender), hash, sender };
  }
  try {
    // getSenderPublicKey runs every check getSenderAddress would (v, low s, recovery).
    const sender = new Address(publicKeyToAddress(tx.getSenderPublicKey()));
    return { ok: true, tx: withSender(tx, sender), hash, sender };
  } catch {
    return { ok: false, hash, reason: 'invalid transaction v, r, s values' };
  }
}

/** The transaction answering `getSenderAddress` (all runTx asks) from `sender`, frozen. */
function withSender(tx: TypedTransaction, sender: Address): TypedTransaction {
  Object.defineProperty(tx, 'getSenderAddress', { value: () => sender });
  Object.freeze(tx);
  return tx;
}

function maxFeePerGas(tx: TypedTransaction): bigint {
  return 'maxFeePerGas' in tx ? tx.maxFeePerGas : (tx as { gasPrice: bigint }).gasPrice;
}

/** The reason the decoded transaction cannot run now, or undefined when it may. */
export function rejectionAtTurn(tx: TypedTransaction, account: AccountState, budget: BlockBudget): string | undefined {
  if (tx.nonce < account.nonce) return `nonce too low: next nonce ${account.nonce}, tx nonce ${tx.nonce}`;
  if (tx.nonce > account.nonce) return `nonce too high: next nonce ${account.nonce}, tx nonce ${tx.nonce}`;
  if (tx.gasLimit > budget.gasRemaining) {
    return `gas limit reached: tx gas limit ${tx.gasLimit} above the block's remaining ${budget.gasRemaining}`;
  }
  const intrinsic = tx.getIntrinsicGas();
  if (tx.gasLimit < intrinsic) return `intrinsic gas too low: have ${tx.gasLimit}, want ${intrinsic}`;
  const feeCap = maxFeePerGas(tx);
  if (feeCap < budget.baseFeePerGas) {
    return `max fee per gas less than block base fee: maxFeePerGas ${feeCap}, baseFee ${budget.baseFeePerGas}`;
  }
  if ('maxPriorityFeePerGas' in tx && tx.maxPriorityFeePerGas > tx.maxFeePerGas) {
    return `max priority fee per gas higher than max fee per gas: ${tx.maxPriorityFeePerGas} > ${tx.maxFeePerGas}`;
  }
  const cost = tx.gasLimit * feeCap + tx.value;
  if (account.balance < cost) return `insufficient funds for gas * price + value: balance ${account.balance}, tx cost ${cost}`;
  return undefined;
}
