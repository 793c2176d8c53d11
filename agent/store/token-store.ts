// API tokens: created with a role, shown in plain once, stored only as a SHA-256 of their secret, verified in constant time.
//
// A token reads `hasn_<id>_<secret>`: `id` is 8 random bytes in hex (public: it names the token in
// lists and audit records), `secret` is 32 random bytes in base64url. Why SHA-256 and not scrypt:
// scrypt/bcrypt exist to slow down guessing of low-entropy human passwords. A 256-bit random secret
// cannot be guessed whatever the hash, so a slow hash would add no security and would cost ~50 ms of
// CPU and 16 MiB per API request on a Pi, handing an attacker a cheap way to load the device.
// Constant time: the stored hash is compared with `timingSafeEqual`, a hash is computed and compared
// (against a dummy) even when the id is unknown or the token malformed past its length, and
// revocation/expiry are checked only after the comparison. Timing can reveal whether an id exists; ids
// are not secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { Clock, RandomBytes } from './environment.ts';
import type { Database } from './sqlite.ts';

export const TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface TokenInfo {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface CreatedToken {
  /** The full token: give it to the user now, it cannot be recovered later. */
  token: string;
  info: TokenInfo;
}

/** Who a valid token speaks for. */
export interface TokenIdentity {
  id: string;
  name: string;
  role: TokenRole;
}

export interface CreateTokenInput {
  name: string;
  role: TokenRole;
  /** Milliseconds since the epoch; absent = never expires. */
  expiresAt?: number;
}

interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  secret_sha256: Uint8Array;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const TOKEN_PATTERN = /^hasn_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ID_BYTES = 8;
const SECRET_BYTES = 32;
const NAME_MAX_LENGTH = 100;
const DUMMY_HASH = new Uint8Array(32);

function sha256(text: string): Uint8Array {
  return createHash('sha256').update(text, 'utf8').digest();
}

function infoFromRow(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export class TokenStore {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    private readonly randomBytes: RandomBytes,
  ) {}

  create(input: CreateTokenInput): CreatedToken {
    if (typeof input.name !== 'string' || input.name.trim().length === 0 || input.name.length > NAME_MAX_LENGTH) {
      throw new HasnError('E_TOKEN_INVALID', `name must be a non-empty string of at most ${NAME_MAX_LENGTH} characters`, { path: 'name' });
    }
    if (!TOKEN_ROLES.includes(input.role)) {
      throw new HasnError('E_TOKEN_INVALID', `role must be one of ${TOKEN_ROLES.join(', ')}`, { path: 'role' });
    }
    const createdAt = this.now();
    if (input.expiresAt !== undefined && !(Number.isSafeInteger(input.expiresAt) && input.expiresAt > createdAt)) {
      throw new HasnError('E_TOKEN_INVALID', 'expiresAt must be a time in the future (ms since the epoch)', { path: 'expiresAt' });
    }
    const id = Buffer.from(this.takeRandom(ID_BYTES)).toString('hex');
    const secret = Buffer.from(this.takeRandom(SECRET_BYTES)).toString('base64url');
    return this.db.transaction('full', () => {
      this.db.run(
        'INSERT INTO api_tokens (id, name, role, secret_sha256, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
        id, input.name, input.role, sha256(secret), createdAt, input.expiresAt ?? null,
      );
      return {
        token: `hasn_${id}_${secret}`,
        info: { id, name: input.name, role: input.role, createdAt, expiresAt: input.expiresAt ?? null, revokedAt: null },
      };
    });
  }

  /** The identity of a valid token (known, not revoked, not expired), else null. Never throws on bad input. */
  verify(token: unknown): TokenIdentity | null {
    const match = typeof token === 'string' ? TOKEN_PATTERN.exec(token) : null;
    const presentedHash = sha256(match?.[2] ?? '');
    const row = match === null ? undefined : this.db.get<TokenRow>('SELECT * FROM api_tokens WHERE id = ?', match[1]);
    const storedHash = row?.secret_sha256 ?? DUMMY_HASH;
    const hashesEqual = timingSafeEqual(presentedHash, storedHash);
    if (row === undefined || !hashesEqual) return null;
    if (row.revoked_at !== null) return null;
    if (row.expires_at !== null && row.expires_at <= this.now()) return null;
    return { id: row.id, name: row.name, role: row.role };
  }

  /** Revokes a token; true if it was active. The record stays (for the audit trail). */
  revoke(id: string): boolean {
    return this.db.transaction('full', () =>
      this.db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', this.now(), id).changes === 1,
    );
  }

  /** Every token, newest first, without secrets or their hashes. */
  list(): TokenInfo[] {
    return this.db
      .all<TokenRow>('SELECT id, name, role, created_at, expires_at, revoked_at FROM api_tokens ORDER BY created_at DESC, id')
      .map(infoFromRow);
  }

  private takeRandom(size: number): Uint8Array {
    const bytes = this.randomBytes(size);
    if (bytes.byteLength !== size) {
      throw new HasnError('E_STORE_RANDOM', `the random source returned ${bytes.byteLength} bytes instead of ${size}`);
    }
    return bytes;
  }
}
