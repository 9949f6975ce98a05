// Legacy EIP-155 transactions (EIP-155: "Simple replay attack protection") signed with the
// native secp256k1 binding, and the accounts that sign them. Pre-signing tens of thousands of
// transactions (the bench) or every transaction of a simulated run must take seconds, not minutes.
import secp from 'secp256k1';
import { RLP } from '@ethereumjs/rlp';
import { keccak256 } from '../crypto/hash.js';
import { toHex } from '../crypto/bytes.js';

export type Hex = `0x${string}`;

export interface Account {
  readonly privateKey: Uint8Array;
  /** 20-byte address. */
  readonly address: Uint8Array;
  /** 0x-prefixed lower-case address. */
  readonly addressHex: Hex;
}

export function accountFromPrivateKey(privateKey: Uint8Array): Account {
  if (!secp.privateKeyVerify(privateKey)) throw new Error('private key is not a valid secp256k1 scalar');
  const publicKey = secp.publicKeyCreate(privateKey, false).subarray(1);
  const address = keccak256(publicKey).subarray(12);
  return { privateKey, address, addressHex: `0x${toHex(address)}` };
}

export interface TxFields {
  readonly nonce: bigint;
  readonly gasPriceWei: bigint;
  readonly gasLimit: bigint;
  /** Recipient; undefined for a contract creation. */
  readonly to?: Uint8Array;
  readonly valueWei: bigint;
  readonly data: Uint8Array;
  readonly chainId: bigint;
}

export interface SignedTx {
  /** 0x-prefixed RLP of the signed transaction, ready for eth_sendRawTransaction. */
  readonly raw: Hex;
  /** keccak256 of the raw bytes: the transaction hash the node will report. */
  readonly hash: Hex;
}

/** Minimal big-endian bytes of a non-negative integer, as RLP requires (0 is empty). */
export function bigintToMinimalBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`cannot encode negative integer ${value}`);
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

export function signLegacyTx(fields: TxFields, signer: Account): SignedTx {
  const body = [
    bigintToMinimalBytes(fields.nonce),
    bigintToMinimalBytes(fields.gasPriceWei),
    bigintToMinimalBytes(fields.gasLimit),
    fields.to ?? new Uint8Array(0),
    bigintToMinimalBytes(fields.valueWei),
    fields.data,
  ];
  const sigHash = keccak256(RLP.encode([...body, bigintToMinimalBytes(fields.chainId), new Uint8Array(0), new Uint8Array(0)]));
  const { signature, recid } = secp.ecdsaSign(sigHash, signer.privateKey);
  const v = BigInt(recid) + fields.chainId * 2n + 35n;
  const raw = RLP.encode([
    ...body,
    bigintToMinimalBytes(v),
    stripLeadingZeros(signature.subarray(0, 32)),
    stripLeadingZeros(signature.subarray(32, 64)),
  ]);
  return { raw: `0x${toHex(raw)}`, hash: `0x${toHex(keccak256(raw))}` };
}

/** CREATE address: keccak256(rlp([sender, nonce]))[12:] (Yellow Paper, eq. 85). */
export function contractAddress(sender: Uint8Array, nonce: bigint): Uint8Array {
  return keccak256(RLP.encode([sender, bigintToMinimalBytes(nonce)])).subarray(12);
}
