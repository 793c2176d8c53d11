// Jittered exponential backoff for reconnects: base·2^attempt capped, then a random point in its upper half.
//
// "Equal jitter": delay ∈ [d/2, d] with d = min(cap, initial·2^attempt). The random half spreads a fleet
// that lost its broker at the same moment (no thundering herd on restart); the fixed half keeps a single
// device from hammering a broker that refuses it.
import { HasnError } from '../../core/errors.ts';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts as one more failed attempt. */
  next(): number;
  /** After a successful connection: the next failure starts from the initial delay again. */
  reset(): void;
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
    throw new HasnError('E_BACKOFF_INVALID', `backoff needs 0 < initialMs ≤ maxMs, got ${options.initialMs} and ${options.maxMs}`, { path: 'backoff' });
  }
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempts, 40));
      attempts += 1;
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
