// The page size a caller may ask a store's list for: a positive integer, capped so one call cannot read a whole table.
import { HasnError } from '../../core/errors.ts';

export const MAX_LIST_LIMIT = 1000;

export function checkLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new HasnError('E_STORE_LIMIT_INVALID', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`, { path: 'limit' });
  }
  return limit;
}
