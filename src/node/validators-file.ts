// A network's validators file, what `synod init --validators-file FILE` builds a genesis from: the
// stake file of `synod analyze --stakes` (T, form, nodes[].{id, stake, lock, coefficient,
// byzantine}) with, per node, its ed25519 public key (printed by `synod keys generate` on its own
// machine) and the host:port other validators dial, so `synod analyze` sizes K on the same file:
//   {"T": 90, "form": "product",
//    "nodes": [{"id": "v0", "publicKey": "0x…", "address": "v0.example.net:30300",
//               "stake": 100, "lock": 30, "coefficient": 1, "rpc": "0.0.0.0:8545"}]}
// "rpc" (optional) is where that validator serves JSON-RPC; `byzantine` is analyze's and ignored here.
import type { Hex } from '../chain/types.js';
import { fromHex } from '../crypto/bytes.js';
import { isValidPublicKey } from '../crypto/ed25519.js';
import { StakeError } from '../stake/errors.js';
import { parseStakeFile } from '../stake/stake-file.js';
import type { WeightForm } from '../stake/weight.js';
import { parseHostPort, type HostPort } from './config.js';
import { ConfigError } from './errors.js';

export const VALIDATORS_FILE_NODE_FIELDS: readonly string[] = ['publicKey', 'address', 'rpc'];
/** Ids name each validator's folder: letters, digits, '.', '_' and '-', up to this many characters. */
export const MAX_VALIDATOR_ID_CHARS = 64;
/** RFC 1035's longest host name. */
export const MAX_HOST_NAME_CHARS = 253;

export interface ValidatorsFileNode {
  readonly id: string;
  readonly publicKey: Hex;
  /** host:port its peers dial, as written. */
  readonly address: string;
  readonly endpoint: HostPort;
  readonly rpc?: HostPort;
  readonly stake: number;
  readonly lock: number;
  readonly coefficient: number;
}

export interface ValidatorsFile {
  readonly maxLock: number;
  readonly form: WeightForm;
  readonly nodes: readonly ValidatorsFileNode[];
}

export function parseValidatorsFile(text: string, source: string): ValidatorsFile {
  let stakes;
  try {
    stakes = parseStakeFile(text, { extraNodeFields: VALIDATORS_FILE_NODE_FIELDS });
  } catch (error) {
    if (error instanceof StakeError) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
  const raw = (JSON.parse(text) as { nodes: Record<string, unknown>[] }).nodes;
  const keys = new Map<string, number>();
  const addresses = new Map<string, number>();
  const nodes = stakes.nodes.map((node, i): ValidatorsFileNode => {
    const field = `${source}: nodes[${i}]`;
    if (node.id.length > MAX_VALIDATOR_ID_CHARS || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(node.id)) {
      throw new ConfigError(`${field}.id "${node.id}" names the validator's folder: use letters, digits, '.', '_' or '-' (starting with a letter or digit), at most ${MAX_VALIDATOR_ID_CHARS} characters`);
    }
    const { publicKey, address, rpc } = raw[i]!;
    if (publicKey === undefined) throw new ConfigError(`${field}.publicKey is missing: give the validator's ed25519 public key, as 'synod keys generate' prints it on its machine`);
    if (typeof publicKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(publicKey)) {
      throw new ConfigError(`${field}.publicKey must be an ed25519 public key, 0x + 64 hex digits ('synod keys inspect' prints it), got ${JSON.stringify(publicKey)}`);
    }
    if (!isValidPublicKey(fromHex(publicKey))) {
      throw new ConfigError(`${field}.publicKey ${publicKey} is not a point of the ed25519 curve (or is a weak, small-order one): copy it again from 'synod keys inspect' on the validator's machine`);
    }
    const key = publicKey.toLowerCase();
    if (keys.has(key)) throw new ConfigError(`${field}.publicKey repeats nodes[${keys.get(key)}].publicKey: every validator has its own key`);
    keys.set(key, i);
    if (address === undefined) throw new ConfigError(`${field}.address is missing: give the "host:port" other validators dial (a DNS name or an IP address)`);
    const endpoint = peerEndpoint(address, `${field}.address`);
    const where = `${endpoint.host.toLowerCase()}:${endpoint.port}`;
    if (addresses.has(where)) throw new ConfigError(`${field}.address ${where} repeats nodes[${addresses.get(where)}].address: each validator listens on its own host:port`);
    addresses.set(where, i);
    return {
      id: node.id,
      publicKey: key as Hex,
      address: address as string,
      endpoint,
      ...(rpc === undefined ? {} : { rpc: parseHostPort(rpc, `${field.replace(/^.*: /, '')}.rpc`) }),
      stake: node.stake,
      lock: node.lock,
      coefficient: node.coefficient,
    };
  });
  return { maxLock: stakes.maxLock, form: stakes.form, nodes };
}

/** A host:port others dial: an IPv4 address, a bracketed IPv6 address or a DNS name, never a wildcard. */
export function peerEndpoint(value: unknown, field: string): HostPort {
  let endpoint: HostPort;
  try {
    endpoint = parseHostPort(value, field);
  } catch {
    throw new ConfigError(`${field} must be "host:port" (for example "10.0.0.1:30300" or "v0.example.net:30300"), got ${JSON.stringify(value)}`);
  }
  const { host, port } = endpoint;
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host.split('.').every((part) => Number(part) <= 255);
  const ipv6 = (value as string).startsWith('[') && /^[0-9a-fA-F:.]+$/.test(host) && host.includes(':');
  const dns = host.length <= MAX_HOST_NAME_CHARS && /^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(host);
  if (!ipv4 && !ipv6 && !dns) throw new ConfigError(`${field}: "${host}" is not an IPv4 address, a [bracketed] IPv6 address or a DNS name`);
  if (host === '0.0.0.0' || host === '::') throw new ConfigError(`${field}: ${host} is where a node listens, not an address others can dial: give the validator's own IP address or DNS name`);
  if (port === 0) throw new ConfigError(`${field}: port 0 cannot be dialled: give the port the validator listens on`);
  return endpoint;
}
