// Setup transactions over JSON-RPC: submit, then poll receipts in batches until every one is
// in a block with status 1. Used for funding, deployment and minting, never during a phase.
import { HttpRpcClient } from '../rpc/http-client.js';
import { BenchError } from '../errors.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import type { Hex } from '../tx/accounts.js';
import type { SetupChain } from '../workloads/types.js';

export const SETUP_CONFIRM_TIMEOUT_MS = 120_000;
export const SETUP_POLL_MS = 100;
/** Polls without a new receipt before the target's nudge (if any) is called. */
export const SETUP_STALL_POLLS = 10;
/** Transactions and receipt queries per JSON-RPC batch during setup. */
export const SETUP_BATCH = 200;

export class RpcSetupChain implements SetupChain {
  private readonly client: HttpRpcClient;

  /** `nudge`: what makes the node include what it holds, for a node whose automine can stall (Anvil). */
  constructor(
    endpoint: string,
    private readonly nudge?: () => Promise<void>,
  ) {
    this.client = new HttpRpcClient(endpoint);
  }

  async submitAndConfirm(raws: readonly Hex[]): Promise<void> {
    // One request per transaction, in order: nodes may run the items of a batch concurrently
    // (Hardhat's EDR does), and setup transactions often share a sender.
    for (const raw of raws) {
      const [outcome] = await this.client.batch([{ method: 'eth_sendRawTransaction', params: [raw] }]);
      if (!outcome.ok) throw new BenchError('SETUP_FAILED', `setup transaction refused: ${outcome.error.message}; check the senders' funding and nonces`);
    }
    await this.waitForReceipts(raws.map((raw) => `0x${toHex(keccak256(fromHex(raw)))}`));
  }

  close(): void {
    this.client.close();
  }

  private async waitForReceipts(hashes: string[]): Promise<void> {
    const deadline = Date.now() + SETUP_CONFIRM_TIMEOUT_MS;
    let waiting = hashes;
    let stalled = 0;
    while (waiting.length > 0) {
      if (Date.now() > deadline) throw new BenchError('SETUP_FAILED', `${waiting.length} setup transactions not included within ${SETUP_CONFIRM_TIMEOUT_MS} ms; is the node producing blocks?`);
      const still: string[] = [];
      for (let k = 0; k < waiting.length; k += SETUP_BATCH) {
        const part = waiting.slice(k, k + SETUP_BATCH);
        const answers = await this.client.batch(part.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })));
        answers.forEach((a, i) => {
          const receipt = a.ok ? (a.result as { status?: string } | null) : null;
          if (!receipt) still.push(part[i]);
          else if (receipt.status !== '0x1') throw new BenchError('SETUP_FAILED', `setup transaction ${part[i]} reverted; check the workload's setup`);
        });
      }
      stalled = still.length === waiting.length ? stalled + 1 : 0;
      waiting = still;
      if (waiting.length > 0 && stalled >= SETUP_STALL_POLLS && this.nudge !== undefined) {
        await this.nudge();
        stalled = 0;
      }
      if (waiting.length > 0) await new Promise((r) => setTimeout(r, SETUP_POLL_MS));
    }
  }
}

/** Next nonce of each address, in batches ('pending' counts transactions still in the pool). */
export async function fetchNonces(endpoint: string, addresses: readonly Hex[], tag: 'pending' | 'latest' = 'pending'): Promise<bigint[]> {
  const client = new HttpRpcClient(endpoint);
  try {
    const out: bigint[] = [];
    for (let k = 0; k < addresses.length; k += SETUP_BATCH) {
      const part = addresses.slice(k, k + SETUP_BATCH);
      const answers = await client.batch(part.map((a) => ({ method: 'eth_getTransactionCount', params: [a, tag] })));
      for (const a of answers) {
        if (!a.ok) throw new BenchError('RPC_ERROR', `eth_getTransactionCount failed at ${endpoint}: ${a.error.message}`);
        out.push(BigInt(a.result as string));
      }
    }
    return out;
  } finally {
    client.close();
  }
}
