// JSON-RPC 2.0 errors with the codes Ethereum clients expect (EIP-1474 and geth's choices).
// Handlers throw RpcError; the dispatcher turns it into the `error` member of a response.
import type { Hex } from '../chain/types.js';

export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** geth's generic server error: rejected transactions, missing state, failed calls. */
  server: -32000,
  /** EIP-1474 "limit exceeded": rate limits, log ranges, result counts. */
  limitExceeded: -32005,
  /** geth's "response too large" (rpc/errors.go errcodeResponseTooLarge): past the batch response cap. */
  responseTooLarge: -32003,
  /** geth's code for a reverted eth_call / eth_estimateGas; `data` holds the revert bytes. */
  executionReverted: 3,
} as const;

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Hex | Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** -32602 naming the argument position as geth does ("invalid argument 0: ..."). */
export function invalidParam(index: number, why: string): RpcError {
  return new RpcError(RpcErrorCode.invalidParams, `invalid argument ${index}: ${why}`);
}

export function invalidParams(why: string): RpcError {
  return new RpcError(RpcErrorCode.invalidParams, why);
}

export function methodNotFound(method: string): RpcError {
  return new RpcError(RpcErrorCode.methodNotFound, `the method ${method} does not exist/is not available`);
}

export function serverError(message: string): RpcError {
  return new RpcError(RpcErrorCode.server, message);
}

export function limitExceeded(message: string): RpcError {
  return new RpcError(RpcErrorCode.limitExceeded, message);
}
