// The deterministic deployment proxy every genesis holds (src/node/predeploys.ts): a CREATE2
// deployment sent through it lands at the address keccak256(0xff ++ proxy ++ salt ++
// keccak256(initCode))[12:], the address Foundry, Hardhat and Anvil predict.
import test from 'node:test';
import assert from 'node:assert/strict';
import { concat, getContractAddress, keccak256, pad, type Hex } from 'viem';
import { CREATE2_DEPLOYER_ADDRESS, CREATE2_DEPLOYER_CODE_HASH, CREATE2_DEPLOYER_RUNTIME_BYTECODE, PREDEPLOYS } from '../../src/node/predeploys.js';
import { devGenesis, parseGenesis } from '../../src/node/genesis.js';
import { address, blockInput, genesisSpec, openHarness, transfer } from './helpers.js';

/** Returns 42 from any call. */
const RUNTIME: Hex = '0x602a60005260206000f3';
/** Stores RUNTIME in memory and returns it. */
const INIT_CODE: Hex = '0x69602a60005260206000f3600052600a6016f3';
const SALT: Hex = pad('0x5a17');

test('the proxy holds its published runtime code in every genesis, at its usual address', () => {
  assert.equal(keccak256(CREATE2_DEPLOYER_RUNTIME_BYTECODE), CREATE2_DEPLOYER_CODE_HASH);
  const genesis = parseGenesis(devGenesis({ chainId: 31337n, validators: [{ id: 'v0', publicKey: `0x${'11'.repeat(32)}` }], timestamp: 1_700_000_000 }));
  assert.equal(genesis.alloc['0x4e59b44847b379578588920ca78fbf26c0b4956c']?.code, CREATE2_DEPLOYER_RUNTIME_BYTECODE);
  assert.equal(genesis.alloc['0xca11bde05977b3631167028862be2a173976ca11']?.code !== undefined, true);
});

test('a CREATE2 deployment through the proxy lands at the predicted address, once per salt', async () => {
  const base = genesisSpec();
  const alloc = { ...base.alloc, ...Object.fromEntries(PREDEPLOYS.map((p) => [p.address, { balance: 0n, code: p.code }])) };
  const h = await openHarness({ ...base, alloc });
  try {
    const predicted = getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER_ADDRESS, salt: SALT, bytecode: INIT_CODE });
    const deploy = transfer(0, { nonce: 0n, to: CREATE2_DEPLOYER_ADDRESS, data: concat([SALT, INIT_CODE]), gasLimit: 200_000n });
    const { receipts } = await h.engine.executeBlock(blockInput(h.engine, [deploy]));
    assert.equal(receipts[0]!.status, 1);
    assert.equal(await h.engine.getCode(predicted), RUNTIME);
    // The proxy answers the new address; a second deployment with the same salt reverts.
    const again = await h.engine.call({ from: address(1), to: CREATE2_DEPLOYER_ADDRESS, data: concat([pad('0x01'), INIT_CODE]), gas: 200_000n });
    assert.equal(again.returnData, getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER_ADDRESS, salt: pad('0x01'), bytecode: INIT_CODE }).toLowerCase());
    const { receipts: second } = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 1n, to: CREATE2_DEPLOYER_ADDRESS, data: concat([SALT, INIT_CODE]), gasLimit: 200_000n })]));
    assert.equal(second[0]!.status, 0);
  } finally {
    await h.cleanup();
  }
});
