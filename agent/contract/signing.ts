// Ed25519 signatures of state-changing messages: the exact bytes signed, signing, verification, and replay checks.
//
// Signed bytes (UTF-8): "hasn-sig-v1\n" + topic + "\n" + canonicalJson(payload without its `signature` key),
// where canonicalJson sorts object keys at every level (core/spec/hash.ts) and the payload includes its
// `auth` envelope {keyId?, issuedAt, expiresAt?, nonce}. Binding the topic stops a message signed for one
// device or command from being replayed to another. The verifier canonicalises the JSON it received (not a
// schema-normalised copy), so defaults a schema fills in cannot change what was signed.
// Replays: commands and deployments must carry expiresAt (at most `maxTtlMs` after issuedAt) and a nonce;
// a device refuses expired messages, messages issued before it started (minus the allowed clock skew:
// its nonce memory does not survive a restart) and nonces it has seen. Desired configs are retained, so
// they carry no expiry: a device applies only a version newer than the one it runs.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import { canonicalJson } from '../../core/spec/hash.ts';
import type { AuthEnvelope } from './auth.ts';

export const SIGNATURE_CONTEXT = 'hasn-sig-v1';
export const DEFAULT_SIGNATURE_TTL_MS = 2 * 60_000;

export function signedBytes(topic: string, payload: Record<string, unknown>): Buffer {
  const { signature: _ignored, ...rest } = payload;
  return Buffer.from(`${SIGNATURE_CONTEXT}\n${topic}\n${canonicalJson(rest)}`, 'utf8');
}

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** A fresh key pair as PEM text (PKCS#8 private, SPKI public). */
export function generateSigningKeyPem(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function loadPublicKey(pem: string, path = 'publicKey'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new HasnError('E_KEY_INVALID', `not a PEM public key: ${(err as Error).message}`, { path, cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new HasnError('E_KEY_INVALID', `the key must be Ed25519, got ${String(key.asymmetricKeyType)}`, { path });
  return key;
}

export function loadSigningKeys(privatePem: string, path = 'privateKey'): SigningKeys {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch (err) {
    throw new HasnError('E_KEY_INVALID', `not a PEM private key: ${(err as Error).message}`, { path, cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new HasnError('E_KEY_INVALID', `the key must be Ed25519, got ${String(privateKey.asymmetricKeyType)}`, { path });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** Adds `auth` and `signature` to a payload bound for `topic`. `ttlMs: null` leaves out the expiry (desired configs). */
export function signPayload<T extends Record<string, unknown>>(
  topic: string,
  payload: T,
  keys: SigningKeys,
  options: { now?: number; ttlMs?: number | null } = {},
): T & { auth: AuthEnvelope; signature: string } {
  const issuedAt = Math.trunc(options.now ?? Date.now());
  const ttl = options.ttlMs === undefined ? DEFAULT_SIGNATURE_TTL_MS : options.ttlMs;
  const auth: AuthEnvelope = {
    keyId: keys.keyId,
    issuedAt,
    ...(ttl === null ? {} : { expiresAt: issuedAt + ttl }),
    nonce: randomBytes(18).toString('base64url'),
  };
  const unsigned = { ...payload, auth };
  const signature = sign(null, signedBytes(topic, unsigned), keys.privateKey).toString('base64');
  return { ...unsigned, signature };
}

/** Whether the raw received payload carries a valid signature of `publicKey` for `topic`. Never throws. */
export function hasValidSignature(topic: string, raw: unknown, publicKey: KeyObject): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const signature = (raw as Record<string, unknown>).signature;
  if (typeof signature !== 'string') return false;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  try {
    return verify(null, signedBytes(topic, raw as Record<string, unknown>), publicKey, bytes);
  } catch {
    return false;
  }
}

export interface ReplayGuardOptions {
  now: () => number;
  /** Longest accepted expiresAt − issuedAt. */
  maxTtlMs?: number;
  /** Clock difference tolerated between controller and device. */
  skewMs?: number;
  /** Nonces remembered at most (each until its message expires). */
  maxNonces?: number;
}

/** Refuses expired, future-dated, pre-start and repeated messages. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly startedAt: number;
  private readonly maxTtlMs: number;
  private readonly skewMs: number;
  private readonly maxNonces: number;

  constructor(private readonly options: ReplayGuardOptions) {
    this.startedAt = options.now();
    this.maxTtlMs = options.maxTtlMs ?? 10 * 60_000;
    this.skewMs = options.skewMs ?? 30_000;
    this.maxNonces = options.maxNonces ?? 100_000;
  }

  /** Throws E_SIGNATURE_EXPIRED / E_SIGNATURE_REPLAY / E_SIGNATURE_TTL; remembers the nonce when accepted. */
  admit(auth: AuthEnvelope): void {
    const now = this.options.now();
    const fail = (code: string, message: string): never => {
      throw new HasnError(code, message, { path: 'auth' });
    };
    if (auth.expiresAt === undefined) fail('E_SIGNATURE_TTL', 'this message must carry auth.expiresAt');
    const expiresAt = auth.expiresAt as number;
    if (expiresAt - auth.issuedAt > this.maxTtlMs || expiresAt < auth.issuedAt) fail('E_SIGNATURE_TTL', `auth.expiresAt must be within ${this.maxTtlMs} ms of issuedAt`);
    if (now > expiresAt + this.skewMs) fail('E_SIGNATURE_EXPIRED', 'the message has expired');
    if (auth.issuedAt > now + this.skewMs) fail('E_SIGNATURE_EXPIRED', 'the message was issued in the future (check the clocks)');
    if (auth.issuedAt < this.startedAt - this.skewMs) fail('E_SIGNATURE_REPLAY', 'the message was issued before this agent started');
    if (this.seen.has(auth.nonce)) fail('E_SIGNATURE_REPLAY', 'the nonce was already used');
    if (this.seen.size >= this.maxNonces) this.forgetExpired(now);
    if (this.seen.size >= this.maxNonces) fail('E_SIGNATURE_REPLAY', 'too many unexpired messages to remember; retry later');
    this.seen.set(auth.nonce, expiresAt + this.skewMs);
  }

  private forgetExpired(now: number): void {
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
  }
}
