import assert from 'node:assert/strict';
import { Algorithm, hash } from '@node-rs/argon2';
import { ARGON2_PARAMS, hashPassword, needsRehash, verifyPassword } from '../../../src/auth/password.js';
import { passwordProblems } from '../../../src/auth/password-policy.js';

describe('passwords', () => {
  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(stored, 'correct horse battery stapler'), false);
    assert.equal(needsRehash(stored), false);
  });

  it('asks for a rehash when the parameters were weaker', async () => {
    const weak = await hash('some long passphrase', {
      ...ARGON2_PARAMS,
      memoryCost: 4096,
      algorithm: Algorithm.Argon2id,
    });
    assert.equal(needsRehash(weak), true);
    assert.equal(needsRehash('$2b$10$abcdefghijklmnopqrstuv'), true);
  });

  it('never matches a malformed stored hash', async () => {
    assert.equal(await verifyPassword('not a hash', 'anything'), false);
  });

  it('refuses short, repetitive, breached and email-based passwords, with reasons', () => {
    assert.match(passwordProblems('short1!').join(' '), /at least 12/);
    assert.match(passwordProblems('aaaaaaaaaaaaaaaa').join(' '), /repetitive/);
    assert.match(passwordProblems('Password123456').join(' '), /breached/);
    assert.match(passwordProblems('ada.lovelace-2026!', 'ada.lovelace@example.com').join(' '), /email/);
    assert.deepEqual(passwordProblems('violet trombone cabinet'), []);
  });
});
