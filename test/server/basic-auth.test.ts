/**
 * Basic auth against bcrypt hashes: header parsing, the success cache (keyed by user,
 * stored hash and password), the dummy comparison for unknown users, the concurrency cap.
 */
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BasicAuth, parseBasicAuth } from '../../src/server/basic-auth.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const HASH = bcrypt.hashSync('s3cret:with:colons', 4);

describe('parseBasicAuth', () => {
  it('splits at the first colon and decodes UTF-8', () => {
    expect(parseBasicAuth(basic('prometheus', 's3cret:with:colons'))).toEqual({ user: 'prometheus', password: 's3cret:with:colons' });
    expect(parseBasicAuth(`basic   ${Buffer.from('zoë:pä55').toString('base64')}`)).toEqual({ user: 'zoë', password: 'pä55' });
    expect(parseBasicAuth(basic('u', ''))).toEqual({ user: 'u', password: '' });
  });

  it('anything else is no credentials', () => {
    for (const header of [undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Basic ${Buffer.from(':pw').toString('base64')}`]) {
      expect(parseBasicAuth(header), String(header)).toBeUndefined();
    }
  });
});

describe('BasicAuth', () => {
  it('accepts the right password and remembers it: one bcrypt comparison for many requests', async () => {
    const auth = new BasicAuth(new Map([['prometheus', HASH]]));
    for (let i = 0; i < 5; i++) expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    expect(auth.comparisons).toBe(1);
  });

  it('never remembers a failure, and a remembered success is for that password only', async () => {
    const auth = new BasicAuth(new Map([['prometheus', HASH]]));
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await auth.check(basic('prometheus', 'wrong'))).toBe('denied');
    expect(await auth.check(basic('prometheus', 's3cret:with:colonsX'))).toBe('denied');
    expect(auth.comparisons).toBe(5);
  });

  it('forgets a success after the TTL', async () => {
    let clock = 1_000_000;
    const auth = new BasicAuth(new Map([['prometheus', HASH]]), { cacheTtlMs: 60_000, now: () => clock });
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    clock += 59_000;
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    expect(auth.comparisons).toBe(1);
    clock += 2_000;
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    expect(auth.comparisons).toBe(2);
  });

  it('a changed hash for the same user does not match an old cache entry', async () => {
    const users = new Map([['prometheus', HASH]]);
    const auth = new BasicAuth(users);
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('ok');
    users.set('prometheus', bcrypt.hashSync('rotated', 4));
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe('denied');
    expect(await auth.check(basic('prometheus', 'rotated'))).toBe('ok');
  });

  it('an unknown user costs a bcrypt comparison too (no fast "no such user"), and is denied', async () => {
    const auth = new BasicAuth(new Map([['prometheus', HASH]]));
    expect(await auth.check(basic('mallory', 's3cret:with:colons'))).toBe('denied');
    expect(await auth.check(basic('mallory', 's3cret:with:colons'))).toBe('denied');
    expect(auth.comparisons).toBe(2);
    expect(await auth.check(undefined)).toBe('denied');
    expect(auth.comparisons).toBe(2);
  });

  it('caps bcrypt checks running at once: beyond, busy', async () => {
    const slow = bcrypt.hashSync('x', 10);
    const auth = new BasicAuth(new Map([['prometheus', slow]]), { maxConcurrent: 2 });
    const checks = Array.from({ length: 5 }, (_, i) => auth.check(basic('prometheus', `wrong${i}`)));
    const outcomes = await Promise.all(checks);
    expect(outcomes.filter((o) => o === 'busy')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'denied')).toHaveLength(2);
    expect(await auth.check(basic('prometheus', 'x'))).toBe('ok');
  });

  it('bounds the cache', async () => {
    const hashes = new Map(Array.from({ length: 4 }, (_, i) => [`u${i}`, bcrypt.hashSync(`p${i}`, 4)] as const));
    const auth = new BasicAuth(hashes, { maxCacheEntries: 2 });
    for (let i = 0; i < 4; i++) expect(await auth.check(basic(`u${i}`, `p${i}`))).toBe('ok');
    expect(auth.comparisons).toBe(4);
    expect(await auth.check(basic('u3', 'p3'))).toBe('ok');
    expect(auth.comparisons).toBe(4);
    expect(await auth.check(basic('u0', 'p0'))).toBe('ok');
    expect(auth.comparisons).toBe(5);
  });
});
