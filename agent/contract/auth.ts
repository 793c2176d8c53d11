// The signature envelope carried by state-changing messages (desired config, commands, deployments): schema only.
import { z } from 'zod';

/** Base64 of a 64-byte Ed25519 signature. */
export const SignatureValue = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'base64 of a 64-byte Ed25519 signature');

export const AuthEnvelope = z.strictObject({
  /** Which controller key signed (the first 16 hex digits of sha256 over its SPKI DER); informative. */
  keyId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  /** Milliseconds since the epoch at signing. */
  issuedAt: z.number().int().nonnegative(),
  /** Milliseconds since the epoch after which the message is refused; commands and deployments must carry one. */
  expiresAt: z.number().int().nonnegative().optional(),
  /** Random, unique per message: a device refuses a nonce it has seen before (replay). */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, '16–64 base64url characters'),
});
export type AuthEnvelope = z.infer<typeof AuthEnvelope>;

/** The fields a signed payload adds to its own. */
export const signedFields = { auth: AuthEnvelope, signature: SignatureValue };
