// A 2-of-3 Safe (Safe 1.5.0) driven by Safe's own SDK, @safe-global/protocol-kit: deploy a new Safe
// for development accounts #6, #7 and #8, fund it with 1 ETH, have two owners sign a payment of
// 0.25 ETH to account #9, and execute it. protocol-kit gets the chain's Safe addresses from
// synod_contracts (its contractNetworks option).
// Run: npx tsx examples/safe.ts
import SafeKit from '@safe-global/protocol-kit';
import { formatEther, parseEther } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { DEV_MNEMONIC, RPC_URL, connect, mined, safeContractNetworks } from './lib/synod.js';

// protocol-kit's types describe its CommonJS build; under ESM its default export is the Safe class itself.
const Safe = ('init' in SafeKit ? SafeKit : (SafeKit as unknown as { default: typeof SafeKit }).default) as unknown as typeof SafeKit.default;

const { client, chain, contracts, wallet } = await connect();
const key = (i: number) => `0x${Buffer.from(mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!).toString('hex')}`;
const owners = [6, 7, 8].map((i) => wallet(i).account.address);
const payee = wallet(9).account.address;
const contractNetworks = safeContractNetworks(chain.id, contracts);

// 1. Deploy: protocol-kit predicts the address and builds the factory call; owner #6 sends it.
const predicted = await Safe.init({
  provider: RPC_URL,
  signer: key(6),
  predictedSafe: { safeAccountConfig: { owners, threshold: 2 }, safeDeploymentConfig: { saltNonce: String(Date.now()), safeVersion: '1.5.0' } },
  contractNetworks,
});
const safeAddress = (await predicted.getAddress()) as `0x${string}`;
const deployment = await predicted.createSafeDeploymentTransaction();
await mined(client, await wallet(6).sendTransaction({ to: deployment.to as `0x${string}`, data: deployment.data as `0x${string}`, value: BigInt(deployment.value) }), 'deploy Safe');
console.log(`Safe ${safeAddress} deployed: owners #6 #7 #8, threshold 2, version ${await predicted.getContractVersion()}`);
await mined(client, await wallet(6).sendTransaction({ to: safeAddress, value: parseEther('1') }), 'fund Safe');
console.log(`funded with 1 ETH (balance ${formatEther(await client.getBalance({ address: safeAddress }))} ETH)`);

// 2. Owner #6 proposes and signs; owner #7 adds the second signature; #7 executes.
const safe6 = await Safe.init({ provider: RPC_URL, signer: key(6), safeAddress, contractNetworks });
let tx = await safe6.createTransaction({ transactions: [{ to: payee, value: parseEther('0.25').toString(), data: '0x' }] });
tx = await safe6.signTransaction(tx);
const safe7 = await Safe.init({ provider: RPC_URL, signer: key(7), safeAddress, contractNetworks });
tx = await safe7.signTransaction(tx);
console.log(`payment of 0.25 ETH to #9 (${payee}) signed by ${tx.signatures.size} of ${owners.length} owners; Safe tx hash ${await safe7.getTransactionHash(tx)}`);
const before = await client.getBalance({ address: payee });
const result = await safe7.executeTransaction(tx);
await mined(client, result.hash as `0x${string}`, 'execTransaction');
console.log(`executed in ${result.hash}: #9 received ${formatEther((await client.getBalance({ address: payee })) - before)} ETH; Safe balance ${formatEther(await client.getBalance({ address: safeAddress }))} ETH, nonce ${await safe7.getNonce()}`);
