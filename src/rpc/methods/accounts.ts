// Accounts and signing (namespaces `eth` and `personal`): eth_accounts, eth_coinbase, and on a node
// with unlocked keys (src/rpc/accounts.ts) eth_sendTransaction, eth_signTransaction, eth_sign,
// personal_sign and eth_signTypedData_v4. A transaction is completed as geth's setDefaults does:
// nonce from the pool (pending included), gas by estimation at the head, EIP-1559 fees (tip: the
// suggested one, fee cap: tip + 2 × the head's base fee) unless the caller gave a gasPrice.
import type { TransactionSerializable, TypedDataDefinition } from 'viem';
import type { Hex } from '../../chain/types.js';
import type { CallParams } from '../backend.js';
import { invalidParam, serverError } from '../errors.js';
import type { Json } from '../format.js';
import { describe, parseAddress, parseCallParams, parseData, parseObject, parseQuantity } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';
import { outcomeResult } from './state.js';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
/** Bytes of one eth_signTypedData_v4 document (JSON text); MetaMask's largest permits are a few KiB. */
export const MAX_TYPED_DATA_BYTES = 64 * 1024;

/** Fields of transaction types the node does not build: refused rather than silently dropped. */
const UNSIGNABLE_FIELDS = ['authorizationList', 'blobVersionedHashes', 'maxFeePerBlobGas'] as const;

/** Transaction types eth_sendTransaction builds: legacy, EIP-2930, EIP-1559. */
const TYPE_NAMES = { 0: 'legacy', 1: 'eip2930', 2: 'eip1559' } as const;
type BuiltType = keyof typeof TYPE_NAMES;

/** The caller's transaction object with every field geth fills in, ready to sign. */
interface CompletedTransaction {
  readonly from: Hex;
  readonly serializable: TransactionSerializable;
}

function parseType(o: Record<string, unknown>, call: CallParams): BuiltType {
  if (o.type === undefined || o.type === null) {
    if (call.gasPrice !== undefined) return call.accessList === undefined ? 0 : 1;
    return 2;
  }
  const type = parseQuantity(o.type, 0, 'type');
  if (type !== 0n && type !== 1n && type !== 2n) {
    throw invalidParam(0, `transaction type ${type} cannot be signed by the node: use 0 (legacy), 1 (EIP-2930) or 2 (EIP-1559), or sign it yourself and use eth_sendRawTransaction`);
  }
  if (type === 2n && call.gasPrice !== undefined) throw invalidParam(0, 'gasPrice given for an EIP-1559 (type 2) transaction: give maxFeePerGas and maxPriorityFeePerGas');
  if (type < 2n && (call.maxFeePerGas !== undefined || call.maxPriorityFeePerGas !== undefined)) {
    throw invalidParam(0, `maxFeePerGas/maxPriorityFeePerGas given for a type ${type} transaction: give gasPrice`);
  }
  return Number(type) as BuiltType;
}

/** The sender, looked up first as geth does: an address the node holds no key of is "unknown account". */
function sender(ctx: MethodContext, o: Record<string, unknown>): Hex {
  if (o.from === undefined || o.from === null) throw invalidParam(0, 'from is required: the unlocked account to send from (eth_accounts lists them)');
  const from = parseAddress(o.from, 0, 'from');
  ctx.accounts.signer(from);
  return from;
}

/** geth's TransactionArgs.setDefaults for a transaction the node signs. */
async function complete(ctx: MethodContext, value: unknown): Promise<CompletedTransaction> {
  const o = parseObject(value, 0, 'transaction object');
  const from = sender(ctx, o);
  for (const field of UNSIGNABLE_FIELDS) {
    if (o[field] !== undefined && o[field] !== null) {
      throw invalidParam(0, `${field}: the node does not build EIP-7702 or blob transactions; sign it yourself (viem's signAuthorization and a local account) and use eth_sendRawTransaction`);
    }
  }
  const call = parseCallParams(o, 0);
  const type = parseType(o, call);
  if (o.chainId !== undefined && o.chainId !== null) {
    const chainId = parseQuantity(o.chainId, 0, 'chainId');
    if (chainId !== ctx.backend.chainId) throw serverError(`chainId does not match node's (have=${chainId}, want=${ctx.backend.chainId})`);
  }
  if (call.to === undefined && (call.data === undefined || call.data === '0x')) throw serverError('contract creation without any data provided');
  const head = ctx.backend.headNumber();
  const fees = feeFields(ctx, type, call, head);
  const nonce = call.nonce ?? (await ctx.backend.pendingNonce(from));
  const gas = call.gas ?? BigInt(outcomeResult(await ctx.backend.estimateGas({ ...call, from, ...feeCall(fees) }, head), true) as string);
  const serializable = {
    chainId: Number(ctx.backend.chainId),
    nonce: Number(nonce),
    gas,
    ...(call.to === undefined ? {} : { to: call.to }),
    value: call.value ?? 0n,
    data: call.data ?? '0x',
    ...(call.accessList === undefined ? {} : { accessList: call.accessList.map((e) => ({ address: e.address, storageKeys: [...e.storageKeys] })) }),
    ...fees,
  } as TransactionSerializable;
  return { from, serializable };
}

