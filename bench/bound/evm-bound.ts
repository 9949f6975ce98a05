// The physical bound: how many transactions of a workload one core can execute with
// @ethereumjs/vm, counting what every validator must do per transaction: decode the raw
// bytes, recover the sender (native secp256k1) and run the EVM over a Merkle state, with the
// state root computed once per block. A cluster of N validators on C cores can at best run
// C × rate ÷ N (every validator executes every transaction).
import { availableParallelism } from 'node:os';
import { createCustomCommon, Hardfork, Mainnet, type Common } from '@ethereumjs/common';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { MerkleStateManager, Caches } from '@ethereumjs/statemanager';
import { createTxFromRLP } from '@ethereumjs/tx';
import { createBlock, type Block } from '@ethereumjs/block';
import { Address, createAccount } from '@ethereumjs/util';
import { nativeCustomCrypto } from '../../src/crypto/secp256k1.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { benchAccounts, benchDeployer, type Hex } from '../tx/accounts.js';
import type { SetupChain, Workload, WorkloadContext } from '../workloads/types.js';

export const BOUND_CHAIN_ID = 31337n;
/** Transactions per simulated block; the state root is computed once per block. */
export const BOUND_BLOCK_TXS = 1_000;
const GENESIS_BALANCE_WEI = 10n ** 24n;
const BLOCK_GAS_LIMIT = 1_000_000_000n;

export interface BoundFigures {
  readonly singleCoreTps: number;
  readonly clusterBoundTps: number;
  readonly cores: number;
  readonly validators: number;
  readonly txCount: number;
  /** Which execution measured the rate: bench/execution-bound.ts or @ethereumjs/vm (bound/index.ts). */
  readonly method: string;
}

class VmChain implements SetupChain {
  constructor(
    private readonly vm: VM,
    private readonly common: Common,
    private readonly block: Block,
  ) {}

  async submitAndConfirm(raws: readonly Hex[]): Promise<void> {
    for (const raw of raws) {
      const tx = createTxFromRLP(fromHex(raw), { common: this.common });
      const result = await runTx(this.vm, { tx, block: this.block, skipBlockGasLimitValidation: true });
      if (result.execResult.exceptionError) throw new Error(`bound setup transaction failed: ${result.execResult.exceptionError.error}`);
    }
  }
}

async function makeVm(senderCount: number) {
  const common = createCustomCommon({ chainId: Number(BOUND_CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Cancun, customCrypto: nativeCustomCrypto });
  const stateManager = new MerkleStateManager({ common, caches: new Caches() });
  const vm = await createVM({ common, stateManager });
  const senders = benchAccounts(senderCount);
  for (const s of [...senders, benchDeployer()]) await stateManager.putAccount(new Address(s.address), createAccount({ nonce: 0n, balance: GENESIS_BALANCE_WEI }));
  const block = createBlock({ header: { number: 1n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: 7n, timestamp: 1n } }, { common });
  return { vm, common, block, senders };
}

/** Executes `txCount` transactions of `workload` on one core and times decode + recovery + execution. */
export async function measureEvmRate(workload: Workload, txCount: number, senderCount: number): Promise<number> {
  const { vm, common, block, senders } = await makeVm(senderCount);
  const ctx: WorkloadContext = { chainId: BOUND_CHAIN_ID, senders, nonces: senders.map(() => 0n), gasPriceWei: 10n ** 10n, deployer: benchDeployer(), deployerNonce: 0n, chain: new VmChain(vm, common, block), state: new Map() };
  await workload.setup(ctx);
  const raws = (await workload.buildTransactions(ctx, txCount)).map((r) => fromHex(r));
  const started = performance.now();
  for (let i = 0; i < raws.length; i++) {
    const tx = createTxFromRLP(raws[i], { common });
    await runTx(vm, { tx, block, skipBlockGasLimitValidation: true });
    if ((i + 1) % BOUND_BLOCK_TXS === 0 || i === raws.length - 1) await vm.stateManager.getStateRoot();
  }
  return (raws.length * 1000) / (performance.now() - started);
}

export function clusterBound(singleCoreTps: number, validators: number, cores = availableParallelism()): number {
  return (cores * singleCoreTps) / validators;
}
