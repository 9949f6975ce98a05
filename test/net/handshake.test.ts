import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { bytesEqual, toHex } from '../../src/crypto/bytes.js';
import { keyPairFromSeed, sign, type Ed25519KeyPair } from '../../src/crypto/ed25519.js';
import {
  AUTH_I_BYTES,
  AUTH_R_BYTES,
  CHALLENGE_BYTES,
  decodeChallenge,
  decodeHello,
  encodeHello,
  encodeInitiatorAuth,
  encodeResponderAuth,
  Handshake,
  HandshakeError,
  handshakeTranscript,
  HANDSHAKE_VERSION,
  HELLO_BYTES,
  type Established,
  type HandshakeFailure,
  type HandshakeOptions,
  type HandshakeStep,
} from '../../src/net/handshake.js';
import { generateX25519KeyPair } from '../../src/net/x25519.js';

const keys = [1, 2, 3].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const [alice, bob, mallory] = keys as [Ed25519KeyPair, Ed25519KeyPair, Ed25519KeyPair];
const CHAIN = 31337n;
const nonce = () => new Uint8Array(randomBytes(32));
const known = (...members: Ed25519KeyPair[]) => (key: Uint8Array) => members.some((m) => bytesEqual(m.publicKey, key));

/** Alice dials Bob. */
function pair(initiator: Partial<HandshakeOptions> = {}, responder: Partial<HandshakeOptions> = {}) {
  const a = new Handshake({ role: 'initiator', keyPair: alice, chainId: CHAIN, nonce: nonce(), expectedPeer: bob.publicKey, isKnownPeer: known(bob), ...initiator });
  const b = new Handshake({ role: 'responder', keyPair: bob, chainId: CHAIN, nonce: nonce(), isKnownPeer: known(alice), ...responder });
  assert.equal(b.start(), undefined, 'the responder speaks only when spoken to');
  return { a, b };
}

function sendOf(step: HandshakeStep): Uint8Array {
  assert.ok(step.send !== undefined, 'expected a reply');
  return step.send;
}

function establishedOf(step: HandshakeStep): Established {
  assert.ok(step.established !== undefined, 'expected the handshake to finish');
  return step.established;
}

function rejects(action: () => unknown, reason: HandshakeFailure): void {
  assert.throws(action, (e: unknown) => e instanceof HandshakeError && e.reason === reason);
}

/** Runs the four messages, passing each through `wire` (identity unless a test tampers). */
function run(a: Handshake, b: Handshake, wire: (index: number, message: Uint8Array) => Uint8Array = (_i, m) => m) {
  const hello = wire(0, a.start()!);
  const challenge = wire(1, sendOf(b.receive(hello)));
  const authI = wire(2, sendOf(a.receive(challenge)));
  const responderStep = b.receive(authI);
  const authR = wire(3, sendOf(responderStep));
  const initiatorStep = a.receive(authR);
  return { responder: establishedOf(responderStep), initiator: establishedOf(initiatorStep), messages: [hello, challenge, authI, authR] };
}

test('both sides learn and prove each other\'s key and agree on one key per direction', () => {
  const { a, b } = pair();
  const { initiator, responder, messages } = run(a, b);
  assert.equal(toHex(initiator.peer), toHex(bob.publicKey));
  assert.equal(toHex(responder.peer), toHex(alice.publicKey));
  assert.deepEqual(initiator.keys.send, responder.keys.receive);
  assert.deepEqual(initiator.keys.receive, responder.keys.send);
  assert.notDeepEqual(initiator.keys.send, initiator.keys.receive, 'directions have different keys');
  assert.deepEqual(messages.map((m) => m.length), [HELLO_BYTES, CHALLENGE_BYTES, AUTH_I_BYTES, AUTH_R_BYTES]);
  assert.ok(a.finished && b.finished);
  rejects(() => b.receive(messages[2]!), 'malformed_handshake');
});

test('every connection gets fresh session keys (ephemeral keys and nonces are fresh)', () => {
  const first = run(...Object.values(pair()) as [Handshake, Handshake]);
  const second = run(...Object.values(pair()) as [Handshake, Handshake]);
  assert.notDeepEqual(first.initiator.keys.send, second.initiator.keys.send);
});

