// The simulator's signature checks are remembered per signature buffer; a remembered answer must
// never accept a signature over other bytes or under another key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Scheme, twinScheme } from '../../src/sim/signatures.js';

for (const scheme of [twinScheme, ed25519Scheme]) {
  test(`${scheme.kind}: a remembered valid signature is refused over other bytes, under another key, or altered`, () => {
    const alice = scheme.signerFor(7, 0);
    const bob = scheme.signerFor(7, 1);
    const message = new Uint8Array([1, 2, 3, 4]);
    const signature = alice.sign(message);
    for (let i = 0; i < 3; i++) assert.equal(scheme.verifier.verify(alice.publicKey, message, signature), true);
    assert.equal(scheme.verifier.verify(alice.publicKey, new Uint8Array([1, 2, 3, 5]), signature), false);
    assert.equal(scheme.verifier.verify(bob.publicKey, message, signature), false);
    // the same buffer checked again for what it was signed over is still accepted
    assert.equal(scheme.verifier.verify(alice.publicKey, message, signature), true);
    const altered = signature.slice();
    altered[0]! ^= 1;
    assert.equal(scheme.verifier.verify(alice.publicKey, message, altered), false);
    // a buffer first seen invalid stays invalid, and a valid one is not poisoned by it
    assert.equal(scheme.verifier.verify(alice.publicKey, message, altered), false);
    assert.equal(scheme.verifier.verify(alice.publicKey, message, alice.sign(message)), true);
  });
}
