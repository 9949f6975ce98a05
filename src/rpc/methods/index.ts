// The method table: every JSON-RPC method the server answers, by name, and the table a server
// serves: only the methods of its enabled namespaces, plus rpc_modules.
import { namespaceOf, RPC_META_NAMESPACE, RPC_MODULE_VERSION } from '../namespaces.js';
import { accountMethods } from './accounts.js';
import { adminMethods } from './admin.js';
import { chainMethods } from './chain.js';
import { method, type MethodSpec } from './context.js';
import { debugMethods } from './debug.js';
import { devMethods } from './dev.js';
import { feeMethods } from './fees.js';
import { filterMethods } from './filters.js';
import { simulateMethods } from './simulate.js';
import { stateMethods } from './state.js';
import { synodMethods } from './synod.js';
import { txpoolMethods } from './txpool.js';

export const METHODS: ReadonlyMap<string, MethodSpec> = new Map(
  Object.entries({ ...chainMethods, ...accountMethods, ...stateMethods, ...debugMethods, ...simulateMethods, ...feeMethods, ...filterMethods, ...synodMethods, ...txpoolMethods, ...devMethods, ...adminMethods }),
);

/** The methods of the enabled namespaces; a method outside them answers -32601 like an unknown one. */
export function methodsFor(api: readonly string[], all: ReadonlyMap<string, MethodSpec> = METHODS): ReadonlyMap<string, MethodSpec> {
  const enabled = new Set([...api, RPC_META_NAMESPACE]);
  const table = new Map([...all].filter(([name]) => enabled.has(namespaceOf(name))));
  const modules = Object.fromEntries([...enabled].map((name) => [name, RPC_MODULE_VERSION]));
  table.set('rpc_modules', method(0, 0, () => modules));
  return table;
}
