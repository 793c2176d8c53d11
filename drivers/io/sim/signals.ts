// Synthetic sensor signals for simulation mode and tests: pure functions of time (and a seed), never of call order.
//
// A Signal answers "what would this sensor read at t_ms?", so sampling it at any rate, in any order, in any
// process gives the same values. Noise draws come from core/random's counter-based generator keyed by
// (seed, channel, time bucket).
import { HasnError } from '../../../core/errors.ts';
import { normal } from '../../../core/random.ts';

export interface Signal {
  readonly channel: string;
  valueAt(t_ms: number): number;
}

function positive(value: number, name: string): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new HasnError('E_SIM_CONFIG', `${name} must be a positive number, got ${String(value)}`, { path: name });
}

/** FNV-1a: a stable 32-bit key for a channel name, so each channel gets its own noise stream. */
export function channelKey(channel: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < channel.length; i++) hash = Math.imul(hash ^ channel.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export interface SineOptions {
  channel: string;
  periodMs: number;
  amplitude?: number;
  offset?: number;
  /** Shifts the wave later in time. */
  phaseMs?: number;
}

/** offset + amplitude · sin(2π (t − phase) / period). */
export function sineSignal(options: SineOptions): Signal {
  positive(options.periodMs, 'periodMs');
  const { channel, periodMs, amplitude = 1, offset = 0, phaseMs = 0 } = options;
  return { channel, valueAt: (t) => offset + amplitude * Math.sin((2 * Math.PI * (t - phaseMs)) / periodMs) };
}

export interface SquareOptions {
  channel: string;
  periodMs: number;
  low?: number;
  high?: number;
  /** Fraction of each period spent high, from its start (default 0.5). */
  duty?: number;
  phaseMs?: number;
}

export function squareSignal(options: SquareOptions): Signal {
  positive(options.periodMs, 'periodMs');
  const { channel, periodMs, low = 0, high = 1, duty = 0.5, phaseMs = 0 } = options;
  if (!(duty >= 0 && duty <= 1)) throw new HasnError('E_SIM_CONFIG', `duty must be in [0, 1], got ${String(duty)}`, { path: 'duty' });
  return {
    channel,
    valueAt(t) {
      const position = (((t - phaseMs) % periodMs) + periodMs) % periodMs;
      return position < duty * periodMs ? high : low;
    },
  };
}

export interface StepOptions {
  channel: string;
  atMs: number;
  before?: number;
  after?: number;
}

/** `before` until atMs, `after` from atMs on. */
export function stepSignal(options: StepOptions): Signal {
  const { channel, atMs, before = 0, after = 1 } = options;
  return { channel, valueAt: (t) => (t < atMs ? before : after) };
}

export interface NoiseOptions {
  channel: string;
  seed: number;
  mean?: number;
  stddev?: number;
  /** The value holds for this long, so one draw per bucket whatever the sampling rate (default 1 ms). */
  holdMs?: number;
}

/** Gaussian noise, seeded: the same (seed, channel, t) always gives the same value. */
export function noiseSignal(options: NoiseOptions): Signal {
  const { channel, seed, mean = 0, stddev = 1, holdMs = 1 } = options;
  positive(holdMs, 'holdMs');
  if (!(stddev >= 0)) throw new HasnError('E_SIM_CONFIG', `stddev must be ≥ 0, got ${String(stddev)}`, { path: 'stddev' });
  if (!Number.isInteger(seed)) throw new HasnError('E_SIM_CONFIG', `seed must be an integer, got ${String(seed)}`, { path: 'seed' });
  const key = channelKey(channel);
  return {
    channel,
    valueAt(t) {
      const bucket = Math.floor(t / holdMs);
      // Two 32-bit words of the bucket index, so runs longer than 2^32 buckets do not repeat.
      return mean + stddev * normal(seed >>> 0, key, Math.floor(bucket / 4294967296) >>> 0, bucket >>> 0);
    },
  };
}

/** The sum of several signals under one channel name (e.g. a slow sine plus sensor noise). */
export function sumSignals(channel: string, parts: readonly Signal[]): Signal {
  return { channel, valueAt: (t) => parts.reduce((total, part) => total + part.valueAt(t), 0) };
}
