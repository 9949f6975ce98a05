// A chain under test: where to send load, how to watch its blocks, and (for a cluster) how
// to take one validator down and bring it back.
export interface Target {
  /** Name used in the report ("synod", "hardhat"). */
  readonly name: string;
  /** Version string the node reports (web3_clientVersion) or its package version. */
  readonly version: string;
  readonly chainId: bigint;
  /** HTTP JSON-RPC endpoints; load goes to all of them round-robin by sender. */
  readonly endpoints: readonly string[];
  /** WebSocket endpoint for newHeads; the block watcher polls HTTP if absent. */
  readonly wsEndpoint?: string;
  /** Present on multi-validator targets: kills one validator (never the watched one). */
  readonly faults?: FaultControl;
  /**
   * Present on a node that can leave accepted transactions unmined until something else
   * happens (Anvil's automine after a burst): called when a drain makes no progress.
   */
  nudge?(): Promise<void>;
  /** Present where the bench can see the validator processes: CPU and message counters. */
  readonly validators?: ValidatorProbe;
  stop(): Promise<void>;
}

export interface FaultControl {
  /** Kills one validator abruptly (SIGKILL); resolves with a label for the report. */
  killOne(): Promise<string>;
  /** Restarts the killed validator; resolves once it answers JSON-RPC again. */
  restartKilled(): Promise<void>;
}

export interface ValidatorProbe {
  /** The validator processes' pids, in validator order (a restarted validator has a new one). */
  pids(): Promise<number[]>;
  /** Base URLs whose /metrics each validator serves. */
  readonly metricsEndpoints: readonly string[];
}
