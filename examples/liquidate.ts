// Liquidate an Aave V3 position made unhealthy by moving the oracle's price through trades.
// A fresh borrower supplies 10 WETH and borrows USDC close to its limit; a trader sells WETH into
// the WETH/USDC pair; the price feed (the pair's time-weighted average) follows once the trade has
// stood for its window; the health factor drops below 1 and a liquidator repays half the debt for
// collateral at a 5% bonus. Then the trader buys the WETH back and the price returns.
// Run: npx tsx examples/liquidate.ts
import { maxUint256, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { aggregatorAbi, connect, erc20Abi, fmt, health, latestTimestamp, mined, oracleAbi, poolAbi, routerAbi, untilTimestamp } from './lib/synod.js';

const { client, contracts, wallet } = await connect();
const { WETH, USDC } = contracts.tokens;
const pool = contracts.lendingPool;
const feed = contracts.priceFeeds.WETH!;
const borrower = wallet(privateKeyToAccount(generatePrivateKey()));
const trader = wallet(4);
const liquidator = wallet(5);
const user = borrower.account.address;
const account = () => client.readContract({ address: pool, abi: poolAbi, functionName: 'getUserAccountData', args: [user] });
const wethPrice = () => client.readContract({ address: contracts.oracle, abi: oracleAbi, functionName: 'getAssetPrice', args: [WETH] });
const window = BigInt(await client.readContract({ address: feed, abi: aggregatorAbi, functionName: 'windowSeconds' }));

/** Records the trade in the feed, then waits until it has stood for the feed's window. */
async function letPriceSettle() {
  await mined(client, await trader.writeContract({ address: feed, abi: aggregatorAbi, functionName: 'update' }), 'feed update');
  await untilTimestamp(client, (await latestTimestamp(client)) + window + 1n);
}

// The borrower: fresh keys, 11 ETH from account #4, 10 of them wrapped and supplied.
await mined(client, await trader.sendTransaction({ to: user, value: parseEther('11') }), 'fund borrower');
await mined(client, await borrower.writeContract({ address: WETH, abi: erc20Abi, functionName: 'deposit', value: parseEther('10') }), 'wrap');
await mined(client, await borrower.writeContract({ address: WETH, abi: erc20Abi, functionName: 'approve', args: [pool, parseEther('10')] }), 'approve');
await mined(client, await borrower.writeContract({ address: pool, abi: poolAbi, functionName: 'supply', args: [WETH, parseEther('10'), user, 0] }), 'supply');
const price0 = await wethPrice();
const limit = (await account())[2];
const borrow = (limit * 97n) / 100n / 100n; // 97% of the limit, in USDC units (base 8 decimals → USDC 6)
await mined(client, await borrower.writeContract({ address: pool, abi: poolAbi, functionName: 'borrow', args: [USDC, borrow, 2n, 0, user] }), 'borrow');
console.log(`borrower ${user}: 10 WETH supplied at $${fmt(price0, 8, 2)}, ${fmt(borrow, 6, 2)} USDC borrowed, health factor ${fmt((await account())[5], 18)}`);

// The trader sells 180 ETH for USDC: the spot price drops at once, the feed only after its window.
const deadline = (await latestTimestamp(client)) + 60n;
const sold = parseEther('180');
const usdcBefore = await client.readContract({ address: USDC, abi: erc20Abi, functionName: 'balanceOf', args: [trader.account.address] });
await mined(client, await trader.writeContract({ address: contracts.router, abi: routerAbi, functionName: 'swapExactETHForTokens', args: [0n, [WETH, USDC], trader.account.address, deadline], value: sold }), 'sell WETH');
const usdcGot = (await client.readContract({ address: USDC, abi: erc20Abi, functionName: 'balanceOf', args: [trader.account.address] })) - usdcBefore;
const spot = await client.readContract({ address: feed, abi: aggregatorAbi, functionName: 'spotAnswer' });
console.log(`trader sold 180 WETH for ${fmt(usdcGot, 6, 2)} USDC: spot price $${fmt(spot, 8, 2)}, feed still $${fmt(await wethPrice(), 8, 2)}`);
await letPriceSettle();
const [, debtBase, , , , factor] = await account();
console.log(`after the ${window}s window: feed $${fmt(await wethPrice(), 8, 2)}, health factor ${fmt(factor, 18)} (liquidatable below 1)`);
if (factor >= 10n ** 18n) throw new Error('the position is still healthy: the price did not move enough');

// The liquidator repays up to half the debt (Aave's close factor) and takes collateral plus the bonus.
await mined(client, await liquidator.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [pool, maxUint256] }), 'approve');
const [usdc0, weth0] = await Promise.all([USDC, WETH].map((t) => client.readContract({ address: t, abi: erc20Abi, functionName: 'balanceOf', args: [liquidator.account.address] })));
// Its gas depends on the debt and prices at the block it lands in (interest accrues each second), so it
// is sent with headroom over the estimate made one block earlier, as wallets do.
const gas = await client.estimateContractGas({ account: liquidator.account, address: pool, abi: poolAbi, functionName: 'liquidationCall', args: [WETH, USDC, user, maxUint256, false] });
await mined(client, await liquidator.writeContract({ address: pool, abi: poolAbi, functionName: 'liquidationCall', args: [WETH, USDC, user, maxUint256, false], gas: (gas * 3n) / 2n }), 'liquidationCall');
await mined(client, await liquidator.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [pool, 0n] }), 'approve 0');
const [usdc1, weth1] = await Promise.all([USDC, WETH].map((t) => client.readContract({ address: t, abi: erc20Abi, functionName: 'balanceOf', args: [liquidator.account.address] })));
const paid = usdc0! - usdc1!;
const seized = weth1! - weth0!;
const value = (seized * (await wethPrice())) / 10n ** 20n; // WETH (18) × price (8) → USDC (6)
console.log(`liquidator repaid ${fmt(paid, 6, 2)} USDC of $${fmt(debtBase, 8, 2)} debt and received ${fmt(seized, 18)} WETH worth ${fmt(value, 6, 2)} USDC (bonus ${fmt(((value - paid) * 10_000n) / paid, 2, 2)}%)`);
console.log(`borrower after: health factor ${health((await account())[5])}`);

// The trader buys the WETH back; the feed follows after its window again.
await mined(client, await trader.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [contracts.router, usdcGot] }), 'approve');
await mined(client, await trader.writeContract({ address: contracts.router, abi: routerAbi, functionName: 'swapExactTokensForETH', args: [usdcGot, 0n, [USDC, WETH], trader.account.address, (await latestTimestamp(client)) + 60n] }), 'buy back');
await letPriceSettle();
console.log(`trader bought back with ${fmt(usdcGot, 6, 2)} USDC: feed $${fmt(await wethPrice(), 8, 2)} again`);
