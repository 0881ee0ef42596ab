import { expect } from 'chai';
import { PasswordHasher } from './password.js';

describe('PasswordHasher (scrypt)', () => {
  const hasher = new PasswordHasher({ cost: 1024, blockSize: 8, parallelization: 1 });

  it('stores scrypt$N$r$p$salt$key with a fresh salt, and verifies only the right password', async () => {
    const a = await hasher.hash('пароль-1');
    const b = await hasher.hash('пароль-1');
    expect(a).to.match(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.to.equal(b);
    expect(await hasher.verify('пароль-1', a)).to.equal(true);
    expect(await hasher.verify('пароль-2', a)).to.equal(false);
    expect(await hasher.verify('', a)).to.equal(false);
  });

  it('verifies a hash made with other parameters (a raised cost keeps old passwords)', async () => {
    const old = await new PasswordHasher({ cost: 256, blockSize: 4, parallelization: 1 }).hash('x');
    expect(await hasher.verify('x', old)).to.equal(true);
  });

  it('answers false for stored values of another shape, and for the decoy', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$0$8$1$AA==$AA==',
      'bcrypt$x$y$z$a$b',
      'scrypt$1024$8$1$c2FsdA==$c2hvcnQ=',
    ]) {
      expect(await hasher.verify('x', stored), stored).to.equal(false);
    }
    expect(await hasher.verifyDecoy('x')).to.equal(false);
  });
});
