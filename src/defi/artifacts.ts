// Where each contract's bytecode comes from. Published artifacts are read from the npm packages
// as installed (never copied, never recompiled): Uniswap V2's build/ (solc 0.5.16 and 0.6.6, as
// Uniswap published them), Aave V3's artifacts/ (solc 0.8.10), Safe 1.5.0's build/artifacts/
// (solc 0.7.6) and OpenZeppelin's build/contracts/. The chain's own contracts come from
// contracts/build/defi.json (scripts/compile-defi.mjs). Library placeholders are linked here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi } from 'viem';
import type { Hex } from '../chain/types.js';
import { GenesisDeployError } from './machine.js';

const require = createRequire(import.meta.url);

/** Byte offsets of one library's placeholders, by source file and library name (solc's linkReferences). */
export type LinkReferences = Record<string, Record<string, readonly { readonly start: number; readonly length: number }[]>>;

export interface Artifact {
  readonly name: string;
  /** npm package and file (or contracts/build/defi.json) the bytes were read from. */
  readonly origin: string;
  readonly abi: Abi;
  /** Creation code (placeholders still in, when linkReferences is not empty). */
  readonly bytecode: Hex;
  /** Runtime code as compiled: zeros where immutables go, placeholders where libraries go. */
  readonly deployedBytecode: Hex;
  readonly linkReferences: LinkReferences;
  readonly deployedLinkReferences: LinkReferences;
}

const cache = new Map<string, Artifact>();

function readJson(file: string): any {
  return JSON.parse(readFileSync(require.resolve(file), 'utf8'));
}

function hex(text: string): Hex {
  return (text.startsWith('0x') ? text : `0x${text}`) as Hex;
}

function memo(key: string, load: () => Artifact): Artifact {
  let artifact = cache.get(key);
  if (artifact === undefined) cache.set(key, (artifact = load()));
  return artifact;
}

/** A contract of @uniswap/v2-core or @uniswap/v2-periphery, from the package's build/ (Waffle output). */
export function uniswapArtifact(pkg: '@uniswap/v2-core' | '@uniswap/v2-periphery', name: string): Artifact {
  return memo(`${pkg}/${name}`, () => {
    const file = `${pkg}/build/${name}.json`;
    const json = readJson(file);
    return {
      name,
      origin: file,
      abi: json.abi,
      bytecode: hex(json.evm.bytecode.object),
      deployedBytecode: hex(json.evm.deployedBytecode.object),
      linkReferences: json.evm.bytecode.linkReferences ?? {},
      deployedLinkReferences: json.evm.deployedBytecode.linkReferences ?? {},
    };
  });
}

function hardhatArtifact(file: string): Artifact {
  return memo(file, () => {
    const json = readJson(file);
    return {
      name: json.contractName,
      origin: file,
      abi: json.abi,
      bytecode: hex(json.bytecode),
      deployedBytecode: hex(json.deployedBytecode),
      linkReferences: json.linkReferences ?? {},
      deployedLinkReferences: json.deployedLinkReferences ?? {},
    };
  });
}

/** A contract of @aave/core-v3 by its path under contracts/, e.g. 'protocol/pool/Pool.sol/Pool'. */
export const aaveArtifact = (path: string): Artifact => hardhatArtifact(`@aave/core-v3/artifacts/contracts/${path}.json`);
/** A contract of @safe-global/safe-smart-account by its path under contracts/. */
export const safeArtifact = (path: string): Artifact => hardhatArtifact(`@safe-global/safe-smart-account/build/artifacts/contracts/${path}.json`);
/** A contract of @openzeppelin/contracts from the package's build/contracts/. */
export const openZeppelinArtifact = (name: string): Artifact => hardhatArtifact(`@openzeppelin/contracts/build/contracts/${name}.json`);

const DEFI_BUILD = new URL('../../contracts/build/defi.json', import.meta.url);

/** One of the chain's own contracts (contracts/defi/*.sol), compiled into contracts/build/defi.json. */
export function synodArtifact(name: string): Artifact {
  return memo(`synod/${name}`, () => {
    const build = JSON.parse(readFileSync(DEFI_BUILD, 'utf8')) as { contracts: Record<string, { abi: Abi; bytecode: Hex; deployedBytecode: Hex }> };
    const c = build.contracts[name];
    if (c === undefined) throw new GenesisDeployError(`contracts/build/defi.json has no ${name}: run node scripts/compile-defi.mjs`);
    return { name, origin: 'contracts/build/defi.json', abi: c.abi, bytecode: c.bytecode, deployedBytecode: c.deployedBytecode, linkReferences: {}, deployedLinkReferences: {} };
  });
}

/** `code` with every library placeholder of `references` replaced by the library's address. */
export function link(code: Hex, references: LinkReferences, libraries: Readonly<Record<string, Hex>>, what: string): Hex {
  let body = code.slice(2);
  for (const byName of Object.values(references)) {
    for (const [library, places] of Object.entries(byName)) {
      const address = libraries[library];
      if (address === undefined) throw new GenesisDeployError(`${what} needs library ${library}, which is not deployed yet`);
      for (const { start, length } of places) {
        if (length !== 20) throw new GenesisDeployError(`${what}: a ${length}-byte library placeholder`);
        body = body.slice(0, start * 2) + address.slice(2).toLowerCase() + body.slice((start + length) * 2);
      }
    }
  }
  if (body.includes('__')) throw new GenesisDeployError(`${what}: unlinked library placeholders remain`);
  return `0x${body}` as Hex;
}
