// Keystore v3: the Web3 Secret Storage Definition's own test vectors, round trips of both key
// types, wrong passwords and altered files, and files written and read by ethers (which reads and
// writes what geth does). Key derivation (@noble/hashes) is checked against OpenSSL's scrypt.
import test from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { Wallet, decryptKeystoreJsonSync, encryptKeystoreJsonSync } from 'ethers';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { LIGHT_SCRYPT, KeystoreError, decryptKeystore, encryptKeystore, isKeystore, keystorePublicPart, type KeystoreFile } from '../../src/crypto/keystore.js';

// https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/#test-vectors
const VECTOR_PASSWORD = 'testpassword';
const VECTOR_KEY = '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const SCRYPT_VECTOR = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: { dklen: 32, n: 262144, p: 8, r: 1, salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19' },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};
const PBKDF2_VECTOR = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const errorCode = (code: string) => (error: unknown) => error instanceof KeystoreError && error.code === code;

test('the spec vectors decrypt to their key (scrypt and PBKDF2)', () => {
  for (const vector of [SCRYPT_VECTOR, PBKDF2_VECTOR]) {
    const key = decryptKeystore(vector, VECTOR_PASSWORD);
    assert.equal(key.keyType, 'secp256k1');
    assert.equal(toHex(key.secret), VECTOR_KEY);
    assert.equal(key.address, new Wallet(`0x${VECTOR_KEY}`).address.toLowerCase());
  }
  assert.throws(() => decryptKeystore(PBKDF2_VECTOR, 'testpasswort'), errorCode('WRONG_PASSWORD'));
});

test('an ed25519 key round-trips, its public key readable without the password', () => {
  const pair = generateKeyPair();
  const file = encryptKeystore('ed25519', pair.seed, 'correct horse', { kdf: LIGHT_SCRYPT });
  assert.ok(isKeystore(file));
  assert.equal(file.keyType, 'ed25519');
  assert.equal(file.publicKey, `0x${toHex(pair.publicKey)}`);
  assert.equal(file.address, undefined);
  assert.deepEqual(keystorePublicPart(file), { keyType: 'ed25519', publicKey: `0x${toHex(pair.publicKey)}` });
  assert.ok(!JSON.stringify(file).includes(toHex(pair.seed)), 'the seed is not in the file');
  const key = decryptKeystore(JSON.parse(JSON.stringify(file)), 'correct horse');
  assert.deepEqual(key.secret, pair.seed);
  assert.throws(() => decryptKeystore(file, 'Correct horse'), errorCode('WRONG_PASSWORD'));
});

test('a secp256k1 keystore we write is what ethers reads, and the other way round', () => {
  const wallet = Wallet.createRandom();
  const ours = encryptKeystore('secp256k1', fromHex(wallet.privateKey), 'pw', { kdf: LIGHT_SCRYPT });
  assert.equal(`0x${ours.address}`, wallet.address.toLowerCase());
  assert.equal(decryptKeystoreJsonSync(JSON.stringify(ours), 'pw').privateKey, wallet.privateKey);
  const theirs = JSON.parse(encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, 'pw', { scrypt: { N: 1 << 10 } })) as unknown;
  const key = decryptKeystore(theirs, 'pw');
  assert.equal(`0x${toHex(key.secret)}`, wallet.privateKey);
  assert.equal(key.address, wallet.address.toLowerCase());
});

test('the derived key and MAC equal those of OpenSSL scrypt and @noble/hashes keccak', () => {
  const salt = fromHex('11'.repeat(32));
  const iv = fromHex('22'.repeat(16));
  const file = encryptKeystore('ed25519', fromHex('33'.repeat(32)), 'pässwörd', { kdf: LIGHT_SCRYPT, salt, iv, id: 'fixed' });
  const derived = scryptSync(Buffer.from('pässwörd', 'utf8'), salt, 32, { N: LIGHT_SCRYPT.n, r: LIGHT_SCRYPT.r, p: LIGHT_SCRYPT.p });
  const ciphertext = fromHex(file.crypto.ciphertext);
  assert.equal(file.crypto.mac, toHex(keccak_256(new Uint8Array([...derived.subarray(16), ...ciphertext]))));
});

test('altered or malformed files are refused with what is wrong', () => {
  const pair = generateKeyPair();
  const good = encryptKeystore('ed25519', pair.seed, 'pw', { kdf: LIGHT_SCRYPT });
  const altered = (change: (f: any) => void): KeystoreFile => {
    const copy = JSON.parse(JSON.stringify(good));
    change(copy);
    return copy;
  };
  const flipped = good.crypto.ciphertext.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.ciphertext = flipped)), 'pw'), errorCode('WRONG_PASSWORD'));
  assert.throws(() => decryptKeystore(altered((f) => (f.publicKey = `0x${toHex(generateKeyPair().publicKey)}`)), 'pw'), errorCode('KEY_MISMATCH'));
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.cipher = 'aes-128-cbc')), 'pw'), errorCode('UNSUPPORTED'));
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.kdf = 'argon2')), 'pw'), errorCode('UNSUPPORTED'));
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.kdfparams.n = 1 << 24)), 'pw'), /asks for more than 1024 MiB/);
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.kdfparams.n = 1000)), 'pw'), /power of two/);
  assert.throws(() => decryptKeystore(altered((f) => (f.crypto.mac = 'zz')), 'pw'), /crypto\.mac must be a hex string/);
  assert.throws(() => decryptKeystore(altered((f) => delete f.crypto.cipherparams), 'pw'), /cipherparams\.iv/);
  assert.throws(() => decryptKeystore(altered((f) => (f.version = 4)), 'pw'), /not a keystore v3 file/);
  assert.throws(() => decryptKeystore(altered((f) => (f.keyType = 'bls')), 'pw'), errorCode('UNSUPPORTED'));
});
