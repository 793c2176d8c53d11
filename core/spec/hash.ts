// The spec hash: sha256 over the canonical JSON (sorted keys) of a validated spec with defaults filled in.
import { createHash } from 'node:crypto';
import type { NetworkSpec } from './schema.ts';

/** JSON with object keys sorted at every level: the same network always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specHash(spec: NetworkSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
