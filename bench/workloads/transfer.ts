// Plain ETH transfers: sender i pays 1 wei to sender i+1 (an existing account, as in real
// payment traffic), 21,000 gas each.
import { signLegacyTx } from '../tx/sign.js';
import { roundRobin, type Workload } from './types.js';

const TRANSFER_GAS = 21_000n;

export const transferWorkload: Workload = {
  name: 'transfer',
  description: 'ETH transfer of 1 wei between benchmark accounts (21,000 gas)',
  async setup() {
    // Senders are funded by the target (genesis or its funding phase); nothing to deploy.
  },
  async buildTransactions(ctx, count) {
    const n = ctx.senders.length;
    return roundRobin(ctx, count, (s, nonce) =>
      signLegacyTx(
        { nonce, gasPriceWei: ctx.gasPriceWei, gasLimit: TRANSFER_GAS, to: ctx.senders[(s + 1) % n].address, valueWei: 1n, data: new Uint8Array(0), chainId: ctx.chainId },
        ctx.senders[s],
      ).raw,
    );
  },
};
