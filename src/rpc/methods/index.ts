// The method table: every JSON-RPC method the server answers, by name.
import { chainMethods } from './chain.js';
import type { MethodSpec } from './context.js';
import { feeMethods } from './fees.js';
import { filterMethods } from './filters.js';
import { stateMethods } from './state.js';
import { synodMethods } from './synod.js';

export const METHODS: ReadonlyMap<string, MethodSpec> = new Map(
  Object.entries({ ...chainMethods, ...stateMethods, ...feeMethods, ...filterMethods, ...synodMethods }),
);
