// Legacy EIP-155 transaction signing for the bench: the chain's own signer (src/execution/legacy-tx.ts).
export { bigintToMinimalBytes, contractAddress, signLegacyTx, type SignedTx, type TxFields } from '../../src/execution/legacy-tx.js';
