// Swap 1 WETH for USDC through Uniswap V2's Router02, with the quote from the router and a 0.5%
// slippage bound, then 1,000 USDC for DAI along a two-hop route (USDC → WETH → DAI).
// Run: npx tsx examples/swap.ts   (RPC_URL defaults to http://127.0.0.1:8545)
import { parseUnits } from 'viem';
import { connect, erc20Abi, fmt, latestTimestamp, mined, routerAbi } from './lib/synod.js';

const { client, contracts, wallet } = await connect();
const trader = wallet(1);
const me = trader.account.address;
const { WETH, USDC, DAI } = contracts.tokens;
const SLIPPAGE_BPS = 50n;

async function swap(amountIn: bigint, path: `0x${string}`[], symbols: string[], decimals: number[]) {
  const quoted = await client.readContract({ address: contracts.router, abi: routerAbi, functionName: 'getAmountsOut', args: [amountIn, path] });
  const expected = quoted[quoted.length - 1]!;
  const minOut = (expected * (10_000n - SLIPPAGE_BPS)) / 10_000n;
  await mined(client, await trader.writeContract({ address: path[0]!, abi: erc20Abi, functionName: 'approve', args: [contracts.router, amountIn] }), 'approve');
  const before = await client.readContract({ address: path[path.length - 1]!, abi: erc20Abi, functionName: 'balanceOf', args: [me] });
  const deadline = (await latestTimestamp(client)) + 60n;
  const receipt = await mined(client, await trader.writeContract({ address: contracts.router, abi: routerAbi, functionName: 'swapExactTokensForTokens', args: [amountIn, minOut, path, me, deadline] }), 'swap');
  const after = await client.readContract({ address: path[path.length - 1]!, abi: erc20Abi, functionName: 'balanceOf', args: [me] });
  const out = symbols[symbols.length - 1]!;
  console.log(`swapped ${fmt(amountIn, decimals[0]!)} ${symbols[0]} for ${fmt(after - before, decimals[decimals.length - 1]!)} ${out} via ${symbols.join(' → ')}`);
  console.log(`  quoted ${fmt(expected, decimals[decimals.length - 1]!)} ${out}, accepted no less than ${fmt(minOut, decimals[decimals.length - 1]!)}; block ${receipt.blockNumber}, gas ${receipt.gasUsed}`);
}

console.log(`trader ${me} on chain ${await client.getChainId()}, router ${contracts.router}`);
await swap(parseUnits('1', 18), [WETH, USDC], ['WETH', 'USDC'], [18, 6]);
await swap(parseUnits('1000', 6), [USDC, WETH, DAI], ['USDC', 'WETH', 'DAI'], [6, 18, 18]);
