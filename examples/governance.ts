// A governance proposal from proposal to execution: holders #0, #1 and #2 delegate their SYN votes
// to themselves, #0 proposes to turn on Uniswap V2's fee switch (factory.setFeeTo(timelock): the
// protocol's 1/6 of the 0.3% fee then goes to the treasury), all three vote for it, and once the
// vote has passed it is queued in the timelock and executed after the timelock's delay.
// Devnet timings: voting delay 1 s, voting period 15 s, timelock delay 10 s (about 30 s in all).
// Run: npx tsx examples/governance.ts
import { encodeFunctionData, keccak256, toHex, zeroAddress } from 'viem';
import { PROPOSAL_STATES, connect, factoryAbi, fmt, governorAbi, latestTimestamp, mined, timelockAbi, untilTimestamp, votesAbi } from './lib/synod.js';

const { client, contracts, wallet } = await connect();
const SYN = contracts.tokens.SYN;
const voters = [0, 1, 2].map((i) => wallet(i));
const state = async (id: bigint) => PROPOSAL_STATES[await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'state', args: [id] })];

const feeTo = await client.readContract({ address: contracts.factory, abi: factoryAbi, functionName: 'feeTo' });
const target = feeTo.toLowerCase() === contracts.timelock.toLowerCase() ? zeroAddress : contracts.timelock; // run twice: switches off again
console.log(`Uniswap V2 feeTo is ${feeTo}; proposing ${target === zeroAddress ? 'to turn the fee switch off' : `feeTo = timelock ${target}`}`);

for (const v of voters) await mined(client, await v.writeContract({ address: SYN, abi: votesAbi, functionName: 'delegate', args: [v.account.address] }), 'delegate');
const votes = await Promise.all(voters.map((v) => client.readContract({ address: SYN, abi: votesAbi, functionName: 'getVotes', args: [v.account.address] })));
console.log(`delegated: ${votes.map((n, i) => `#${i} ${fmt(n, 18, 0)}`).join(', ')} SYN of votes`);
// Votes count from the second after delegation (ERC20Votes checkpoints by timestamp here).
await untilTimestamp(client, (await latestTimestamp(client)) + 1n);

const targets = [contracts.factory];
const values = [0n];
const calldatas = [encodeFunctionData({ abi: factoryAbi, functionName: 'setFeeTo', args: [target] })];
const description = `Set Uniswap V2 feeTo to ${target} (${new Date().toISOString()})`;
const descriptionHash = keccak256(toHex(description));
await mined(client, await voters[0]!.writeContract({ address: contracts.governor, abi: governorAbi, functionName: 'propose', args: [targets, values, calldatas, description] }), 'propose');
const id = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'hashProposal', args: [targets, values, calldatas, descriptionHash] });
const snapshot = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'proposalSnapshot', args: [id] });
const deadline = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'proposalDeadline', args: [id] });
const quorum = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'quorum', args: [snapshot] });
console.log(`proposal ${id.toString().slice(0, 12)}…: ${await state(id)}, voting from t=${snapshot} to t=${deadline}, quorum ${fmt(quorum, 18, 0)} SYN`);

await untilTimestamp(client, snapshot + 1n);
for (const v of voters) await mined(client, await v.writeContract({ address: contracts.governor, abi: governorAbi, functionName: 'castVote', args: [id, 1] }), 'vote');
const [against, forVotes] = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'proposalVotes', args: [id] });
console.log(`voted: ${fmt(forVotes, 18, 0)} for, ${fmt(against, 18, 0)} against; ${await state(id)}`);

await untilTimestamp(client, deadline + 1n);
console.log(`voting closed: ${await state(id)}`);
await mined(client, await voters[1]!.writeContract({ address: contracts.governor, abi: governorAbi, functionName: 'queue', args: [targets, values, calldatas, descriptionHash] }), 'queue');
const eta = await client.readContract({ address: contracts.governor, abi: governorAbi, functionName: 'proposalEta', args: [id] });
const delay = await client.readContract({ address: contracts.timelock, abi: timelockAbi, functionName: 'getMinDelay' });
console.log(`queued in the timelock (delay ${delay} s): ${await state(id)}, executable from t=${eta}`);

await untilTimestamp(client, eta);
await mined(client, await voters[2]!.writeContract({ address: contracts.governor, abi: governorAbi, functionName: 'execute', args: [targets, values, calldatas, descriptionHash] }), 'execute');
console.log(`executed: ${await state(id)}; Uniswap V2 feeTo is now ${await client.readContract({ address: contracts.factory, abi: factoryAbi, functionName: 'feeTo' })}`);
