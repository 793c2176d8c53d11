// Population encoder (Gaussian receptive fields): neuron i fires most when the value is near its preferred value μᵢ.
import type { Encoder } from '../spec/schema.ts';
import { emitBernoulli } from './bernoulli.ts';
import { readChannelValues } from './channel-values.ts';
import { STATE_HEADER_LENGTH, STATE_TAG, checkStateHeader, stateError } from './codec-state.ts';
import type { EncoderContext, SpikeEncoder } from './contracts.ts';
import { preferredSpacing, preferredValues } from './preferred-values.ts';
import { checkOut, checkStep } from './step-checks.ts';

type PopulationSpec = Extract<Encoder, { type: 'population' }>;

/**
 * μᵢ evenly spaced over [min, max] (see preferred-values.ts, shared with the population_vector decoder);
 * rateᵢ = max_rate_hz · exp(−(x − μᵢ)² / 2σ²), σ = sigma or the spacing of the μᵢ by default, x the value
 * clamped to [min, max] (so an out-of-range reading drives the edge neuron rather than silencing the population).
 * Spikes are independent per-step draws as in the rate encoder. One scalar channel.
 */
export class PopulationEncoder implements SpikeEncoder {
  readonly kind = 'population' as const;
  readonly size: number;
  readonly channels = 1;
  private readonly preferred: Float64Array;
  private readonly sigma: number;
  private readonly maxProbability: number;
  private readonly probability: Float64Array;
  private readonly scratch = new Float64Array(1);
  /** The clamped value last set; while none is set the population is silent. */
  private value = 0;
  private hasValue = false;

  constructor(private readonly spec: PopulationSpec, size: number, private readonly ctx: EncoderContext, private readonly path: string) {
    this.size = size;
    this.preferred = preferredValues(size, spec.min, spec.max);
    this.sigma = spec.sigma ?? preferredSpacing(size, spec.min, spec.max);
    this.maxProbability = (spec.max_rate_hz * ctx.dt_ms) / 1000;
    this.probability = new Float64Array(size);
  }

  setValue(value: number | ArrayLike<number>): void {
    readChannelValues(value, this.scratch, `${this.path}.value`);
    this.apply(Math.min(this.spec.max, Math.max(this.spec.min, this.scratch[0])));
  }

  private apply(x: number): void {
    this.value = x;
    this.hasValue = true;
    const twoSigmaSquared = 2 * this.sigma * this.sigma;
    for (let i = 0; i < this.size; i++) {
      const d = x - this.preferred[i];
      this.probability[i] = this.maxProbability * Math.exp(-(d * d) / twoSigmaSquared);
    }
  }

  emit(step: number, out: Uint32Array): number {
    checkStep(step, this.path);
    checkOut(out, this.size, this.path);
    return emitBernoulli(this.ctx.seed, this.ctx.stream, step, this.probability, out);
  }

  reset(): void {
    this.value = 0;
    this.hasValue = false;
    this.probability.fill(0);
  }

  /** [tag, size, hasValue (0/1), value]; the probabilities are recomputed from the value on restore. */
  state(): Float64Array {
    return Float64Array.of(STATE_TAG.population_encoder, this.size, this.hasValue ? 1 : 0, this.value);
  }

  restore(state: Float64Array): void {
    checkStateHeader(state, STATE_TAG.population_encoder, this.size, this.path, STATE_HEADER_LENGTH + 2);
    const hasValue = state[2];
    const x = state[3];
    if (hasValue === 0) {
      this.reset();
      return;
    }
    if (hasValue !== 1) throw stateError(`value flag is ${hasValue}, expected 0 or 1`, this.path);
    if (!(x >= this.spec.min && x <= this.spec.max)) throw stateError(`value ${x} is outside [${this.spec.min}, ${this.spec.max}]`, this.path);
    this.apply(x);
  }
}
