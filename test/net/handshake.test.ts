import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { bytesEqual, toHex } from '../../src/crypto/bytes.js';
import { keyPairFromSeed, sign, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import {
  decodeHello,
  encodeAuth,
  encodeHello,
  Handshake,
  HandshakeError,
  handshakeTranscript,
  HANDSHAKE_VERSION,
  type HandshakeFailure,
  type HandshakeOptions,
} from '../../src/net/handshake.js';

const keys = [1, 2, 3].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const [alice, bob, mallory] = keys as [Ed25519KeyPair, Ed25519KeyPair, Ed25519KeyPair];
const CHAIN = 31337n;
const nonce = () => new Uint8Array(randomBytes(32));
const known = (...members: Ed25519KeyPair[]) => (key: Uint8Array) => members.some((m) => bytesEqual(m.publicKey, key));

function pair(initiator: Partial<HandshakeOptions> = {}, responder: Partial<HandshakeOptions> = {}) {
  const a = new Handshake({ role: 'initiator', keyPair: alice, chainId: CHAIN, nonce: nonce(), expectedPeer: bob.publicKey, isKnownPeer: known(bob), ...initiator });
  const b = new Handshake({ role: 'responder', keyPair: bob, chainId: CHAIN, nonce: nonce(), isKnownPeer: known(alice), ...responder });
  return { a, b };
}

function sendOf(step: ReturnType<Handshake['receive']>): Uint8Array {
  assert.ok('send' in step);
  return step.send;
}

function rejects(action: () => unknown, reason: HandshakeFailure): void {
  assert.throws(action, (e: unknown) => e instanceof HandshakeError && e.reason === reason);
}

test('both sides learn and prove each other\'s key', () => {
  const { a, b } = pair();
  const authA = sendOf(a.receive(b.hello()));
  const authB = sendOf(b.receive(a.hello()));
  const doneA = a.receive(authB);
  const doneB = b.receive(authA);
  assert.ok('peer' in doneA && 'peer' in doneB);
  assert.equal(toHex(doneA.peer), toHex(bob.publicKey));
  assert.equal(toHex(doneB.peer), toHex(alice.publicKey));
});

test('a HELLO is rejected for the wrong chain, version, unknown key, wrong key or our own key', () => {
  rejects(() => pair().b.receive(pair({ chainId: 1n }).a.hello()), 'chain_mismatch');
  rejects(() => pair().b.receive(pair({ keyPair: mallory }).a.hello()), 'unknown_peer');
  rejects(() => pair().a.receive(pair({}, { keyPair: mallory }).b.hello()), 'wrong_peer');
  rejects(() => pair().b.receive(pair({ keyPair: bob }).a.hello()), 'self_connection');
  const future = encodeHello({ version: HANDSHAKE_VERSION + 1, chainId: CHAIN, publicKey: alice.publicKey, nonce: nonce() });
  rejects(() => pair().b.receive(future), 'version_mismatch');
});

test('an AUTH signed by a key other than the announced one is rejected', () => {
  const { a, b } = pair();
  const aHello = a.hello();
  sendOf(b.receive(aHello));
  const { nonce: aNonce } = decodeHello(aHello);
  const bNonce = decodeHello(b.hello()).nonce;
  // Mallory announced Alice's key but can only sign with her own.
  const forged = sign(mallory, handshakeTranscript('initiator', CHAIN, { publicKey: alice.publicKey, nonce: aNonce }, { publicKey: bob.publicKey, nonce: bNonce }));
  rejects(() => b.receive(encodeAuth(forged)), 'bad_signature');
});

test('an AUTH recorded on one connection does not verify on another (fresh nonces)', () => {
  const first = pair();
  first.b.receive(first.a.hello());
  const recordedAuthA = sendOf(first.a.receive(first.b.hello()));
  const second = pair();
  second.b.receive(second.a.hello());
  rejects(() => second.b.receive(recordedAuthA), 'bad_signature');
});

test('a peer cannot reflect our own AUTH back at us (the role is signed)', () => {
  const { a, b } = pair();
  b.receive(a.hello());
  const authA = sendOf(a.receive(b.hello()));
  rejects(() => a.receive(authA), 'bad_signature');
});

test('an AUTH for another chain does not verify', () => {
  const { a, b } = pair();
  const aHello = a.hello();
  b.receive(aHello);
  const bNonce = decodeHello(b.hello()).nonce;
  const other = sign(alice, handshakeTranscript('initiator', CHAIN + 1n, { publicKey: alice.publicKey, nonce: decodeHello(aHello).nonce }, { publicKey: bob.publicKey, nonce: bNonce }));
  rejects(() => b.receive(encodeAuth(other)), 'bad_signature');
});

test('arbitrary bytes only ever raise a HandshakeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (first, second) => {
      const { b } = pair();
      try {
        b.receive(first);
        b.receive(second);
        assert.fail('garbage completed a handshake');
      } catch (error) {
        assert.ok(error instanceof HandshakeError, String(error));
      }
    }),
    { numRuns: 2_000 },
  );
});
