// Reads a signed transaction's nonce from its encoding without recovering its sender.
import { RLP } from '@ethereumjs/rlp';
import { bytesToBigInt } from '../crypto/bytes.js';

/** Legacy: rlp([nonce, …]); typed (EIP-2718): type byte, then rlp([chainId, nonce, …]). */
export function transactionNonce(raw: Uint8Array): bigint {
  const typed = raw.length > 0 && raw[0]! <= 0x7f;
  const fields = RLP.decode(typed ? raw.subarray(1) : raw) as Uint8Array[];
  const nonce = fields[typed ? 1 : 0];
  if (!(nonce instanceof Uint8Array)) throw new Error('transaction has no nonce field');
  return bytesToBigInt(nonce);
}
