// Latency encoder (time to first spike): a stronger value fires earlier, one spike per neuron per window.
import type { Encoder } from '../spec/schema.ts';
import { readChannelValues, normalized } from './channel-values.ts';
import { windowSteps } from './codec-checks.ts';
import { STATE_HEADER_LENGTH, STATE_TAG, checkStateHeader, checkStateNumbers, stateError } from './codec-state.ts';
import type { EncoderContext, SpikeEncoder } from './contracts.ts';
import { checkOut, checkStep } from './step-checks.ts';

type LatencySpec = Extract<Encoder, { type: 'latency' }>;

/**
 * Windows of W = window_ms/dt_ms steps, aligned to step 0 (window k covers steps kW … kW + W − 1). At the first
 * step emitted in a window, each neuron's value x = clamp((value − min)/(max − min)) is latched into a firing
 * offset floor(W·(1 − x)): x = 1 fires in the window's first step, x → 0 in its last, x = 0 never. A value set
 * mid-window therefore takes effect from the next window, which keeps exactly one spike per neuron per window.
 * One channel per neuron; a scalar drives all neurons alike.
 */
export class LatencyEncoder implements SpikeEncoder {
  readonly kind = 'latency' as const;
  readonly size: number;
  readonly channels: number;
  private readonly windowSteps: number;
  /** x ∈ [0, 1] per neuron from the last `setValue`. */
  private readonly level: Float64Array;
  /** Offset within the latched window at which each neuron fires; `windowSteps` means it stays silent. */
  private readonly fireOffset: Int32Array;
  /** Index of the window the offsets were latched for; −1 before the first emit. */
  private latchedWindow = -1;

  constructor(private readonly spec: LatencySpec, size: number, ctx: EncoderContext, private readonly path: string) {
    this.size = size;
    this.channels = size;
    this.windowSteps = windowSteps(spec.window_ms, ctx.dt_ms);
    this.level = new Float64Array(size);
    this.fireOffset = new Int32Array(size).fill(this.windowSteps);
  }

  setValue(value: number | ArrayLike<number>): void {
    readChannelValues(value, this.level, `${this.path}.value`);
    const { min, max } = this.spec;
    for (let i = 0; i < this.size; i++) this.level[i] = normalized(this.level[i], min, max);
  }

  emit(step: number, out: Uint32Array): number {
    checkStep(step, this.path);
    checkOut(out, this.size, this.path);
    const window = Math.floor(step / this.windowSteps);
    if (window !== this.latchedWindow) this.latch(window);
    const phase = step - window * this.windowSteps;
    let count = 0;
    for (let i = 0; i < this.size; i++) if (this.fireOffset[i] === phase) out[count++] = i;
    return count;
  }

  private latch(window: number): void {
    const w = this.windowSteps;
    for (let i = 0; i < this.size; i++) {
      const x = this.level[i];
      // 1 − x rounds to 1 for x below 2⁻⁵³; the cap keeps every x > 0 firing (last step) and only x = 0 silent.
      this.fireOffset[i] = x === 0 ? w : Math.min(w - 1, Math.floor(w * (1 - x)));
    }
    this.latchedWindow = window;
  }

  reset(): void {
    this.level.fill(0);
    this.fireOffset.fill(this.windowSteps);
    this.latchedWindow = -1;
  }

  /** [tag, size, latchedWindow, level₀ … levelₙ₋₁, fireOffset₀ … fireOffsetₙ₋₁]. */
  state(): Float64Array {
    const s = new Float64Array(STATE_HEADER_LENGTH + 1 + 2 * this.size);
    s[0] = STATE_TAG.latency_encoder;
    s[1] = this.size;
    s[2] = this.latchedWindow;
    s.set(this.level, 3);
    for (let i = 0; i < this.size; i++) s[3 + this.size + i] = this.fireOffset[i];
    return s;
  }

  restore(state: Float64Array): void {
    const n = this.size;
    checkStateHeader(state, STATE_TAG.latency_encoder, n, this.path, STATE_HEADER_LENGTH + 1 + 2 * n);
    if (!Number.isSafeInteger(state[2]) || state[2] < -1) throw stateError(`latched window ${state[2]} is not a window index`, this.path);
    checkStateNumbers(state, 3, 3 + n, this.path);
    checkStateNumbers(state, 3 + n, 3 + 2 * n, this.path, true);
    for (let i = 0; i < n; i++) {
      if (state[3 + i] < 0 || state[3 + i] > 1) throw stateError(`level ${i} (${state[3 + i]}) is outside [0, 1]`, this.path);
      if (state[3 + n + i] > this.windowSteps) throw stateError(`fire offset ${i} (${state[3 + n + i]}) is beyond the window`, this.path);
    }
    this.latchedWindow = state[2];
    this.level.set(state.subarray(3, 3 + n));
    for (let i = 0; i < n; i++) this.fireOffset[i] = state[3 + n + i];
  }
}
