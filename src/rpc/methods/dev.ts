// The development methods of Hardhat and Anvil (namespaces `evm`, `anvil`, `hardhat`). Mining on
// demand is honoured: evm_mine / anvil_mine / hardhat_mine ask the committee for a block now and
// answer "0x0" once it is final. Methods that rewrite time, state or history on one node cannot be
// honoured by a chain whose validators agree on every block (decision 0022): they answer -32601
// with the alternative, an Anvil fork of this chain (`anvil --fork-url <synod rpc>`), where each
// of them works on a private copy of the state.
import { methodNotFound, RpcError, RpcErrorCode } from '../errors.js';
import type { Json } from '../format.js';
import { describe, parseQuantity } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

/** Blocks one anvil_mine / hardhat_mine call may ask for (each is a consensus round, ~ms on a devnet). */
export const MAX_MINE_BLOCKS = 1_000n;

/** The code every refused development method answers: the method does not exist on this chain. */
export const REFUSED_DEV_METHOD_CODE = RpcErrorCode.methodNotFound;

const FORK_HINT = 'run `anvil --fork-url <this RPC URL>` and use it there: the fork copies this chain\'s state and lets you change it privately';

/** Why each kind of method cannot be honoured, and what to do instead. */
const WHY = {
  time: 'block timestamps are set by the validators that finalize each block, not by one node',
  state: 'state changes only through transactions every validator executes; no node may write it directly',
  impersonation: 'every transaction carries its sender\'s signature, checked by every validator',
  history: 'finalized blocks are final on every validator: there is no snapshot to return to',
  mining: 'the committee finalizes a block as soon as a transaction arrives (and an empty block at the genesis\'s empty-block interval); evm_mine asks for one now',
  pool: 'a pooled transaction is gossiped to every validator and cannot be taken back by one node; replace it with one at the same nonce and a 10% higher fee',
  config: 'chain parameters (gas limit, base fee, chain id, coinbase) are fixed by the genesis for every validator',
} as const;

const REFUSED: Readonly<Record<string, keyof typeof WHY>> = {
  evm_increaseTime: 'time',
  evm_setNextBlockTimestamp: 'time',
  evm_setTime: 'time',
  evm_setBlockGasLimit: 'config',
  evm_snapshot: 'history',
  evm_revert: 'history',
  evm_setAutomine: 'mining',
  evm_setIntervalMining: 'mining',
  evm_setAccountNonce: 'state',
  evm_setAccountBalance: 'state',
  evm_setAccountCode: 'state',
  evm_setAccountStorageAt: 'state',
  anvil_increaseTime: 'time',
  anvil_setNextBlockTimestamp: 'time',
  anvil_setTime: 'time',
  anvil_setBlockTimestampInterval: 'time',
  anvil_removeBlockTimestampInterval: 'time',
  anvil_setBalance: 'state',
  anvil_addBalance: 'state',
  anvil_setCode: 'state',
  anvil_setStorageAt: 'state',
  anvil_setNonce: 'state',
  anvil_dealERC20: 'state',
  anvil_setERC20Allowance: 'state',
  anvil_loadState: 'state',
  anvil_dumpState: 'history',
  anvil_impersonateAccount: 'impersonation',
  anvil_stopImpersonatingAccount: 'impersonation',
  anvil_autoImpersonateAccount: 'impersonation',
  anvil_reset: 'history',
  anvil_rollback: 'history',
  anvil_snapshot: 'history',
  anvil_revert: 'history',
  anvil_setAutomine: 'mining',
  anvil_setIntervalMining: 'mining',
  anvil_dropTransaction: 'pool',
  anvil_dropAllTransactions: 'pool',
  anvil_removePoolTransactions: 'pool',
  anvil_setBlockGasLimit: 'config',
  anvil_setNextBlockBaseFeePerGas: 'config',
  anvil_setMinGasPrice: 'config',
  anvil_setChainId: 'config',
  anvil_setCoinbase: 'config',
  anvil_setRpcUrl: 'config',
  hardhat_setNextBlockBaseFeePerGas: 'config',
  hardhat_setBalance: 'state',
  hardhat_setCode: 'state',
  hardhat_setStorageAt: 'state',
  hardhat_setNonce: 'state',
  hardhat_impersonateAccount: 'impersonation',
  hardhat_stopImpersonatingAccount: 'impersonation',
  hardhat_reset: 'history',
  hardhat_dropTransaction: 'pool',
  hardhat_setCoinbase: 'config',
  hardhat_setPrevRandao: 'config',
  hardhat_setMinGasPrice: 'config',
  hardhat_setLoggingEnabled: 'config',
};

/** The refusal of a development method this chain cannot honour: -32601 with the reason and the alternative. */
export function refusedDevMethod(name: string): RpcError {
  const why = REFUSED[name];
  if (why === undefined) return methodNotFound(name);
  return new RpcError(REFUSED_DEV_METHOD_CODE, `${name} is not supported by Synod: ${WHY[why]}. For this, ${FORK_HINT}`);
}

async function mineBlocks(ctx: MethodContext, name: string, count: bigint): Promise<Json> {
  if (ctx.backend.finalizeBlockNow === undefined) throw methodNotFound(name);
  for (let i = 0n; i < count; i++) await ctx.backend.finalizeBlockNow();
  return '0x0';
}

/** anvil_mine(blocks?, interval?) and hardhat_mine: a number of blocks; an interval would set timestamps. */
function mineCount(params: readonly unknown[], name: string): bigint {
  const count = params[0] === undefined || params[0] === null ? 1n : typeof params[0] === 'number' && Number.isSafeInteger(params[0]) && params[0] >= 0 ? BigInt(params[0]) : parseQuantity(params[0], 0, 'block count');
  if (count > MAX_MINE_BLOCKS) throw new RpcError(RpcErrorCode.invalidParams, `invalid argument 0: at most ${MAX_MINE_BLOCKS} blocks per ${name}, got ${count}`);
  const interval = params[1];
  if (interval !== undefined && interval !== null && interval !== 0 && interval !== '0x0') {
    throw new RpcError(REFUSED_DEV_METHOD_CODE, `${name} with an interval (${describe(interval)}) is not supported by Synod: ${WHY.time}. For this, ${FORK_HINT}`);
  }
  return count;
}

const mineMany = (name: string) => method(0, 2, (p, ctx) => mineBlocks(ctx, name, mineCount(p, name)));

export const devMethods: Record<string, MethodSpec> = {
  // Hardhat's evm_mine takes an optional timestamp: setting it is time travel.
  evm_mine: method(0, 1, (p, ctx) => {
    if (p[0] !== undefined && p[0] !== null) {
      throw new RpcError(REFUSED_DEV_METHOD_CODE, `evm_mine with a timestamp is not supported by Synod: ${WHY.time}. For this, ${FORK_HINT}`);
    }
    return mineBlocks(ctx, 'evm_mine', 1n);
  }),
  anvil_mine: mineMany('anvil_mine'),
  hardhat_mine: mineMany('hardhat_mine'),
  ...Object.fromEntries(Object.keys(REFUSED).map((name) => [name, method(0, 8, () => {
    throw refusedDevMethod(name);
  })])),
};
