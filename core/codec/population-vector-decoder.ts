// Population-vector decoder: the spike-weighted mean of the neurons' preferred values, the inverse of the population encoder.
import type { Decoder } from '../spec/schema.ts';
import { STATE_TAG } from './codec-state.ts';
import type { DecodedOutput, DecoderContext } from './contracts.ts';
import { preferredValues } from './preferred-values.ts';
import { SlidingWindowDecoder } from './sliding-window-decoder.ts';

type PopulationVectorSpec = Extract<Decoder, { type: 'population_vector' }>;

/**
 * value = Σ countᵢ·μᵢ / Σ countᵢ over the window, μᵢ evenly spaced over [min, max] exactly as the population encoder
 * places them. Counts stand in for rates: the common 1/span factor cancels. Null when the window holds no spike.
 */
export class PopulationVectorDecoder extends SlidingWindowDecoder {
  readonly kind = 'population_vector' as const;
  private readonly preferred: Float64Array;

  constructor(spec: PopulationVectorSpec, size: number, ctx: DecoderContext, path: string) {
    super(size, spec.window_ms, ctx, path, STATE_TAG.population_vector_decoder);
    this.preferred = preferredValues(size, spec.min, spec.max);
  }

  read(): DecodedOutput {
    const spikes = this.window.total;
    const span_ms = this.spanMs();
    if (spikes === 0) return { kind: 'population_vector', value: null, spikes, span_ms };
    let weighted = 0;
    for (let i = 0; i < this.size; i++) weighted += this.window.counts[i] * this.preferred[i];
    return { kind: 'population_vector', value: weighted / spikes, spikes, span_ms };
  }
}
