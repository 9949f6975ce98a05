// Typed execution errors: a code to branch on, and a message that says what was wrong and what to do.
import type { Hex } from '../chain/types.js';

export type ExecutionErrorCode =
  | 'WRONG_HEIGHT'
  | 'INVALID_INPUT'
  | 'GENESIS_MISMATCH'
  | 'UNKNOWN_BLOCK'
  | 'UNKNOWN_TRANSACTION'
  | 'LOG_RANGE_TOO_LARGE'
  | 'TOO_MANY_LOGS'
  | 'TRACE_TOO_LARGE'
  | 'EXECUTION_REVERTED'
  | 'EXECUTION_FAILED'
  | 'ENGINE_FAILED'
  /** The executed block is not the one its certificate names: nothing was committed. */
  | 'CERTIFIED_MISMATCH';

export class ExecutionError extends Error {
  override readonly name = 'ExecutionError';
  constructor(
    readonly code: ExecutionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** eth_estimateGas found no gas limit under which the call succeeds. */
export class EstimateGasError extends ExecutionError {
  constructor(
    message: string,
    /** Revert bytes when the call reverted ('0x' otherwise), for the RPC's code 3 answer. */
    readonly revertData: Hex,
    reverted: boolean,
  ) {
    super(reverted ? 'EXECUTION_REVERTED' : 'EXECUTION_FAILED', message);
  }
}
