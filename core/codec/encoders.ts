// Creating the spike encoder an input's spec names; the entry point for encoders.
import type { Encoder } from '../spec/schema.ts';
import { encoderIssues, throwIfIssues } from './codec-checks.ts';
import type { EncoderContext, SpikeEncoder } from './contracts.ts';
import { DeltaEncoder } from './delta-encoder.ts';
import { LatencyEncoder } from './latency-encoder.ts';
import { PopulationEncoder } from './population-encoder.ts';
import { RateEncoder } from './rate-encoder.ts';
import { HasnError } from '../errors.ts';

export type { EncoderContext, SpikeEncoder } from './contracts.ts';
export { encoderIssues } from './codec-checks.ts';

function isUint32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

/**
 * An encoder for a spike_source population of `size` neurons. Throws a HasnError (code of the first problem,
 * all of them in `issues`) when the spec cannot work at this size and step: see `encoderIssues`.
 */
export function createEncoder(spec: Encoder, size: number, ctx: EncoderContext): SpikeEncoder {
  const path = ctx.path ?? 'encoder';
  if (!isUint32(ctx.seed) || !isUint32(ctx.stream)) {
    throw new HasnError('E_CODEC_SEED', `seed and stream must be unsigned 32-bit integers, got ${ctx.seed} and ${ctx.stream}`, { path });
  }
  throwIfIssues(encoderIssues(spec, size, ctx.dt_ms, path));
  switch (spec.type) {
    case 'rate': return new RateEncoder(spec, size, ctx, path);
    case 'latency': return new LatencyEncoder(spec, size, ctx, path);
    case 'delta': return new DeltaEncoder(spec, size, path);
    case 'population': return new PopulationEncoder(spec, size, ctx, path);
  }
}
