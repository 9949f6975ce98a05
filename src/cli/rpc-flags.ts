// The JSON-RPC flags shared by `synod start` and `synod devnet` (geth's --http.api,
// --http.corsdomain, --http.vhosts, --ws.origins, --rpc.gascap, --rpc.evmtimeout,
// --rpc.batch-request-limit, --rpc.batch-response-max-size, --metrics.addr): their parseArgs
// options, their help lines, and their values as overrides of the config file.
import { CliError } from './command.js';
import type { HostPort } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { DEFAULT_RPC_SETTINGS, type RpcSettings } from '../node/rpc-settings.js';
import { collectSettings, OPERATOR_SETTINGS, parseOverrides, RPC_SETTINGS_BY_FLAG as RPC_FLAG_KEYS } from '../node/settings.js';

const RPC_FLAG_SETTINGS = OPERATOR_SETTINGS.filter((s) => s.flag in RPC_FLAG_KEYS || s.flag === 'metrics-addr');

type RpcFlag = keyof typeof RPC_FLAG_KEYS | 'metrics-addr';

export const RPC_FLAG_OPTIONS = Object.fromEntries(
  [...Object.keys(RPC_FLAG_KEYS), 'metrics-addr'].map((flag) => [flag, { type: 'string' }]),
) as Record<RpcFlag, { type: 'string' }>;

const d = DEFAULT_RPC_SETTINGS;

export function rpcFlagsHelp(defaults: { api: readonly string[]; cors: readonly string[]; wsOrigins: readonly string[]; metricsAddr: string }): string {
  const list = (l: readonly string[]) => (l.length === 0 ? 'none' : l.join(','));
  return `JSON-RPC options (override the config's "rpc" object; lists are comma-separated):
  --rpc-api LIST       namespaces served (default ${list(defaults.api)}); others answer -32601
  --rpc-cors LIST      origins that get CORS headers, * for any (default ${list(defaults.cors)})
  --rpc-vhosts LIST    Host names accepted besides IP addresses, * for any (default ${list(d.vhosts)})
  --ws-origins LIST    browser origins allowed to open a WebSocket, * for any (default ${list(defaults.wsOrigins)});
                       clients that send no Origin (viem, ethers in Node) are always allowed
  --rpc-gascap GAS     gas an eth_call or eth_estimateGas may use, 0 = no cap (default ${d.gasCap})
  --rpc-evmtimeout D   how long one eth_call may run, like 5s or 500ms, 0 = no limit (default ${d.evmTimeoutMs / 1000}s)
  --rpc-batch-limit N  calls in one batch, 0 = no limit (default ${d.batchLimit})
  --rpc-batch-response-max-bytes N
                       bytes of one batch's answers, 0 = no limit (default ${d.batchResponseMaxBytes})
  --metrics-addr H:P   also serve /metrics, /livez and /readyz on this address (default ${defaults.metricsAddr})`;
}

export interface RpcFlagValues {
  readonly rpc: Partial<RpcSettings>;
  readonly metricsAddr?: HostPort;
}

/** The flags given, parsed and checked; a bad value is a CliError naming the flag. */
export function rpcFlagOverrides(values: Partial<Record<RpcFlag, string | undefined>>): RpcFlagValues {
  const { rpc, metricsAddr } = cliErrors(() => parseOverrides(collectSettings(values, {}, RPC_FLAG_SETTINGS)));
  return metricsAddr === undefined ? { rpc: rpc ?? {} } : { rpc: rpc ?? {}, metricsAddr };
}

/** Runs `parse`, turning a ConfigError about a flag or a variable into a usage error. */
export function cliErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message.replace(/^config: /, ''));
    throw error;
  }
}

/** The flags given, as arguments for `synod start` (how `synod devnet` hands them to its validators). */
export function rpcFlagArgs(values: Partial<Record<RpcFlag, string | undefined>>, exclude: readonly RpcFlag[] = []): string[] {
  return Object.keys(RPC_FLAG_OPTIONS).flatMap((flag) => {
    const value = values[flag as RpcFlag];
    return value === undefined || exclude.includes(flag as RpcFlag) ? [] : [`--${flag}`, value];
  });
}
