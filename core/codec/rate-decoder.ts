// Rate decoder: each neuron's firing rate, and the population's mean rate, over a sliding window.
import type { Decoder } from '../spec/schema.ts';
import { STATE_TAG } from './codec-state.ts';
import type { DecodedOutput, DecoderContext } from './contracts.ts';
import { SlidingWindowDecoder } from './sliding-window-decoder.ts';

type RateSpec = Extract<Decoder, { type: 'rate' }>;

/**
 * rateᵢ = spikesᵢ in the window / the window's span. Until window_ms of steps have been observed the span is
 * what has been observed, so early rates are unbiased rather than diluted by steps that never happened.
 */
export class RateDecoder extends SlidingWindowDecoder {
  readonly kind = 'rate' as const;

  constructor(spec: RateSpec, size: number, ctx: DecoderContext, path: string) {
    super(size, spec.window_ms, ctx, path, STATE_TAG.rate_decoder);
  }

  read(): DecodedOutput {
    const span_ms = this.spanMs();
    const rates_hz = new Array<number>(this.size).fill(0);
    if (span_ms === 0) return { kind: 'rate', value: null, rates_hz, span_ms };
    // count·1000/span_ms rather than count/(span_ms/1000): whole-millisecond spans then give exact rates.
    for (let i = 0; i < this.size; i++) rates_hz[i] = (this.window.counts[i] * 1000) / span_ms;
    return { kind: 'rate', value: (this.window.total * 1000) / span_ms / this.size, rates_hz, span_ms };
  }
}
