import crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword, PasswordVerifier, verifyPassword } from '../../main/security/passwords';

describe('PasswordVerifier', () => {
  afterEach(() => vi.restoreAllMocks());

  const setup = async () => {
    let now = 1_000_000;
    const verifier = new PasswordVerifier({ ttlMs: 60_000, now: () => now, maxEntries: 2 });
    const stored = await hashPassword('right horse battery');
    const scrypt = vi.spyOn(crypto, 'scrypt');
    return { verifier, stored, scrypt, advance: (ms: number) => (now += ms) };
  };

  it('takes a verified password on trust until it expires, and checks again after', async () => {
    const { verifier, stored, scrypt, advance } = await setup();
    expect(await verifier.verify('right horse battery', stored)).toBe(true);
    expect(scrypt).toHaveBeenCalledTimes(1);
    expect(await verifier.verify('right horse battery', stored)).toBe(true);
    expect(scrypt).toHaveBeenCalledTimes(1);
    advance(60_001);
    expect(await verifier.verify('right horse battery', stored)).toBe(true);
    expect(scrypt).toHaveBeenCalledTimes(2);
  });

  it('never remembers a failure, and a wrong password still gets the full check', async () => {
    const { verifier, stored, scrypt } = await setup();
    expect(await verifier.verify('right horse battery', stored)).toBe(true);
    expect(await verifier.verify('wrong horse', stored)).toBe(false);
    expect(await verifier.verify('wrong horse', stored)).toBe(false);
    expect(await verifier.verify('right horse battery ', stored)).toBe(false);
    expect(scrypt).toHaveBeenCalledTimes(4);
  });

  it('forgets the old password once the stored hash changes', async () => {
    const { verifier, stored } = await setup();
    expect(await verifier.verify('right horse battery', stored)).toBe(true);
    const changed = await hashPassword('new password 2');
    expect(await verifier.verify('right horse battery', changed)).toBe(false);
    expect(await verifier.verify('new password 2', changed)).toBe(true);
    expect(await verifyPassword('new password 2', changed)).toBe(true);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const { verifier, stored, scrypt } = await setup();
    const other = await hashPassword('second one');
    const third = await hashPassword('third one');
    scrypt.mockClear();
    await verifier.verify('right horse battery', stored);
    await verifier.verify('second one', other);
    await verifier.verify('third one', third);
    expect(scrypt).toHaveBeenCalledTimes(3);
    await verifier.verify('third one', third);
    await verifier.verify('second one', other);
    expect(scrypt).toHaveBeenCalledTimes(3);
    await verifier.verify('right horse battery', stored);
    expect(scrypt).toHaveBeenCalledTimes(4);
  });
});
