// The directory of the contracts a DeFi genesis deploys: the names synod_contracts serves (besides
// the predeploys) and that genesis.json records under "contracts". One home for the key names.
import type { Hex } from '../chain/types.js';

export interface DefiDirectory {
  /** Uniswap V2 */
  readonly factory: Hex;
  readonly router: Hex;
  readonly weth: Hex;
  /** Pair addresses by "A/B" (symbols in the order the genesis seeded them). */
  readonly pairs: Readonly<Record<string, Hex>>;
  /** Aave V3: the Pool proxy, its registry, the price oracle and the rest of the market. */
  readonly lendingPool: Hex;
  readonly poolAddressesProvider: Hex;
  readonly oracle: Hex;
  readonly poolConfigurator: Hex;
  readonly aclManager: Hex;
  readonly poolDataProvider: Hex;
  /** The oracle's source per asset (Uniswap V2 TWAP aggregators); USDC is the unit of account. */
  readonly priceFeeds: Readonly<Record<string, Hex>>;
  /** Safe 1.5.0 (canonical addresses where the Safe singleton factory is deployable). */
  readonly safeSingleton: Hex;
  readonly safeL2Singleton: Hex;
  readonly safeProxyFactory: Hex;
  readonly multiSend: Hex;
  readonly multiSendCallOnly: Hex;
  readonly fallbackHandler: Hex;
  readonly signMessageLib: Hex;
  readonly createCall: Hex;
  readonly simulateTxAccessor: Hex;
  /** Governance */
  readonly governor: Hex;
  readonly timelock: Hex;
  /** ERC-20 tokens by symbol (WETH included). */
  readonly tokens: Readonly<Record<string, Hex>>;
  readonly faucet: Hex;
}
