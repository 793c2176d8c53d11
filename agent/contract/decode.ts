// Turning received bytes into a checked payload: size limit, strict UTF-8, JSON, then the topic's zod schema.
import type { z } from 'zod';
import { HasnError, formatPath } from '../../core/errors.ts';
import type { ErrorInfo } from './messages.ts';

/** Largest payload accepted per kind of topic, before any parsing. */
export const MAX_PAYLOAD_BYTES = {
  status: 4 * 1024,
  birth: 64 * 1024,
  telemetry: 1024 * 1024,
  events: 64 * 1024,
  'config/desired': 256 * 1024,
  'config/reported': 8 * 1024,
  cmd: 16 * 1024,
  response: 256 * 1024,
  deploy: 256 * 1024,
  chunk: 512 * 1024,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type Decoded<T> = { ok: true; value: T; raw: unknown } | { ok: false; error: HasnError };

/** Decodes `bytes` as JSON checked by `schema`; never throws. `raw` is the parsed JSON before the schema (for signatures). */
export function decodePayload<S extends z.ZodType>(schema: S, bytes: Uint8Array, maxBytes: number): Decoded<z.infer<S>> {
  if (bytes.length > maxBytes) {
    return { ok: false, error: new HasnError('E_MESSAGE_TOO_LARGE', `payload of ${bytes.length} bytes exceeds the limit of ${maxBytes}`) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    return { ok: false, error: new HasnError('E_MESSAGE_NOT_JSON', `payload is not UTF-8 JSON: ${(err as Error).message}`.slice(0, 300)) };
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((issue) => ({ code: 'E_MESSAGE_SCHEMA', path: formatPath(issue.path), message: issue.message.slice(0, 200) }));
    const first = issues[0];
    return { ok: false, error: new HasnError('E_MESSAGE_SCHEMA', `payload does not match the contract: ${first?.path}: ${first?.message}`, { path: first?.path, issues }) };
  }
  return { ok: true, value: result.data, raw };
}

/** The wire form of any error: a stable code and a message (unexpected errors become E_INTERNAL). */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof HasnError) {
    return { code: /^E_[A-Z0-9_]{1,64}$/.test(err.code) ? err.code : 'E_INTERNAL', message: err.message.slice(0, 512), ...(err.path === undefined ? {} : { path: err.path.slice(0, 512) }) };
  }
  return { code: 'E_INTERNAL', message: (err instanceof Error ? err.message : String(err)).slice(0, 512) };
}