type Fees = { type: 'legacy' | 'eip2930'; gasPrice: bigint } | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

function feeFields(ctx: MethodContext, type: BuiltType, call: CallParams, head: bigint): Fees {
  if (type !== 2) return { type: TYPE_NAMES[type], gasPrice: call.gasPrice ?? ctx.backend.gasPrice() };
  const tip = call.maxPriorityFeePerGas ?? ctx.backend.maxPriorityFeePerGas();
  const baseFee = ctx.backend.getBlockByNumber(head)?.baseFeePerGas ?? ctx.backend.nextBaseFeePerGas();
  const feeCap = call.maxFeePerGas ?? tip + 2n * baseFee;
  if (feeCap < tip) throw serverError(`maxFeePerGas (${feeCap}) < maxPriorityFeePerGas (${tip})`);
  return { type: 'eip1559', maxFeePerGas: feeCap, maxPriorityFeePerGas: tip };
}

function feeCall(fees: Fees): Partial<CallParams> {
  return fees.type === 'eip1559' ? { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas } : { gasPrice: fees.gasPrice };
}

async function signCompleted(ctx: MethodContext, tx: CompletedTransaction): Promise<Hex> {
  return (await ctx.accounts.signer(tx.from).signTransaction(tx.serializable)) as Hex;
}

/** eth_signTypedData_v4's document: a JSON string (MetaMask, ethers) or the object itself (viem). */
function parseTypedData(value: unknown): TypedDataDefinition {
  let doc: unknown = value;
  if (typeof value === 'string') {
    if (value.length > MAX_TYPED_DATA_BYTES) throw invalidParam(1, `typed data larger than ${MAX_TYPED_DATA_BYTES} bytes`);
    try {
      doc = JSON.parse(value);
    } catch {
      throw invalidParam(1, 'typed data must be an EIP-712 object or its JSON text');
    }
  } else if (JSON.stringify(value ?? null).length > MAX_TYPED_DATA_BYTES) {
    throw invalidParam(1, `typed data larger than ${MAX_TYPED_DATA_BYTES} bytes`);
  }
  const o = parseObject(doc, 1, 'typed data');
  if (typeof o.primaryType !== 'string') throw invalidParam(1, `typed data primaryType must be a type name, got ${describe(o.primaryType)}`);
  const types = parseObject(o.types, 1, 'typed data types');
  if (!(o.primaryType in types) && o.primaryType !== 'EIP712Domain') throw invalidParam(1, `typed data primaryType ${o.primaryType} is not among its types`);
  return { domain: parseObject(o.domain ?? {}, 1, 'typed data domain'), types, primaryType: o.primaryType, message: parseObject(o.message ?? {}, 1, 'typed data message') } as TypedDataDefinition;
}

async function signTypedData(ctx: MethodContext, address: Hex, typedData: TypedDataDefinition): Promise<Hex> {
  const signer = ctx.accounts.signer(address);
  try {
    return await signer.signTypedData(typedData);
  } catch (error) {
    // viem checks every value against its declared type (address, uintN, bytesN, arrays, structs).
    const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    throw invalidParam(1, `typed data does not match its types: ${why}`);
  }
}

export const accountMethods: Record<string, MethodSpec> = {
  eth_accounts: method(0, 0, (_p, ctx) => ctx.accounts.addresses()),
  /** The address the node's blocks name as coinbase; Synod's name none (the zero address), so geth's error. */
  eth_coinbase: method(0, 0, (_p, ctx): Json => {
    const miner = ctx.backend.getBlockByNumber(ctx.backend.headNumber())?.miner;
    if (miner === undefined || miner.toLowerCase() === ZERO_ADDRESS) throw serverError('etherbase must be explicitly specified');
    return miner;
  }),
  eth_sendTransaction: method(1, 1, async (p, ctx) => {
    const from = sender(ctx, parseObject(p[0], 0, 'transaction object'));
    return ctx.accounts.withNonceLock(from, async () => ctx.backend.sendRawTransaction(await signCompleted(ctx, await complete(ctx, p[0]))));
  }),
  /** The signed transaction's bytes, as Hardhat and Anvil answer (what viem's and ethers' signers read). */
  eth_signTransaction: method(1, 1, async (p, ctx) => signCompleted(ctx, await complete(ctx, p[0]))),
  eth_sign: method(2, 2, async (p, ctx) => {
    const address = parseAddress(p[0], 0);
    const message = parseData(p[1], 1, 'message');
    return ctx.accounts.signer(address).signMessage({ message: { raw: message } });
  }),
  // geth's personal_sign(message, address, password): the password of an unlocked account is not read.
  personal_sign: method(2, 3, async (p, ctx) => {
    const message = parseData(p[0], 0, 'message');
    const address = parseAddress(p[1], 1);
    return ctx.accounts.signer(address).signMessage({ message: { raw: message } });
  }),
  eth_signTypedData_v4: method(2, 2, async (p, ctx) => {
    const address = parseAddress(p[0], 0);
    ctx.accounts.signer(address);
    return signTypedData(ctx, address, parseTypedData(p[1]));
  }),
};
