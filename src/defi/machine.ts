// The genesis machine: an in-memory EVM (the chain's own: @ethereumjs, Prague, the chain's id) in
// which the genesis deployer's transactions run at the genesis block's number and timestamp. What
// they leave behind (code, storage, nonces, balances) becomes genesis alloc, so every validator
// starts from the same state root without running anything. `alloc()` checks that the alloc it
// returns rebuilds exactly the machine's state root: nothing the transactions wrote is missed.
import { createBlock, type Block } from '@ethereumjs/block';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { createTxFromRLP } from '@ethereumjs/tx';
import { Account, Address, bytesToHex, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { decodeErrorResult, type Abi } from 'viem';
import type { Hex } from '../chain/types.js';
import { createChainCommon } from '../execution/engine.js';
import { applyAlloc, type GenesisAccount } from '../execution/genesis.js';

/** Gas one genesis transaction may use: room for the largest published contract's creation (Aave's PoolConfigurator). */
export const GENESIS_TX_GAS_LIMIT = 30_000_000n;

export class GenesisDeployError extends Error {
  constructor(message: string) {
    super(`DeFi genesis: ${message}`);
    this.name = 'GenesisDeployError';
  }
}

export interface MachineOptions {
  readonly chainId: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  /** Accounts that exist before the deployer's first transaction (the genesis's own alloc). */
  readonly alloc: Record<Hex, GenesisAccount>;
}

export class GenesisMachine {
  private readonly touched = new Map<string, Set<string>>();

  private constructor(
    private readonly vm: VM,
    private readonly state: MerkleStateManager,
    private readonly block: Block,
  ) {}

  static async create(options: MachineOptions): Promise<GenesisMachine> {
    const common = createChainCommon(options.chainId);
    const state = new MerkleStateManager({ common });
    await applyAlloc(state, options.alloc);
    const vm = await createVM({ common, stateManager: state });
    // Base fee 0: the deployer's transactions cost nothing and burn nothing, so no balance but the ones
    // they move changes; block number 0 and the genesis timestamp are what the contracts see.
    const block = createBlock({ header: { number: 0n, timestamp: options.timestamp, gasLimit: options.gasLimit, baseFeePerGas: 0n } }, { common });
    const machine = new GenesisMachine(vm, state, block);
    for (const [address, account] of Object.entries(options.alloc)) {
      const slots = machine.touch(address);
      for (const key of Object.keys(account.storage ?? {})) slots.add(bytesToHex(setLengthLeft(hexToBytes(key as Hex), 32)));
    }
    machine.record();
    return machine;
  }

  /** Remembers every account and storage slot the EVM writes, to read them back into alloc. */
  private record(): void {
    const state = this.state;
    const putAccount = state.putAccount.bind(state);
    const putCode = state.putCode.bind(state);
    const putStorage = state.putStorage.bind(state);
    const modify = state.modifyAccountFields.bind(state);
    state.putAccount = async (address, account) => {
      this.touch(address.toString());
      return putAccount(address, account);
    };
    state.putCode = async (address, code) => {
      this.touch(address.toString());
      return putCode(address, code);
    };
    state.modifyAccountFields = async (address, fields) => {
      this.touch(address.toString());
      return modify(address, fields);
    };
    state.putStorage = async (address, key, value) => {
      this.touch(address.toString()).add(bytesToHex(setLengthLeft(key, 32)));
      return putStorage(address, key, value);
    };
  }

  private touch(address: string): Set<string> {
    const key = address.toLowerCase();
    let slots = this.touched.get(key);
    if (slots === undefined) this.touched.set(key, (slots = new Set()));
    return slots;
  }

  async setBalance(address: Hex, balance: bigint): Promise<void> {
    const where = createAddressFromString(address);
    const account = await this.state.getAccount(where);
    await this.state.modifyAccountFields(where, { balance, nonce: account?.nonce ?? 0n });
  }

  /** Runs a message from `from` as a transaction would (nonce incremented, value moved); throws on revert. */
  async send(from: Hex, to: Hex | undefined, data: Hex, what: string, options: { value?: bigint; abi?: Abi } = {}): Promise<{ created?: Hex; returned: Hex }> {
    const result = await this.vm.evm.runCall({
      caller: createAddressFromString(from),
      origin: createAddressFromString(from),
      ...(to !== undefined ? { to: createAddressFromString(to) } : {}),
      data: hexToBytes(data),
      value: options.value ?? 0n,
      gasLimit: GENESIS_TX_GAS_LIMIT,
      block: this.block,
    });
    const returned = bytesToHex(result.execResult.returnValue) as Hex;
    if (result.execResult.exceptionError !== undefined) {
      throw new GenesisDeployError(`${what} failed: ${result.execResult.exceptionError.error}${describeRevert(returned, options.abi)}`);
    }
    return { ...(result.createdAddress ? { created: result.createdAddress.toString() as Hex } : {}), returned };
  }

  /** Reads with a static call (state unchanged). */
  async read(to: Hex, data: Hex, what: string): Promise<Hex> {
    const result = await this.vm.evm.runCall({ to: createAddressFromString(to), data: hexToBytes(data), gasLimit: GENESIS_TX_GAS_LIMIT, isStatic: true, block: this.block, skipNonceIncrement: true });
    if (result.execResult.exceptionError !== undefined) throw new GenesisDeployError(`${what} failed: ${result.execResult.exceptionError.error}`);
    return bytesToHex(result.execResult.returnValue) as Hex;
  }

  /**
   * Runs creation code as the constructor of a contract at `address` (ADDRESS is `address`, storage is its
   * own), then installs the returned runtime code there: the contract a CREATE at that address would leave.
   */
  async createAt(address: Hex, initCode: Hex, from: Hex, what: string): Promise<void> {
    const target = createAddressFromString(address);
    if ((await this.state.getCode(target)).length > 0) throw new GenesisDeployError(`${what}: ${address} already holds code`);
    await this.vm.evm.journal.checkpoint();
    // As CREATE does (EIP-161): the new account exists with nonce 1 before its constructor runs.
    await this.state.putAccount(target, new Account(1n, (await this.state.getAccount(target))?.balance ?? 0n));
    const result = await this.vm.evm.runCode({ code: hexToBytes(initCode), data: new Uint8Array(), to: target, caller: createAddressFromString(from), origin: createAddressFromString(from), gasLimit: GENESIS_TX_GAS_LIMIT, block: this.block });
    if (result.exceptionError !== undefined) {
      await this.vm.evm.journal.revert();
      throw new GenesisDeployError(`${what} failed: ${result.exceptionError.error}`);
    }
    await this.vm.evm.journal.commit();
    await this.state.putCode(target, result.returnValue);
  }

  /** Runs a signed raw transaction exactly as a block would (used for presigned deployments). */
  async runRawTransaction(raw: Hex, what: string): Promise<void> {
    const tx = createTxFromRLP(hexToBytes(raw), { common: this.vm.common });
    const result = await runTx(this.vm, { tx, block: this.block, skipBlockGasLimitValidation: true });
    if (result.execResult.exceptionError !== undefined) throw new GenesisDeployError(`${what} failed: ${result.execResult.exceptionError.error}`);
  }

  async code(address: Hex): Promise<Hex> {
    return bytesToHex(await this.state.getCode(createAddressFromString(address))) as Hex;
  }

  async nonce(address: Hex): Promise<bigint> {
    return (await this.state.getAccount(createAddressFromString(address)))?.nonce ?? 0n;
  }

  /** Every account that exists now, as genesis alloc; throws unless that alloc rebuilds this state root. */
  async alloc(): Promise<Record<Hex, GenesisAccount>> {
    await this.state.checkpoint();
    await this.state.commit();
    await this.state.flush();
    const out: Record<Hex, GenesisAccount> = {};
    for (const [key, slots] of [...this.touched].sort(([a], [b]) => a.localeCompare(b))) {
      const address = new Address(hexToBytes(key as Hex));
      const account = await this.state.getAccount(address);
      if (account === undefined) continue;
      const code = bytesToHex(await this.state.getCode(address)) as Hex;
      const storage: Record<Hex, Hex> = {};
      for (const slot of [...slots].sort()) {
        const value = await this.state.getStorage(address, hexToBytes(slot as Hex));
        if (value.length > 0) storage[slot as Hex] = bytesToHex(setLengthLeft(value, 32)) as Hex;
      }
      out[key as Hex] = {
        balance: account.balance,
        ...(account.nonce !== 0n ? { nonce: account.nonce } : {}),
        ...(code !== '0x' ? { code } : {}),
        ...(Object.keys(storage).length > 0 ? { storage } : {}),
      };
    }
    const rebuilt = new MerkleStateManager({ common: this.vm.common });
    await applyAlloc(rebuilt, out);
    const [want, got] = [bytesToHex(await this.state.getStateRoot()), bytesToHex(await rebuilt.getStateRoot())];
    if (want !== got) throw new GenesisDeployError(`the alloc read back rebuilds state root ${got}, not the machine's ${want}`);
    return out;
  }
}

function describeRevert(data: Hex, abi: Abi | undefined): string {
  if (data === '0x') return '';
  if (data.startsWith('0x08c379a0')) {
    try {
      const decoded = decodeErrorResult({ abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }], data });
      return ` (reverted: ${String(decoded.args[0])})`;
    } catch {
      /* fall through to the raw data */
    }
  }
  if (abi !== undefined) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      return ` (reverted: ${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')}))`;
    } catch {
      /* fall through to the raw data */
    }
  }
  return ` (revert data ${data.slice(0, 138)})`;
}
