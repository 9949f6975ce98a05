// The Common that block transactions are decoded with. @ethereumjs/tx copies the Common it is
// given and re-merges the transaction parameters (a JSON deep copy and a params-cache rebuild)
// in every constructor: under load that cost more than the EVM itself (a fifth of a validator's
// busy time, measured with bench/validator-profile.ts). This Common has the parameters merged
// once and its `copy` returns itself, so decoding a transaction allocates no Common at all.
// Safe because transactions never change their Common (no hardfork switches inside a block; the
// VM keeps its own Common). The mempool decodes admissions with the same Common (mempool/decode.ts),
// and decode.test.ts checks results match a plain Common, so an upgrade that breaks this fails there.
import { createCustomCommon, Hardfork, Mainnet, type Common } from '@ethereumjs/common';
import { paramsTx } from '@ethereumjs/tx';
import { nativeCustomCrypto } from '../crypto/secp256k1.js';

/** Prague on `chainId`, native secp256k1 recovery, transaction parameters merged once. */
export function createTxCommon(chainId: bigint): Common {
  if (chainId < 1n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`chainId must be in [1, 2^53 - 1], got ${chainId}`);
  }
  const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: nativeCustomCrypto });
  common.updateParams(paramsTx);
  const updateParams = common.updateParams.bind(common);
  common.copy = () => common;
  common.updateParams = (params) => {
    if (params !== paramsTx) updateParams(params);
  };
  return common;
}
