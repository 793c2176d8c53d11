// Who a request speaks for: a bearer token (roles viewer < operator < admin) or, without one, the anonymous role.
import type { HttpConfig, Role } from '../config/schema.ts';
import type { TokenStore } from '../store/index.ts';
import { apiError } from './api-errors.ts';

export type AccessLevel = Role | 'none';

export interface Identity {
  /** For the audit log: `token:<id>` or `anonymous`. */
  actor: string;
  role: AccessLevel;
  /** Rate-limit key: the token id, or null for anonymous requests (keyed by address then). */
  tokenId: string | null;
}

const RANK: Record<AccessLevel, number> = { none: 0, viewer: 1, operator: 2, admin: 3 };

export function roleAllows(have: AccessLevel, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** The anonymous role in effect: the configured one, else viewer on a loopback address and none elsewhere. */
export function anonymousRole(http: Pick<HttpConfig, 'host' | 'anonymous_role'>): AccessLevel {
  return http.anonymous_role ?? (LOOPBACK.test(http.host) ? 'viewer' : 'none');
}

/** The token presented in `Authorization: Bearer …` (or, for EventSource, which cannot set headers, `?access_token=`). */
export function presentedToken(authorization: string | undefined, queryToken: unknown): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw apiError('E_API_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    return match[1];
  }
  return typeof queryToken === 'string' && queryToken !== '' ? queryToken : undefined;
}

/** The identity of a request; a presented token that is not valid is refused (never silently anonymous). */
export function identify(token: string | undefined, tokens: Pick<TokenStore, 'verify'>, anonymous: AccessLevel): Identity {
  if (token === undefined) return { actor: 'anonymous', role: anonymous, tokenId: null };
  const identity = tokens.verify(token);
  if (identity === null) throw apiError('E_API_UNAUTHENTICATED', 'the token is unknown, revoked or expired');
  return { actor: `token:${identity.id}`, role: identity.role, tokenId: identity.id };
}
