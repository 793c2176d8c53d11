// Per-synapse weight and delay of a projection: constant for the whole projection, or drawn per synapse from the seed.
import { HasnError } from '../errors.ts';
import { streamId } from '../random.ts';
import type { NetworkSpec, Projection } from '../spec/schema.ts';
import { constantOf, isConstant, sampleValue } from './sample.ts';

/** Largest delay in steps (delays are stored in one byte). */
export const MAX_DELAY_STEPS = 255;

export interface WeightSource {
  /** The weight every synapse shares (float32), or null when synapses differ or may change (plasticity). */
  readonly constant: number | null;
  /** Weight of canonical synapse c (explicit pair index `pair`, or −1). */
  draw(c: number, pair: number): number;
}

export interface DelaySource {
  /** Largest delay in steps. */
  readonly max: number;
  /** The delay in steps every synapse shares, or 0 when synapses differ. */
  readonly constant: number;
  draw(c: number, pair: number): number;
}

export function weightSource(proj: Projection, seed: number): WeightSource {
  const pairs = proj.connector.type === 'explicit' ? proj.connector.pairs : null;
  const stream = streamId(`${proj.id}/weight`);
  const base = proj.weight;
  const constant = isConstant(base) ? Math.fround(Math.max(0, constantOf(base))) : NaN;
  const explicitWeights = pairs !== null && pairs.some((p) => p[2] !== undefined);
  const shared = !Number.isNaN(constant) && !explicitWeights && proj.plasticity === undefined;
  return {
    constant: shared ? constant : null,
    draw: (c, pair) => {
      const explicit = pairs !== null && pair >= 0 ? pairs[pair]![2] : undefined;
      if (explicit !== undefined) return explicit;
      if (!Number.isNaN(constant)) return constant;
      return Math.max(0, sampleValue(base, seed, stream, c)); // drawn weights below 0 are clipped to 0
    },
  };
}

export function delaySource(proj: Projection, spec: NetworkSpec): DelaySource {
  const dt = spec.dt_ms;
  const toSteps = (ms: number): number => Math.min(MAX_DELAY_STEPS, Math.max(1, Math.round(ms / dt)));
  const pairs = proj.connector.type === 'explicit' ? proj.connector.pairs : null;
  const value = proj.delay_ms ?? dt;
  const stream = streamId(`${proj.id}/delay`);
  let max: number;
  if (isConstant(value)) {
    max = toSteps(constantOf(value));
  } else if (value.dist === 'uniform' || value.dist === 'normal_clipped') {
    max = toSteps(value.high);
  } else {
    max = MAX_DELAY_STEPS;
  }
  let explicitDelays = false;
  if (pairs) {
    for (const pair of pairs) {
      if (pair[3] === undefined) continue;
      explicitDelays = true;
      max = Math.max(max, toSteps(pair[3]));
    }
  }
  if (max > MAX_DELAY_STEPS) throw new HasnError('E_SPEC_DELAY_TOO_LONG', `delays are limited to ${MAX_DELAY_STEPS} steps`, { path: `projections.${proj.id}.delay_ms` });
  const constant = isConstant(value) ? toSteps(constantOf(value)) : 0;
  return {
    max,
    constant: explicitDelays ? 0 : constant,
    draw: (c, pair) => {
      const explicit = pairs !== null && pair >= 0 ? pairs[pair]![3] : undefined;
      if (explicit !== undefined) return toSteps(explicit);
      return constant > 0 ? constant : toSteps(sampleValue(value, spec.seed, stream, c));
    },
  };
}