test('the responder signs nothing and spends no key agreement before the initiator has proven its key', () => {
  let ephemerals = 0;
  const ephemeral = () => {
    ephemerals += 1;
    return generateX25519KeyPair();
  };
  // A stranger who knows Alice's public key (everyone does) but not her secret.
  const { b } = pair({}, { ephemeral });
  const hello = encodeHello({ version: HANDSHAKE_VERSION, chainId: CHAIN, initiatorKey: alice.publicKey, initiatorEphemeral: generateX25519KeyPair().publicKey });
  const challenge = decodeChallenge(sendOf(b.receive(hello)));
  assert.equal(ephemerals, 0, 'no ephemeral key before the proof');
  assert.deepEqual(Object.keys(challenge).sort(), ['responderKey', 'responderNonce', 'version'], 'the challenge carries no signature');
  const forged = sign(mallory, handshakeTranscript('initiator', { chainId: CHAIN, initiatorKey: alice.publicKey, initiatorEphemeral: decodeHello(hello).initiatorEphemeral, responderKey: bob.publicKey, responderNonce: challenge.responderNonce }));
  rejects(() => b.receive(encodeInitiatorAuth(forged)), 'bad_signature');
  assert.equal(ephemerals, 0, 'a failed proof costs no key agreement and no signature');
  // With the real Alice, the responder proves itself only after her proof.
  const genuine = pair({}, { ephemeral });
  run(genuine.a, genuine.b);
  assert.equal(ephemerals, 1);
});

test('a HELLO or CHALLENGE is rejected for the wrong chain, version, unknown key, wrong key or our own key', () => {
  const helloFrom = (options: Partial<HandshakeOptions>) => pair(options).a.start()!;
  rejects(() => pair().b.receive(helloFrom({ chainId: 1n })), 'chain_mismatch');
  rejects(() => pair().b.receive(helloFrom({ keyPair: mallory })), 'unknown_peer');
  rejects(() => pair().b.receive(helloFrom({ keyPair: bob })), 'self_connection');
  const future = encodeHello({ version: HANDSHAKE_VERSION + 1, chainId: CHAIN, initiatorKey: alice.publicKey, initiatorEphemeral: new Uint8Array(32) });
  rejects(() => pair().b.receive(future), 'version_mismatch');
  // Alice dialled Bob's address, but Mallory answers.
  const { a } = pair();
  a.start();
  const impostor = new Handshake({ role: 'responder', keyPair: mallory, chainId: CHAIN, nonce: nonce(), isKnownPeer: known(alice) });
  impostor.start();
  rejects(() => a.receive(sendOf(impostor.receive(pair().a.start()!))), 'wrong_peer');
});

test('a version-1 responder (which opens with its own 98-byte HELLO) is reported as a version mismatch', () => {
  const { a } = pair();
  a.start();
  const v1Hello = new Uint8Array(98);
  v1Hello[0] = 1;
  v1Hello[1] = 1;
  rejects(() => a.receive(v1Hello), 'version_mismatch');
});

test('an AUTH_I recorded on one connection does not verify on another (fresh challenge)', () => {
  const first = pair();
  const hello = first.a.start()!;
  const recorded = sendOf(first.a.receive(sendOf(first.b.receive(hello))));
  const second = pair();
  second.b.receive(hello); // the attacker replays Alice's HELLO...
  rejects(() => second.b.receive(recorded), 'bad_signature'); // ...and her AUTH_I
});

test('a signature is bound to its role and its chain', () => {
  const { a, b } = pair();
  const hello = a.start()!;
  const challenge = sendOf(b.receive(hello));
  const authI = sendOf(a.receive(challenge));
  // Reflection: Alice's own signature, wrapped as Bob's AUTH_R, does not convince Alice.
  rejects(() => a.receive(encodeResponderAuth({ responderEphemeral: generateX25519KeyPair().publicKey, signature: authI.subarray(1) })), 'bad_signature');
  // Another chain: Alice's signature over the same fields with a different chain id.
  const fields = { chainId: CHAIN + 1n, initiatorKey: alice.publicKey, initiatorEphemeral: decodeHello(hello).initiatorEphemeral, responderKey: bob.publicKey, responderNonce: decodeChallenge(challenge).responderNonce };
  rejects(() => b.receive(encodeInitiatorAuth(sign(alice, handshakeTranscript('initiator', fields)))), 'bad_signature');
});

test('an attacker on the path who alters any byte of any handshake message makes the handshake fail', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (index, position, mask) => {
      const { a, b } = pair();
      const tamper = (i: number, message: Uint8Array) => {
        if (i !== index) return message;
        const altered = message.slice();
        altered[position % altered.length]! ^= mask;
        return altered;
      };
      assert.throws(() => run(a, b, tamper), HandshakeError);
    }),
    { numRuns: 300 },
  );
});
