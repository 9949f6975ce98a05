import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateCollector, certificateMessage, verifyCertificate, type CertificateCommittee } from '../../src/chain/certificate.js';
import type { FinalityCertificate, Hex } from '../../src/chain/types.js';
import { keyPairFromSeed, sign } from '../../src/crypto/ed25519.js';
import { toHex, uintToBytes } from '../../src/crypto/bytes.js';

const CHAIN_ID = 31337n;
const HASH = `0x${'ab'.repeat(32)}` as Hex;
const ROOT = `0x${'cd'.repeat(32)}` as Hex;
const OTHER = `0x${'ef'.repeat(32)}` as Hex;
const WEIGHTS = [40n, 30n, 20n, 10n]; // total 100: a quorum needs more than 66.67
const keys = WEIGHTS.map((_, i) => keyPairFromSeed(uintToBytes(BigInt(i + 1), 32)));
const committee: CertificateCommittee = { members: keys.map((k, index) => ({ index, id: `v${index}`, publicKey: k.publicKey, weight: WEIGHTS[index] })), totalWeight: 100n };

function signature(index: number, blockHash = HASH, stateRoot = ROOT): Hex {
  return `0x${toHex(sign(keys[index], certificateMessage(CHAIN_ID, 7n, blockHash, stateRoot)))}`;
}

function certificate(signers: number[]): FinalityCertificate {
  return { chainId: CHAIN_ID, height: 7n, epoch: 0, blockHash: HASH, stateRoot: ROOT, signatures: signers.map((i) => ({ validatorIndex: i, signature: signature(i) })) };
}

test('the signed message is domain-separated and binds every field', () => {
  const base = certificateMessage(CHAIN_ID, 7n, HASH, ROOT);
  assert.ok(Buffer.from(base).toString('utf8').startsWith('synod/finality/v1'));
  assert.notDeepEqual(certificateMessage(CHAIN_ID + 1n, 7n, HASH, ROOT), base);
  assert.notDeepEqual(certificateMessage(CHAIN_ID, 8n, HASH, ROOT), base);
  assert.notDeepEqual(certificateMessage(CHAIN_ID, 7n, OTHER, ROOT), base);
  assert.notDeepEqual(certificateMessage(CHAIN_ID, 7n, HASH, OTHER), base);
});

test('a certificate is valid by weight, not by count', () => {
  assert.deepEqual(verifyCertificate(certificate([0, 1]), committee), { ok: true }); // 70 of 100
  const threeSmall = verifyCertificate(certificate([1, 2, 3]), committee); // 3 of 4 members, but 60 of 100
  assert.equal(threeSmall.ok, false);
  assert.match((threeSmall as { reason: string }).reason, /weight 60 of 100/);
  assert.equal(verifyCertificate(certificate([0, 3, 2]), committee).ok, true); // exactly 70
});

test('a bad signature, an unknown signer or a signer counted twice invalidates the certificate', () => {
  const bad = certificate([0, 1]);
  const tampered = { ...bad, signatures: [bad.signatures[0], { validatorIndex: 1, signature: signature(1, OTHER) }] };
  assert.match((verifyCertificate(tampered, committee) as { reason: string }).reason, /invalid signature of validator 1/);
  const unknown = { ...bad, signatures: [...bad.signatures, { validatorIndex: 9, signature: signature(0) }] };
  assert.match((verifyCertificate(unknown, committee) as { reason: string }).reason, /validator 9 is not in the committee/);
  // 40 + 40 would pass if the heavy validator were counted twice.
  const twice = certificate([0, 0]);
  assert.match((verifyCertificate(twice, committee) as { reason: string }).reason, /signed more than once/);
  const wrongChain = { ...certificate([0, 1]), chainId: 1n };
  assert.equal(verifyCertificate(wrongChain, committee).ok, false);
});

test('the collector completes at a weight quorum, ignores duplicates and non-members, and keeps conflicts as evidence', () => {
  const collector = new CertificateCollector(CHAIN_ID, 7n, 0, committee);
  assert.equal(collector.add({ validatorIndex: 3, blockHash: HASH, stateRoot: ROOT, signature: signature(3) }), 'added');
  assert.equal(collector.add({ validatorIndex: 3, blockHash: HASH, stateRoot: ROOT, signature: signature(3) }), 'duplicate');
  assert.equal(collector.add({ validatorIndex: 8, blockHash: HASH, stateRoot: ROOT, signature: signature(0) }), 'not-member');
  assert.equal(collector.add({ validatorIndex: 2, blockHash: HASH, stateRoot: ROOT, signature: signature(1) }), 'bad-signature');
  assert.equal(collector.add({ validatorIndex: 3, blockHash: OTHER, stateRoot: ROOT, signature: signature(3, OTHER) }), 'conflict');
  assert.equal(collector.evidence().length, 1);
  assert.equal(collector.add({ validatorIndex: 1, blockHash: HASH, stateRoot: ROOT, signature: signature(1) }), 'added');
  assert.equal(collector.certificate(), undefined); // 40 of 100
  assert.equal(collector.add({ validatorIndex: 0, blockHash: HASH, stateRoot: ROOT, signature: signature(0) }), 'complete');
  const cert = collector.certificate();
  assert.ok(cert);
  assert.deepEqual(cert.signatures.map((s) => s.validatorIndex), [0, 1, 3]);
  assert.deepEqual(verifyCertificate(cert, committee), { ok: true });
});
