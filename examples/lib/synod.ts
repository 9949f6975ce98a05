// Shared by the examples: the chain at RPC_URL (default http://127.0.0.1:8545, what `npm start`
// serves), the contracts its genesis deployed (synod_contracts), the development accounts, the
// standard ABIs of the protocols, and a few helpers to send a transaction and wait for time.
import { createPublicClient, createWalletClient, defineChain, formatUnits, http, parseAbi, type Account, type Address, type Hash, type PublicClient } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

export const RPC_URL = process.env.RPC_URL ?? 'http://127.0.0.1:8545';
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface Contracts {
  factory: Address;
  router: Address;
  weth: Address;
  pairs: Record<string, Address>;
  lendingPool: Address;
  poolAddressesProvider: Address;
  oracle: Address;
  poolDataProvider: Address;
  poolConfigurator: Address;
  aclManager: Address;
  priceFeeds: Record<string, Address>;
  safeSingleton: Address;
  safeL2Singleton: Address;
  safeProxyFactory: Address;
  multiSend: Address;
  multiSendCallOnly: Address;
  fallbackHandler: Address;
  signMessageLib: Address;
  createCall: Address;
  simulateTxAccessor: Address;
  governor: Address;
  timelock: Address;
  tokens: Record<'USDC' | 'DAI' | 'SYN' | 'WETH', Address>;
  faucet: Address;
}

export async function connect(url = RPC_URL) {
  const probe = createPublicClient({ transport: http(url) });
  const chainId = await probe.getChainId();
  const chain = defineChain({ id: chainId, name: 'Synod', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [url] } } });
  const client = createPublicClient({ chain, transport: http(url) });
  const contracts = (await client.request({ method: 'synod_contracts' as never, params: [] as never })) as Contracts;
  if (contracts.router === undefined) throw new Error(`${url} has no DeFi genesis (synod_contracts lists no router): start it with npm start`);
  /** A wallet for development account `index` (0-19) or any account. */
  const wallet = (who: number | Account) => createWalletClient({ chain, transport: http(url), account: typeof who === 'number' ? mnemonicToAccount(DEV_MNEMONIC, { addressIndex: who }) : who });
  return { client, chain, contracts, wallet, url };
}

export type Wallet = ReturnType<Awaited<ReturnType<typeof connect>>['wallet']>;

/** Waits for the transaction's receipt; throws if it reverted. */
export async function mined(client: PublicClient, hash: Hash, what: string) {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what}: transaction ${hash} reverted`);
  return receipt;
}

/** Waits until the chain's latest block is at least `timestamp` (seconds); the chain makes a block each second when idle. */
export async function untilTimestamp(client: PublicClient, timestamp: bigint): Promise<bigint> {
  for (;;) {
    const block = await client.getBlock({ blockTag: 'latest' });
    if (block.timestamp >= timestamp) return block.timestamp;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const latestTimestamp = async (client: PublicClient) => (await client.getBlock({ blockTag: 'latest' })).timestamp;

export const fmt = (value: bigint, decimals: number, digits = 4) => Number(formatUnits(value, decimals)).toLocaleString('en-US', { maximumFractionDigits: digits });

/** Aave's health factor (18 decimals; no debt reads as the largest uint256). */
export const health = (factor: bigint) => (factor >= 2n ** 255n ? '∞ (no debt)' : fmt(factor, 18));

/** protocol-kit's contractNetworks entry for this chain, from synod_contracts. */
export const safeContractNetworks = (chainId: number, c: Contracts) => ({
  [String(chainId)]: {
    safeSingletonAddress: c.safeSingleton,
    safeProxyFactoryAddress: c.safeProxyFactory,
    multiSendAddress: c.multiSend,
    multiSendCallOnlyAddress: c.multiSendCallOnly,
    fallbackHandlerAddress: c.fallbackHandler,
    signMessageLibAddress: c.signMessageLib,
    createCallAddress: c.createCall,
    simulateTxAccessorAddress: c.simulateTxAccessor,
  },
});

export const erc20Abi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function deposit() payable',
]);

export const routerAbi = parseAbi([
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
  'function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)',
  'function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
  'function addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256 amountA, uint256 amountB, uint256 liquidity)',
  'function removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256 amountA, uint256 amountB)',
  'function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) pure returns (uint256 amountB)',
]);

export const pairAbi = parseAbi([
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)',
]);

export const factoryAbi = parseAbi([
  'function getPair(address, address) view returns (address)',
  'function feeTo() view returns (address)',
  'function feeToSetter() view returns (address)',
  'function setFeeTo(address)',
  'function allPairsLength() view returns (uint256)',
]);

export const poolAbi = parseAbi([
  'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
  'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
  'function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)',
  'function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf) returns (uint256)',
  'function liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover, bool receiveAToken)',
  'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
  'struct ReserveConfigurationMap { uint256 data; }',
  'struct ReserveData { ReserveConfigurationMap configuration; uint128 liquidityIndex; uint128 currentLiquidityRate; uint128 variableBorrowIndex; uint128 currentVariableBorrowRate; uint128 currentStableBorrowRate; uint40 lastUpdateTimestamp; uint16 id; address aTokenAddress; address stableDebtTokenAddress; address variableDebtTokenAddress; address interestRateStrategyAddress; uint128 accruedToTreasury; uint128 unbacked; uint128 isolationModeTotalDebt; }',
  'function getReserveData(address asset) view returns (ReserveData)',
  'function getReservesList() view returns (address[])',
]);

export const oracleAbi = parseAbi(['function getAssetPrice(address asset) view returns (uint256)', 'function getSourceOfAsset(address asset) view returns (address)', 'function BASE_CURRENCY() view returns (address)']);

export const aggregatorAbi = parseAbi([
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function latestAnswer() view returns (int256)',
  'function spotAnswer() view returns (int256)',
  'function decimals() view returns (uint8)',
  'function description() view returns (string)',
  'function windowSeconds() view returns (uint32)',
  'function update()',
]);

export const governorAbi = parseAbi([
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function proposalSnapshot(uint256 proposalId) view returns (uint256)',
  'function proposalDeadline(uint256 proposalId) view returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) pure returns (uint256)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
  'function quorum(uint256 timepoint) view returns (uint256)',
  'function proposalVotes(uint256 proposalId) view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)',
]);

export const votesAbi = parseAbi(['function delegate(address delegatee)', 'function getVotes(address) view returns (uint256)', 'function delegates(address) view returns (address)']);

export const timelockAbi = parseAbi(['function getMinDelay() view returns (uint256)']);

/** Governor's ProposalState enum, by value. */
export const PROPOSAL_STATES = ['Pending', 'Active', 'Canceled', 'Defeated', 'Succeeded', 'Queued', 'Expired', 'Executed'] as const;
