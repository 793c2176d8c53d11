// First-spike decoder: which neuron fires first in each window, and how long after the window's start.
import type { Decoder } from '../spec/schema.ts';
import { windowSteps } from './codec-checks.ts';
import { STATE_HEADER_LENGTH, STATE_TAG, checkStateHeader, stateError } from './codec-state.ts';
import type { DecodedOutput, DecoderContext, SpikeDecoder } from './contracts.ts';
import { checkSpikes, checkStep } from './step-checks.ts';
import { HasnError } from '../errors.ts';

type FirstSpikeSpec = Extract<Decoder, { type: 'first_spike' }>;

/**
 * Tumbling windows of W = window_ms/dt_ms steps aligned to step 0, the same windows as the latency encoder, so a
 * latency-coded input read back here gives latency ≈ window·(1 − x) plus the network's delay. `read` reports the
 * current window: null until a neuron fires in it, then that neuron for the rest of the window (ties: lowest index).
 */
export class FirstSpikeDecoder implements SpikeDecoder {
  readonly kind = 'first_spike' as const;
  private readonly windowSteps: number;
  private lastStep = -1;
  /** The window of the last observed step, and its first spike (−1 while there is none). */
  private window = -1;
  private firstNeuron = -1;
  private firstStep = -1;

  constructor(spec: FirstSpikeSpec, readonly size: number, private readonly ctx: DecoderContext, private readonly path: string) {
    this.windowSteps = windowSteps(spec.window_ms, ctx.dt_ms);
  }

  observe(step: number, spikes: Uint32Array, count: number): void {
    checkStep(step, this.path);
    if (step < this.lastStep) {
      throw new HasnError('E_CODEC_STEP', `step ${step} comes before the last observed step ${this.lastStep}`, { path: this.path });
    }
    checkSpikes(spikes, count, this.size, this.path);
    this.lastStep = step;
    const window = Math.floor(step / this.windowSteps);
    if (window !== this.window) {
      this.window = window;
      this.firstNeuron = -1;
      this.firstStep = -1;
    }
    if (count === 0) return;
    // Only the step of the window's first spike can still change the winner (a later slice of that same step).
    if (this.firstNeuron !== -1 && step !== this.firstStep) return;
    let lowest = this.firstNeuron === -1 ? spikes[0] : this.firstNeuron;
    for (let i = 0; i < count; i++) if (spikes[i] < lowest) lowest = spikes[i];
    this.firstNeuron = lowest;
    this.firstStep = step;
  }

  read(): DecodedOutput {
    if (this.window < 0) return { kind: 'first_spike', value: null, latency_ms: null, window_start_step: null };
    const windowStart = this.window * this.windowSteps;
    if (this.firstNeuron < 0) return { kind: 'first_spike', value: null, latency_ms: null, window_start_step: windowStart };
    return {
      kind: 'first_spike',
      value: this.firstNeuron,
      latency_ms: (this.firstStep - windowStart) * this.ctx.dt_ms,
      window_start_step: windowStart,
    };
  }

  reset(): void {
    this.lastStep = -1;
    this.window = -1;
    this.firstNeuron = -1;
    this.firstStep = -1;
  }

  /** [tag, size, lastStep, window, firstNeuron, firstStep], −1 for "none". */
  state(): Float64Array {
    return Float64Array.of(STATE_TAG.first_spike_decoder, this.size, this.lastStep, this.window, this.firstNeuron, this.firstStep);
  }

  restore(state: Float64Array): void {
    checkStateHeader(state, STATE_TAG.first_spike_decoder, this.size, this.path, STATE_HEADER_LENGTH + 4);
    const [lastStep, window, firstNeuron, firstStep] = state.subarray(STATE_HEADER_LENGTH);
    for (const x of [lastStep, window, firstNeuron, firstStep]) {
      if (!Number.isSafeInteger(x) || x < -1) throw stateError(`state entry ${x} is not a step, window or neuron index`, this.path);
    }
    const consistent = lastStep === -1
      ? window === -1 && firstNeuron === -1 && firstStep === -1
      : window === Math.floor(lastStep / this.windowSteps) && firstNeuron < this.size &&
        (firstNeuron === -1 ? firstStep === -1 : firstStep >= window * this.windowSteps && firstStep <= lastStep);
    if (!consistent) throw stateError('the first-spike state is inconsistent (window, neuron and steps do not agree)', this.path);
    this.lastStep = lastStep;
    this.window = window;
    this.firstNeuron = firstNeuron;
    this.firstStep = firstStep;
  }
}
