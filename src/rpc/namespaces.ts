// RPC namespaces (geth's --http.api): a method is served only when the part of its name before
// the first `_` is enabled. `rpc_modules` (namespace `rpc`) is always served and lists the
// enabled namespaces with `rpc` itself, as geth's does.

/** What `synod start` serves unless configured (geth serves eth,net,web3 by default). */
export const DEFAULT_RPC_API: readonly string[] = ['eth', 'net', 'web3', 'synod'];
/** What `synod devnet` serves: the developer namespaces too. Never for a public endpoint. */
export const DEVNET_RPC_API: readonly string[] = ['eth', 'net', 'web3', 'synod', 'debug', 'txpool', 'evm', 'anvil', 'hardhat', 'personal'];
/** The namespace of rpc_modules: always on. */
export const RPC_META_NAMESPACE = 'rpc';
/** The node's own operation (admin_setLogLevel): served only when named, never by default. */
export const ADMIN_NAMESPACE = 'admin';
/** Every namespace this server knows; others are accepted with a warning, as geth does. */
export const KNOWN_RPC_NAMESPACES: readonly string[] = [...DEVNET_RPC_API, ADMIN_NAMESPACE, RPC_META_NAMESPACE];
/** geth reports every module at version 1.0 in rpc_modules. */
export const RPC_MODULE_VERSION = '1.0';

const NAMESPACE_PATTERN = /^[a-z][a-z0-9]*$/;

export function namespaceOf(method: string): string {
  const cut = method.indexOf('_');
  return cut < 0 ? method : method.slice(0, cut);
}

/** Why a namespace name is malformed, or undefined when it is well formed. */
export function namespaceProblem(name: string): string | undefined {
  return NAMESPACE_PATTERN.test(name) ? undefined : `"${name}" is not a namespace name (lowercase letters and digits, like eth or debug)`;
}

export function unknownNamespaces(api: readonly string[]): string[] {
  return api.filter((name) => !KNOWN_RPC_NAMESPACES.includes(name));
}
