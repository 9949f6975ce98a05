// geth's messages for reverted calls: "execution reverted: <reason>" when the revert data is a
// Solidity Error(string) or Panic(uint256), plain "execution reverted" otherwise (custom errors,
// empty data). The bytes always go back in `data` so clients decode custom errors themselves.
import type { Hex } from '../chain/types.js';
import { RpcError, RpcErrorCode } from './errors.js';

const ERROR_STRING_SELECTOR = '08c379a0'; // keccak("Error(string)")[0..4]
const PANIC_SELECTOR = '4e487b71'; // keccak("Panic(uint256)")[0..4]
const WORD_HEX = 64;
/** A reason longer than this is not worth decoding into the message (it stays in `data`). */
const MAX_REASON_BYTES = 1024;

// Solidity's panic codes, worded as geth's abi.UnpackRevert words them.
const PANIC_REASONS: ReadonlyMap<number, string> = new Map([
  [0x00, 'generic panic'],
  [0x01, 'assert(false)'],
  [0x11, 'arithmetic underflow or overflow'],
  [0x12, 'division or modulo by zero'],
  [0x21, 'enum overflow'],
  [0x22, 'invalid encoded storage byte array accessed'],
  [0x31, 'out-of-bounds array access; popping on an empty array'],
  [0x32, 'out-of-bounds access of an array or bytesN'],
  [0x41, 'out of memory'],
  [0x51, 'uninitialized function'],
]);

/** The human reason carried by revert data, or undefined when it is not a standard one. */
export function decodeRevertReason(data: Hex): string | undefined {
  const body = data.slice(2);
  const selector = body.slice(0, 8);
  if (selector === PANIC_SELECTOR && body.length === 8 + WORD_HEX) {
    const code = BigInt(`0x${body.slice(8)}`);
    return PANIC_REASONS.get(Number(code)) ?? `unknown panic code: 0x${code.toString(16)}`;
  }
  if (selector !== ERROR_STRING_SELECTOR || body.length < 8 + 2 * WORD_HEX) return undefined;
  const offset = Number(BigInt(`0x${body.slice(8, 8 + WORD_HEX)}`));
  const start = 8 + offset * 2;
  if (offset > body.length || start + WORD_HEX > body.length) return undefined;
  const length = Number(BigInt(`0x${body.slice(start, start + WORD_HEX)}`));
  const textStart = start + WORD_HEX;
  if (length > MAX_REASON_BYTES || textStart + length * 2 > body.length) return undefined;
  return Buffer.from(body.slice(textStart, textStart + length * 2), 'hex').toString('utf8');
}

/** The JSON-RPC error for a revert: code 3, geth's message, the revert bytes as `data`. */
export function revertError(data: Hex): RpcError {
  const reason = decodeRevertReason(data);
  const message = reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`;
  return new RpcError(RpcErrorCode.executionReverted, message, data);
}
