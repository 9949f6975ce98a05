// Runs under `hardhat test --network synod`: Hardhat's provider (local mnemonic accounts that
// sign, automatic gas and gas price, chain id check) in front of a live Synod devnet, ethers v6
// over it, the artifact Hardhat compiled, and the debug_traceTransaction Hardhat's tooling uses.
/* global describe, it, before */
import assert from 'node:assert/strict';
import hre from 'hardhat';
import { BrowserProvider, ContractFactory, isCallException, parseEther } from 'ethers';

describe('Ledger on a Synod devnet (Hardhat custom network)', function () {
  let provider;
  let owner;
  let other;
  let ledger;
  let depositHash;

  before(async function () {
    assert.equal(hre.network.name, 'synod');
    provider = new BrowserProvider(hre.network.provider, undefined, { pollingInterval: 250 });
    [owner, other] = await Promise.all([provider.getSigner(0), provider.getSigner(1)]);
  });

  it('serves the chain id Hardhat expects and the funded dev accounts', async function () {
    assert.equal(await hre.network.provider.request({ method: 'eth_chainId' }), '0x7a69');
    const accounts = await hre.network.provider.request({ method: 'eth_accounts' });
    assert.equal(accounts[0].toLowerCase(), '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266');
    assert.ok((await provider.getBalance(owner.address)) > 0n);
  });

  it('deploys the artifact Hardhat compiled', async function () {
    const artifact = await hre.artifacts.readArtifact('Ledger');
    ledger = await new ContractFactory(artifact.abi, artifact.bytecode, owner).deploy();
    await ledger.waitForDeployment();
    assert.equal(await ledger.total(), 0n);
    assert.equal(await provider.getCode(await ledger.getAddress()), artifact.deployedBytecode);
  });

  it('takes a deposit with value, emits the event and holds the ether', async function () {
    const tx = await ledger.deposit({ value: parseEther('2') });
    depositHash = tx.hash;
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    const [event] = await ledger.queryFilter(ledger.filters.Deposited(owner.address), receipt.blockNumber, receipt.blockNumber);
    assert.deepEqual([...event.args], [owner.address, parseEther('2')]);
    assert.equal(await ledger.balanceOf(owner.address), parseEther('2'));
    assert.equal(await provider.getBalance(await ledger.getAddress()), parseEther('2'));
  });

  it('withdraws, sending the ether back', async function () {
    const receipt = await (await ledger.withdraw(parseEther('0.5'))).wait();
    assert.equal(receipt.status, 1);
    assert.equal(await ledger.total(), parseEther('1.5'));
    assert.equal(await provider.getBalance(await ledger.getAddress()), parseEther('1.5'));
  });

  it('decodes a reason string and a custom error', async function () {
    await assert.rejects(ledger.deposit.staticCall({ value: 0n }), (error) => isCallException(error) && error.reason === 'Ledger: nothing to deposit');
    await assert.rejects(ledger.connect(other).withdraw.staticCall(1n), (error) => {
      assert.ok(isCallException(error), String(error));
      assert.equal(error.revert?.name, 'InsufficientBalance');
      assert.deepEqual([...error.revert.args], [0n, 1n]);
      return true;
    });
  });

  it('traces a transaction with debug_traceTransaction (struct logger)', async function () {
    const trace = await hre.network.provider.request({ method: 'debug_traceTransaction', params: [depositHash] });
    assert.equal(trace.failed, false);
    assert.ok(trace.gas > 21_000);
    assert.ok(trace.structLogs.length > 10);
    const first = trace.structLogs[0];
    assert.deepEqual([first.pc, first.op, first.depth], [0, 'PUSH1', 1]);
    assert.ok(trace.structLogs.some((step) => step.op === 'LOG2'), 'the Deposited event is in the trace');
    assert.equal(trace.structLogs.at(-1).op, 'STOP');
  });
});
