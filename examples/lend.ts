// Supply 10 WETH to the Aave V3 pool as collateral, borrow 5,000 USDC against it, read the health
// factor and the rates, then repay everything and withdraw the collateral.
// Run: npx tsx examples/lend.ts
import { maxUint256, parseUnits } from 'viem';
import { connect, erc20Abi, fmt, health, mined, oracleAbi, poolAbi } from './lib/synod.js';

const { client, contracts, wallet } = await connect();
const user = wallet(3);
const me = user.account.address;
const pool = contracts.lendingPool;
const { WETH, USDC } = contracts.tokens;
const VARIABLE = 2n;
const RAY = 10n ** 27n;
const account = () => client.readContract({ address: pool, abi: poolAbi, functionName: 'getUserAccountData', args: [me] });
const show = (label: string, d: readonly bigint[]) =>
  console.log(`${label}: collateral $${fmt(d[0]!, 8, 2)}, debt $${fmt(d[1]!, 8, 2)}, can borrow $${fmt(d[2]!, 8, 2)} more, health factor ${health(d[5]!)}`);

const price = await client.readContract({ address: contracts.oracle, abi: oracleAbi, functionName: 'getAssetPrice', args: [WETH] });
console.log(`oracle: WETH = $${fmt(price, 8, 2)} (Uniswap V2 TWAP behind AggregatorV3Interface)`);
const supplied = parseUnits('10', 18);
await mined(client, await user.writeContract({ address: WETH, abi: erc20Abi, functionName: 'approve', args: [pool, supplied] }), 'approve');
await mined(client, await user.writeContract({ address: pool, abi: poolAbi, functionName: 'supply', args: [WETH, supplied, me, 0] }), 'supply');
show('after supplying 10 WETH', await account());

const borrowed = parseUnits('5000', 6);
await mined(client, await user.writeContract({ address: pool, abi: poolAbi, functionName: 'borrow', args: [USDC, borrowed, VARIABLE, 0, me] }), 'borrow');
show('after borrowing 5,000 USDC', await account());
const usdc = await client.readContract({ address: pool, abi: poolAbi, functionName: 'getReserveData', args: [USDC] });
const weth = await client.readContract({ address: pool, abi: poolAbi, functionName: 'getReserveData', args: [WETH] });
console.log(`rates: USDC borrow ${fmt((usdc.currentVariableBorrowRate * 10_000n) / RAY, 2, 2)}%/year, USDC supply ${fmt((usdc.currentLiquidityRate * 10_000n) / RAY, 2, 2)}%/year, WETH supply ${fmt((weth.currentLiquidityRate * 10_000n) / RAY, 2, 4)}%/year`);

const debt = await client.readContract({ address: usdc.variableDebtTokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [me] });
console.log(`debt now ${fmt(debt, 6, 6)} USDC (interest accrues every second)`);
await mined(client, await user.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [pool, maxUint256] }), 'approve');
await mined(client, await user.writeContract({ address: pool, abi: poolAbi, functionName: 'repay', args: [USDC, maxUint256, VARIABLE, me] }), 'repay');
await mined(client, await user.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [pool, 0n] }), 'approve 0');
const before = await client.readContract({ address: WETH, abi: erc20Abi, functionName: 'balanceOf', args: [me] });
await mined(client, await user.writeContract({ address: pool, abi: poolAbi, functionName: 'withdraw', args: [WETH, maxUint256, me] }), 'withdraw');
const after = await client.readContract({ address: WETH, abi: erc20Abi, functionName: 'balanceOf', args: [me] });
show(`repaid and withdrew ${fmt(after - before, 18, 18)} WETH`, await account());
