// Add liquidity to the DAI/USDC pair through Router02 (amounts matched to the pool's ratio by the
// router), show the LP tokens minted and the share of the pool, then remove it all again.
// Run: npx tsx examples/liquidity.ts
import { parseUnits } from 'viem';
import { connect, erc20Abi, fmt, latestTimestamp, mined, pairAbi, routerAbi } from './lib/synod.js';

const { client, contracts, wallet } = await connect();
const provider = wallet(2);
const me = provider.account.address;
const { DAI, USDC } = contracts.tokens;
const pair = contracts.pairs['DAI/USDC']!;
const read = (address: `0x${string}`, functionName: 'balanceOf', who: `0x${string}`) => client.readContract({ address, abi: erc20Abi, functionName, args: [who] });

const daiIn = parseUnits('10000', 18);
const usdcIn = parseUnits('10000', 6);
for (const [token, amount] of [[DAI, daiIn], [USDC, usdcIn]] as const) {
  await mined(client, await provider.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [contracts.router, amount] }), 'approve');
}
const [dai0, usdc0] = [await read(DAI, 'balanceOf', me), await read(USDC, 'balanceOf', me)];
let deadline = (await latestTimestamp(client)) + 60n;
// Accept at most 1% less of either side than offered (the router takes the pool's ratio).
await mined(client, await provider.writeContract({ address: contracts.router, abi: routerAbi, functionName: 'addLiquidity', args: [DAI, USDC, daiIn, usdcIn, (daiIn * 99n) / 100n, (usdcIn * 99n) / 100n, me, deadline] }), 'addLiquidity');
const lp = await client.readContract({ address: pair, abi: pairAbi, functionName: 'balanceOf', args: [me] });
const supply = await client.readContract({ address: pair, abi: pairAbi, functionName: 'totalSupply' });
const [dai1, usdc1] = [await read(DAI, 'balanceOf', me), await read(USDC, 'balanceOf', me)];
console.log(`added ${fmt(dai0 - dai1, 18)} DAI + ${fmt(usdc0 - usdc1, 6)} USDC to DAI/USDC (${pair})`);
console.log(`  received ${fmt(lp, 18, 6)} LP tokens = ${((Number(lp) / Number(supply)) * 100).toFixed(4)}% of the pool`);

await mined(client, await provider.writeContract({ address: pair, abi: pairAbi, functionName: 'approve', args: [contracts.router, lp] }), 'approve LP');
deadline = (await latestTimestamp(client)) + 60n;
await mined(client, await provider.writeContract({ address: contracts.router, abi: routerAbi, functionName: 'removeLiquidity', args: [DAI, USDC, lp, 0n, 0n, me, deadline] }), 'removeLiquidity');
const [dai2, usdc2] = [await read(DAI, 'balanceOf', me), await read(USDC, 'balanceOf', me)];
console.log(`removed ${fmt(lp, 18, 6)} LP tokens: got back ${fmt(dai2 - dai1, 18)} DAI + ${fmt(usdc2 - usdc1, 6)} USDC`);
console.log(`  net change: ${dai2 - dai0} units of DAI, ${usdc2 - usdc0} units of USDC (rounding stays in the pool)`);
