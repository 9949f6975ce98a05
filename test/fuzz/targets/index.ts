// Every fuzz target, by area: the test files run each briefly, `npm run fuzz` runs them long.
import type { FuzzTarget } from '../harness.js';
import { CONSENSUS_TARGETS } from './consensus-envelope.js';
import { NODE_WIRE_TARGETS } from './node-wire.js';
import { RPC_TARGETS } from './rpc-dispatch.js';
import { TRANSACTION_TARGETS } from './transaction.js';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [...NODE_WIRE_TARGETS, ...CONSENSUS_TARGETS, ...TRANSACTION_TARGETS, ...RPC_TARGETS];
