// Which transactions the chain takes, for every layer that reads one: the mempool admits by these
// rules, execution applies by the same ones, and consensus bounds a batch item by the same size.
// One home, so that a proposer's batch can never carry what no honest mempool admits.

/** Largest signed transaction in bytes (geth's txMaxSize is 128 KiB). */
export const MAX_TRANSACTION_BYTES = 128 * 1024;

/**
 * EIP-2718 types the chain applies: legacy (EIP-155), access list (EIP-2930), dynamic fee
 * (EIP-1559) and set-code (EIP-7702, Prague: an EOA delegates its code to a contract).
 */
export const SUPPORTED_TRANSACTION_TYPES = [0, 1, 2, 4] as const;
export type SupportedTransactionType = (typeof SUPPORTED_TRANSACTION_TYPES)[number];

/** Types refused, and why: blobs need a sidecar network the chain does not have. */
export const UNSUPPORTED_TRANSACTION_TYPES: Readonly<Record<number, string>> = { 3: 'EIP-4844 blob' };

/**
 * Authorizations one EIP-7702 transaction may carry. EIP-7702 sets no cap (gas bounds it: 25,000
 * each, so about 600 in a proposer's 15,000,000 share); each one costs every validator a
 * secp256k1 recovery at its turn, so the chain bounds them, far above what wallets send (one).
 */
export const MAX_AUTHORIZATIONS_PER_TRANSACTION = 256;

/** Why an EIP-7702 authorization list is refused (geth's words where geth has them), or undefined. */
export function authorizationListProblem(count: number): string | undefined {
  if (count === 0) return 'EIP-7702 transaction with empty auth list';
  if (count > MAX_AUTHORIZATIONS_PER_TRANSACTION) {
    return `EIP-7702 transaction with ${count} authorizations, limit ${MAX_AUTHORIZATIONS_PER_TRANSACTION} per transaction`;
  }
  return undefined;
}

export function isSupportedTransactionType(type: number): type is SupportedTransactionType {
  return (SUPPORTED_TRANSACTION_TYPES as readonly number[]).includes(type);
}

/** The refusal reason for a transaction type, in geth's words, or undefined when it is supported. */
export function unsupportedTypeReason(type: number): string | undefined {
  if (isSupportedTransactionType(type)) return undefined;
  const name = UNSUPPORTED_TRANSACTION_TYPES[type];
  return `transaction type not supported: ${name === undefined ? `type ${type}` : `${name} (type ${type})`} transactions are not accepted by this chain`;
}
