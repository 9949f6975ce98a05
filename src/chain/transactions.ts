// Which transactions the chain takes, for every layer that reads one: the mempool admits by these
// rules, execution applies by the same ones, and consensus bounds a batch item by the same size.
// One home, so that a proposer's batch can never carry what no honest mempool admits.

/** Largest signed transaction in bytes (geth's txMaxSize is 128 KiB). */
export const MAX_TRANSACTION_BYTES = 128 * 1024;

/** EIP-2718 types the chain applies: legacy (EIP-155), access list (EIP-2930), dynamic fee (EIP-1559). */
export const SUPPORTED_TRANSACTION_TYPES = [0, 1, 2] as const;
export type SupportedTransactionType = (typeof SUPPORTED_TRANSACTION_TYPES)[number];

/**
 * Types refused, and why: blobs need a sidecar network the chain does not have; EIP-7702 set-code
 * authorizations are refused by the mempool and by execution alike until both support them.
 */
export const UNSUPPORTED_TRANSACTION_TYPES: Readonly<Record<number, string>> = { 3: 'EIP-4844 blob', 4: 'EIP-7702 set-code' };

export function isSupportedTransactionType(type: number): type is SupportedTransactionType {
  return (SUPPORTED_TRANSACTION_TYPES as readonly number[]).includes(type);
}

/** The refusal reason for a transaction type, in geth's words, or undefined when it is supported. */
export function unsupportedTypeReason(type: number): string | undefined {
  if (isSupportedTransactionType(type)) return undefined;
  const name = UNSUPPORTED_TRANSACTION_TYPES[type];
  return `transaction type not supported: ${name === undefined ? `type ${type}` : `${name} (type ${type})`} transactions are not accepted by this chain`;
}
