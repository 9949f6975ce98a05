// The EVM's failure reasons in geth's words (core/vm/errors.go), the one place they are mapped:
// eth_call and eth_estimateGas errors, eth_simulateV1 call errors and the callTracer's `error`
// field read them, and clients match on geth's text (viem, ethers and Foundry print it as is).
// @ethereumjs/evm names the same halts differently and appends positions to some.

const GETH_WORDING: Readonly<Record<string, string>> = {
  revert: 'execution reverted',
  'code store out of gas': 'contract creation code storage out of gas',
  'code size to deposit exceeds maximum code size': 'max code size exceeded',
  'static state change': 'write protection',
  'create collision': 'contract address collision',
  'insufficient balance': 'insufficient balance for transfer',
  'initcode exceeds max initcode size': 'max initcode size exceeded',
  'invalid bytecode deployed': 'invalid code: must not begin with 0xef',
  'value out of range': 'return data out of bounds',
};

/** geth's message for an ethereumjs EVM error string (unchanged where both say the same). */
export function gethErrorMessage(error: string): string {
  if (error.startsWith('invalid JUMP')) return 'invalid jump destination'; // ethereumjs adds " at <pc, address>"
  return GETH_WORDING[error] ?? error;
}
