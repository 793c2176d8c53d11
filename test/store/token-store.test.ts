// TokenStore: one-time plain tokens, hashed at rest, roles, verification, expiry and revocation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../agent/store/sqlite.ts';
import { DAY_MS, manualClock, tempStore } from './store-fixture.ts';

/** A deterministic random source: 0x01 0x02 … so the token text is predictable. */
function countingRandom(): (size: number) => Uint8Array {
  let next = 1;
  return (size) => Uint8Array.from({ length: size }, () => next++ & 0xff);
}

describe('TokenStore', () => {
  it('creates a token from the injected randomness, returning the plain text once', () => {
    const clock = manualClock();
    const { tokens } = tempStore({ now: clock.now, randomBytes: countingRandom() });
    const created = tokens.create({ name: 'dashboard', role: 'viewer' });
    const secret = Buffer.from(Uint8Array.from({ length: 32 }, (_, i) => i + 9)).toString('base64url');
    expect(created).toEqual({
      token: `hasn_0102030405060708_${secret}`,
      info: { id: '0102030405060708', name: 'dashboard', role: 'viewer', createdAt: clock.now(), expiresAt: null, revokedAt: null },
    });
    expect(tokens.list()).toEqual([created.info]);
  });

  it('stores only the SHA-256 of the secret, never the token', () => {
    const store = tempStore();
    const { token, info } = store.tokens.create({ name: 'ci', role: 'admin' });
    const secret = token.split('_').slice(2).join('_');
    const raw = openDatabase(store.path, { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 });
    try {
      const row = raw.get<Record<string, unknown>>('SELECT * FROM api_tokens WHERE id = ?', info.id)!;
      expect(Buffer.from(row.secret_sha256 as Uint8Array).equals(createHash('sha256').update(secret).digest())).toBe(true);
      expect(JSON.stringify(row)).not.toContain(secret);
    } finally {
      raw.close();
    }
    expect(JSON.stringify(store.tokens.list())).not.toContain('secret');
  });

  it('verifies a valid token to its identity and role', () => {
    const { tokens } = tempStore();
    const viewer = tokens.create({ name: 'v', role: 'viewer' });
    const operator = tokens.create({ name: 'o', role: 'operator' });
    expect(tokens.verify(viewer.token)).toEqual({ id: viewer.info.id, name: 'v', role: 'viewer' });
    expect(tokens.verify(operator.token)?.role).toBe('operator');
  });

  it('returns null for wrong, altered, malformed or non-string tokens without throwing', () => {
    const { tokens } = tempStore();
    const { token } = tokens.create({ name: 'x', role: 'admin' });
    const lastChar = token.at(-1) === 'A' ? 'B' : 'A';
    for (const candidate of [token.slice(0, -1) + lastChar, token + 'A', token.slice(0, 30), '', 'Bearer ' + token, 42, null, undefined, { token }]) {
      expect(tokens.verify(candidate)).toBeNull();
    }
    const otherId = token.replace(/^hasn_[0-9a-f]{16}/, 'hasn_ffffffffffffffff');
    expect(tokens.verify(otherId)).toBeNull();
  });

  it('refuses a revoked token and reports whether revoke changed anything', () => {
    const { tokens } = tempStore();
    const { token, info } = tokens.create({ name: 'x', role: 'operator' });
    expect(tokens.revoke(info.id)).toBe(true);
    expect(tokens.verify(token)).toBeNull();
    expect(tokens.revoke(info.id)).toBe(false);
    expect(tokens.revoke('0000000000000000')).toBe(false);
    expect(tokens.list()[0].revokedAt).not.toBeNull();
  });

  it('refuses a token once its expiry time has come', () => {
    const clock = manualClock();
    const { tokens } = tempStore({ now: clock.now });
    const { token } = tokens.create({ name: 'temp', role: 'viewer', expiresAt: clock.now() + DAY_MS });
    clock.advance(DAY_MS - 1);
    expect(tokens.verify(token)?.name).toBe('temp');
    clock.advance(1);
    expect(tokens.verify(token)).toBeNull();
  });

  it('rejects a bad name, role, expiry or random source with stable codes', () => {
    const clock = manualClock();
    const { tokens } = tempStore({ now: clock.now });
    expect(() => tokens.create({ name: ' ', role: 'viewer' })).toThrow(expect.objectContaining({ code: 'E_TOKEN_INVALID', path: 'name' }));
    expect(() => tokens.create({ name: 'x', role: 'root' as never })).toThrow(expect.objectContaining({ code: 'E_TOKEN_INVALID', path: 'role' }));
    expect(() => tokens.create({ name: 'x', role: 'viewer', expiresAt: clock.now() })).toThrow(expect.objectContaining({ code: 'E_TOKEN_INVALID', path: 'expiresAt' }));
    const short = tempStore({ randomBytes: () => new Uint8Array(4) });
    expect(() => short.tokens.create({ name: 'x', role: 'viewer' })).toThrow(expect.objectContaining({ code: 'E_STORE_RANDOM' }));
    expect(tokens.list()).toEqual([]);
  });
});
