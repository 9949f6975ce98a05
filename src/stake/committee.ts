// The committee of an epoch: who votes and with what weight. One definition for every layer
// (consensus tallies votes with it, chain/ verifies certificates against it, the node and the RPC
// report it); thresholds over it are in quorum.ts.

export interface CommitteeMember {
  /** Position in the committee (committee order); certificates and votes name members by it. */
  readonly index: number;
  /** Operator-chosen name (config id), for logs and status pages. */
  readonly id: string;
  /** ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** V_i of the seed model, as an integer. */
  readonly weight: bigint;
}

export interface Committee {
  readonly epoch: number;
  readonly members: readonly CommitteeMember[];
  /** Sum of the members' weights. */
  readonly totalWeight: bigint;
}

/** The member holding `publicKey`, if any. */
export function memberByKey(committee: Committee, publicKey: Uint8Array): CommitteeMember | undefined {
  return committee.members.find((m) => m.publicKey.length === publicKey.length && m.publicKey.every((b, i) => b === publicKey[i]));
}
