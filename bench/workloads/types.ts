// What a workload is: a setup on the chain under test, then a stream of pre-signed
// transactions. A new workload (AMM swaps, lending) is one more file beside this one.
import type { Account, Hex } from '../tx/accounts.js';

/** Where setup transactions run: a node over JSON-RPC, or an in-memory EVM for the bound. */
export interface SetupChain {
  /** Submits raw transactions and resolves once every one is included and succeeded. */
  submitAndConfirm(raws: readonly Hex[]): Promise<void>;
}

export interface WorkloadContext {
  readonly chainId: bigint;
  /** Funded senders; buildTransactions' i-th transaction must be signed by senders[i % senders.length]. */
  readonly senders: readonly Account[];
  /** Next nonce of each sender; workloads advance it as they sign. */
  readonly nonces: bigint[];
  readonly gasPriceWei: bigint;
  /** Signs setup transactions (deploy, mint), so setup nonces never mix with load nonces.
   * Optional for older callers: without it, setup signs with senders[0]. */
  readonly deployer?: Account;
  deployerNonce?: bigint;
  readonly chain: SetupChain;
  /** Workload-private values set in setup (a deployed contract's address, for example). */
  readonly state: Map<string, Hex>;
}

export interface Workload {
  readonly name: string;
  /** One line for the report. */
  readonly description: string;
  setup(ctx: WorkloadContext): Promise<void>;
  /** `count` raw transactions, round-robin over the senders (see WorkloadContext.senders). */
  buildTransactions(ctx: WorkloadContext, count: number): Promise<Hex[]>;
}

/** Signs `count` transactions round-robin over the senders with `make(senderIndex, nonce)`. */
export function roundRobin(ctx: WorkloadContext, count: number, make: (senderIndex: number, nonce: bigint) => Hex): Hex[] {
  const out: Hex[] = new Array(count);
  const n = ctx.senders.length;
  for (let i = 0; i < count; i++) {
    const s = i % n;
    out[i] = make(s, ctx.nonces[s]++);
  }
  return out;
}
