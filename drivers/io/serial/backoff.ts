// Reconnect delays: exponential backoff with jitter, as a pure function of the attempt number and a random draw.

export interface BackoffOptions {
  /** Delay before the first reopen attempt (default 100 ms). */
  initialMs?: number;
  /** Upper bound of any delay (default 5000 ms). */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Relative spread: the delay is scaled by a factor drawn from [1 − jitter, 1 + jitter] (default 0.2). */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 };

/**
 * Delay before reopen attempt `attempt` (1-based). `random` is a draw in [0, 1); jitter keeps a fleet of devices
 * that lost the same USB hub from retrying in lockstep. Never exceeds maxMs.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: number): number {
  const { initialMs, maxMs, factor, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt - 1)));
  return Math.min(maxMs, Math.max(0, base * (1 - jitter + 2 * jitter * random)));
}
