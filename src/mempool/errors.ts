// Why the pool refused a transaction. Messages start with go-ethereum's error text (core/txpool
// and core/error.go) so wallets and libraries that match on it (viem, ethers, MetaMask) behave as
// they do against geth; the rest of the message gives the numbers needed to fix the transaction.
// The RPC server returns them as JSON-RPC error -32000 with `message` unchanged.

export enum MempoolErrorCode {
  InvalidEncoding = 'INVALID_ENCODING',
  OversizedData = 'OVERSIZED_DATA',
  TxTypeNotSupported = 'TX_TYPE_NOT_SUPPORTED',
  MaxInitCodeSizeExceeded = 'MAX_INITCODE_SIZE_EXCEEDED',
  UnprotectedTx = 'UNPROTECTED_TX',
  InvalidChainId = 'INVALID_CHAIN_ID',
  InvalidSignature = 'INVALID_SIGNATURE',
  InvalidSender = 'INVALID_SENDER',
  TipAboveFeeCap = 'TIP_ABOVE_FEE_CAP',
  IntrinsicGasTooLow = 'INTRINSIC_GAS_TOO_LOW',
  GasLimitExceeded = 'GAS_LIMIT_EXCEEDED',
  TxGasLimitTooHigh = 'TX_GAS_LIMIT_TOO_HIGH',
  FeeCapTooLow = 'FEE_CAP_TOO_LOW',
  NonceTooLow = 'NONCE_TOO_LOW',
  NonceTooHigh = 'NONCE_TOO_HIGH',
  InsufficientFunds = 'INSUFFICIENT_FUNDS',
  AlreadyKnown = 'ALREADY_KNOWN',
  ReplaceUnderpriced = 'REPLACE_UNDERPRICED',
  AccountLimitExceeded = 'ACCOUNT_LIMIT_EXCEEDED',
  PoolFull = 'POOL_FULL',
}

/** geth's text for each code: the stable prefix of every message. */
export const MEMPOOL_ERROR_TEXT: Readonly<Record<MempoolErrorCode, string>> = {
  [MempoolErrorCode.InvalidEncoding]: 'invalid transaction encoding',
  [MempoolErrorCode.OversizedData]: 'oversized data',
  [MempoolErrorCode.TxTypeNotSupported]: 'transaction type not supported',
  [MempoolErrorCode.MaxInitCodeSizeExceeded]: 'max initcode size exceeded',
  [MempoolErrorCode.UnprotectedTx]: 'only replay-protected (EIP-155) transactions allowed over RPC',
  [MempoolErrorCode.InvalidChainId]: 'invalid chain id for signer',
  [MempoolErrorCode.InvalidSignature]: 'invalid transaction v, r, s values',
  [MempoolErrorCode.InvalidSender]: 'invalid sender',
  [MempoolErrorCode.TipAboveFeeCap]: 'max priority fee per gas higher than max fee per gas',
  [MempoolErrorCode.IntrinsicGasTooLow]: 'intrinsic gas too low',
  [MempoolErrorCode.GasLimitExceeded]: 'exceeds block gas limit',
  // geth's text for the per-transaction cap of EIP-7825; here the cap is a proposer's share.
  [MempoolErrorCode.TxGasLimitTooHigh]: 'transaction gas limit too high',
  [MempoolErrorCode.FeeCapTooLow]: 'max fee per gas less than block base fee',
  [MempoolErrorCode.NonceTooLow]: 'nonce too low',
  [MempoolErrorCode.NonceTooHigh]: 'nonce too high',
  [MempoolErrorCode.InsufficientFunds]: 'insufficient funds for gas * price + value',
  [MempoolErrorCode.AlreadyKnown]: 'already known',
  [MempoolErrorCode.ReplaceUnderpriced]: 'replacement transaction underpriced',
  [MempoolErrorCode.AccountLimitExceeded]: 'account limit exceeded',
  [MempoolErrorCode.PoolFull]: 'txpool is full',
};

export class MempoolError extends Error {
  override readonly name = 'MempoolError';

  /** `detail` follows geth's text after a colon: what was wrong, with the numbers to fix it. */
  constructor(
    readonly code: MempoolErrorCode,
    readonly detail?: string,
  ) {
    super(detail === undefined ? MEMPOOL_ERROR_TEXT[code] : `${MEMPOOL_ERROR_TEXT[code]}: ${detail}`);
  }
}
