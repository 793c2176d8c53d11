// Creating the spike decoder an output's spec names; the entry point for decoders.
import type { Decoder } from '../spec/schema.ts';
import { decoderIssues, throwIfIssues } from './codec-checks.ts';
import type { DecoderContext, SpikeDecoder } from './contracts.ts';
import { FirstSpikeDecoder } from './first-spike-decoder.ts';
import { PopulationVectorDecoder } from './population-vector-decoder.ts';
import { RateDecoder } from './rate-decoder.ts';
import { WinnerTakeAllDecoder } from './winner-take-all-decoder.ts';

export type { DecodedOutput, DecoderContext, SpikeDecoder } from './contracts.ts';
export { decoderIssues } from './codec-checks.ts';

/**
 * A decoder for a population of `size` neurons. Throws a HasnError (code of the first problem, all of them in
 * `issues`) when the spec cannot work at this size and step: see `decoderIssues`.
 */
export function createDecoder(spec: Decoder, size: number, ctx: DecoderContext): SpikeDecoder {
  const path = ctx.path ?? 'decoder';
  throwIfIssues(decoderIssues(spec, size, ctx.dt_ms, path));
  switch (spec.type) {
    case 'rate': return new RateDecoder(spec, size, ctx, path);
    case 'first_spike': return new FirstSpikeDecoder(spec, size, ctx, path);
    case 'population_vector': return new PopulationVectorDecoder(spec, size, ctx, path);
    case 'winner_take_all': return new WinnerTakeAllDecoder(spec, size, ctx, path);
  }
}
