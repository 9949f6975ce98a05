// ERC-20 transfers: the deployer account deploys BenchToken and mints to every sender in batches; then
// sender i transfers 1 unit to sender i+1 (two warm balance slots and a Transfer log).
import { compileBenchContract } from '../contracts/compile.js';
import { contractAddress, signLegacyTx } from '../tx/sign.js';
import { fromHex, toHex, uintToBytes, concatBytes, utf8 } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/hash.js';
import type { Account, Hex } from '../tx/accounts.js';
import { roundRobin, type Workload, type WorkloadContext } from './types.js';

const DEPLOY_GAS = 1_500_000n;
const TRANSFER_GAS = 80_000n;
/** Recipients per mintBatch call: about 25,000 gas each keeps one call well under a block. */
const MINT_RECIPIENTS_PER_TX = 200;
const MINT_GAS_PER_RECIPIENT = 30_000n;
const MINT_AMOUNT = 10n ** 24n;
// First four bytes of keccak256 of the signature (Solidity ABI spec, "Function Selector").
const selector = (signature: string): Uint8Array => keccak256(utf8(signature)).subarray(0, 4);
const SELECTOR_TRANSFER = selector('transfer(address,uint256)');
const SELECTOR_MINT_BATCH = selector('mintBatch(address[],uint256)');
const TOKEN_KEY = 'erc20.token';

const word = (value: bigint): Uint8Array => uintToBytes(value, 32);
const addressWord = (address: Uint8Array): Uint8Array => concatBytes(new Uint8Array(12), address);

function mintBatchCalldata(recipients: readonly Uint8Array[]): Uint8Array {
  // Head: offset of the dynamic array (0x40), amount; tail: length, then the elements.
  return concatBytes(SELECTOR_MINT_BATCH, word(64n), word(MINT_AMOUNT), word(BigInt(recipients.length)), ...recipients.map(addressWord));
}

/** The setup signer and the nonce of its next transaction (see WorkloadContext.deployer). */
function setupSigner(ctx: WorkloadContext): { account: Account; nonce: bigint } {
  return ctx.deployer ? { account: ctx.deployer, nonce: ctx.deployerNonce ?? 0n } : { account: ctx.senders[0], nonce: ctx.nonces[0] };
}

function signSetup(ctx: WorkloadContext, gasLimit: bigint, to: Uint8Array | undefined, data: Uint8Array): Hex {
  const { account, nonce } = setupSigner(ctx);
  if (ctx.deployer) ctx.deployerNonce = nonce + 1n;
  else ctx.nonces[0] = nonce + 1n;
  return signLegacyTx({ nonce, gasPriceWei: ctx.gasPriceWei, gasLimit, to, valueWei: 0n, data, chainId: ctx.chainId }, account).raw;
}

export const erc20Workload: Workload = {
  name: 'erc20',
  description: 'ERC-20 transfer() of 1 unit between benchmark accounts (BenchToken.sol, solc 0.8)',
  async setup(ctx) {
    const { account, nonce } = setupSigner(ctx);
    const token = contractAddress(account.address, nonce);
    await ctx.chain.submitAndConfirm([signSetup(ctx, DEPLOY_GAS, undefined, compileBenchContract('BenchToken').creationCode)]);
    const mints: Hex[] = [];
    for (let k = 0; k < ctx.senders.length; k += MINT_RECIPIENTS_PER_TX) {
      const group = ctx.senders.slice(k, k + MINT_RECIPIENTS_PER_TX).map((a) => a.address);
      mints.push(signSetup(ctx, 60_000n + MINT_GAS_PER_RECIPIENT * BigInt(group.length), token, mintBatchCalldata(group)));
    }
    await ctx.chain.submitAndConfirm(mints);
    ctx.state.set(TOKEN_KEY, `0x${toHex(token)}`);
  },
  async buildTransactions(ctx, count) {
    const tokenHex = ctx.state.get(TOKEN_KEY);
    if (!tokenHex) throw new Error('erc20 workload: setup() must run before buildTransactions()');
    const token = fromHex(tokenHex);
    const n = ctx.senders.length;
    return roundRobin(ctx, count, (s, nonce) => {
      const data = concatBytes(SELECTOR_TRANSFER, addressWord(ctx.senders[(s + 1) % n].address), word(1n));
      return signLegacyTx({ nonce, gasPriceWei: ctx.gasPriceWei, gasLimit: TRANSFER_GAS, to: token, valueWei: 0n, data, chainId: ctx.chainId }, ctx.senders[s]).raw;
    });
  },
};
