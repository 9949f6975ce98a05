// The simulated clients of a node-level run: real signed Ethereum transfers (legacy EIP-155, the
// node's own signer) from senders funded at genesis, handed to honest nodes through the node's own
// submit path (mempool admission, the durable pending store, gossip). A sender has at most one
// transaction in flight: its nonce advances only once a node has acknowledged the transaction, so
// a refusal (a node crashed mid-call) never leaves a nonce gap.
import { keccak256 } from '../crypto/hash.js';
import { fromHex, uintToBytes, utf8 } from '../crypto/bytes.js';
import { accountFromPrivateKey, signLegacyTx, type Account, type Hex } from '../execution/legacy-tx.js';
import type { Rng } from './random.js';

export const SENDER_BALANCE_WEI = 10n ** 21n;
export const TRANSFER_GAS_PRICE_WEI = 2_000_000_000n;
export const TRANSFER_GAS = 21_000n;

interface Sender {
  readonly account: Account;
  nonce: bigint;
  inFlight: boolean;
}

export interface Submission {
  readonly raw: Uint8Array;
  readonly hash: Hex;
  /** Call with the node's answer: acknowledged (durable there) or refused. */
  settle(acknowledged: boolean): void;
}

export class TransferWorkload {
  private readonly senders: Sender[];
  readonly acknowledged = new Set<Hex>();
  refused = 0;

  constructor(
    private readonly rng: Rng,
    senderCount: number,
    private readonly chainId: bigint,
    runSeed: number,
    /** The highest nonce any honest node's state has for an address (a refused transfer may still land). */
    private readonly chainNonce: (address: Hex) => bigint,
  ) {
    this.senders = Array.from({ length: senderCount }, (_, i) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return { account: accountFromPrivateKey(keccak256(utf8(`synod/sim/sender/${runSeed}/${i}/${attempt}`))), nonce: 0n, inFlight: false };
        } catch {
          // not a valid scalar (probability 2^-128): try the next label
        }
      }
    });
  }

  /** The genesis balances of the senders. */
  alloc(): Map<string, bigint> {
    return new Map(this.senders.map((s) => [s.account.addressHex, SENDER_BALANCE_WEI]));
  }

  get totalSupply(): bigint {
    return SENDER_BALANCE_WEI * BigInt(this.senders.length);
  }

  /** The next transfer of a sender with nothing in flight, or undefined when all are busy. */
  next(): Submission | undefined {
    const idle = this.senders.filter((s) => !s.inFlight);
    if (idle.length === 0) return undefined;
    const sender = this.rng.pick(idle);
    const landed = this.chainNonce(sender.account.addressHex);
    if (landed > sender.nonce) sender.nonce = landed;
    const recipient = this.rng.chance(0.5) ? this.rng.pick(this.senders).account.address : keccak256(uintToBytes(this.rng.int(0, 1_000_000), 8)).subarray(12);
    const signed = signLegacyTx({ nonce: sender.nonce, gasPriceWei: TRANSFER_GAS_PRICE_WEI, gasLimit: TRANSFER_GAS, to: recipient, valueWei: BigInt(this.rng.int(1, 1_000_000)), data: new Uint8Array(), chainId: this.chainId }, sender.account);
    sender.inFlight = true;
    return {
      raw: fromHex(signed.raw),
      hash: signed.hash,
      settle: (acknowledged) => {
        sender.inFlight = false;
        if (acknowledged) {
          sender.nonce++;
          this.acknowledged.add(signed.hash);
        } else {
          this.refused++;
        }
      },
    };
  }
}
