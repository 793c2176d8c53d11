// Rate encoder: each neuron fires independently per step with probability rate·dt, the rate set by its value in [min, max].
import type { Encoder } from '../spec/schema.ts';
import { emitBernoulli } from './bernoulli.ts';
import { readChannelValues, normalized } from './channel-values.ts';
import { STATE_HEADER_LENGTH, STATE_TAG, checkStateHeader, checkStateNumbers, stateError } from './codec-state.ts';
import type { EncoderContext, SpikeEncoder } from './contracts.ts';
import { checkOut, checkStep } from './step-checks.ts';

type RateSpec = Extract<Encoder, { type: 'rate' }>;

/**
 * value ↦ rate = max_rate_hz · clamp((value − min) / (max − min), 0, 1). One channel per neuron, so a vector
 * (an image's pixels) gives each neuron its own rate; a scalar drives all neurons alike, each with independent draws.
 */
export class RateEncoder implements SpikeEncoder {
  readonly kind = 'rate' as const;
  readonly size: number;
  readonly channels: number;
  /** Firing probability per step of each neuron, derived from the value on `setValue`. */
  private readonly probability: Float64Array;
  private readonly maxProbability: number;

  constructor(private readonly spec: RateSpec, size: number, private readonly ctx: EncoderContext, private readonly path: string) {
    this.size = size;
    this.channels = size;
    this.probability = new Float64Array(size);
    this.maxProbability = (spec.max_rate_hz * ctx.dt_ms) / 1000;
  }

  setValue(value: number | ArrayLike<number>): void {
    readChannelValues(value, this.probability, `${this.path}.value`);
    const { min, max } = this.spec;
    for (let i = 0; i < this.size; i++) this.probability[i] = this.maxProbability * normalized(this.probability[i], min, max);
  }

  emit(step: number, out: Uint32Array): number {
    checkStep(step, this.path);
    checkOut(out, this.size, this.path);
    return emitBernoulli(this.ctx.seed, this.ctx.stream, step, this.probability, out);
  }

  reset(): void {
    this.probability.fill(0);
  }

  /** [tag, size, probability₀ … probabilityₙ₋₁]. */
  state(): Float64Array {
    const s = new Float64Array(STATE_HEADER_LENGTH + this.size);
    s[0] = STATE_TAG.rate_encoder;
    s[1] = this.size;
    s.set(this.probability, STATE_HEADER_LENGTH);
    return s;
  }

  restore(state: Float64Array): void {
    checkStateHeader(state, STATE_TAG.rate_encoder, this.size, this.path, STATE_HEADER_LENGTH + this.size);
    checkStateNumbers(state, STATE_HEADER_LENGTH, state.length, this.path);
    for (let i = STATE_HEADER_LENGTH; i < state.length; i++) {
      if (state[i] < 0 || state[i] > this.maxProbability) throw stateError(`state entry ${i} is not a probability this encoder can produce`, this.path);
    }
    this.probability.set(state.subarray(STATE_HEADER_LENGTH));
  }
}
