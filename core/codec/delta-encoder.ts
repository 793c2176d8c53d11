// Delta (send-on-delta) encoder: an up spike each time the value rises by one threshold, a down spike each time it falls by one.
import type { Encoder } from '../spec/schema.ts';
import { readChannelValues } from './channel-values.ts';
import { STATE_HEADER_LENGTH, STATE_TAG, checkStateHeader, checkStateNumbers, stateError } from './codec-state.ts';
import type { SpikeEncoder } from './contracts.ts';
import { checkOut, checkStep } from './step-checks.ts';

type DeltaSpec = Extract<Encoder, { type: 'delta' }>;

/**
 * Layout: channel c owns neurons 2c (up) and 2c + 1 (down), so a population of size n encodes n/2 channels
 * (the usual single sensor is size 2). The first value set anchors each channel; its emitted level is then
 * anchor + k·threshold, k the integer count of ups minus downs. Each step a channel fires up when
 * value − anchor ≥ (k + 1)·threshold (k += 1) or down when value − anchor ≤ (k − 1)·threshold (k −= 1).
 * A neuron fires at most once per step, so a jump of several thresholds is sent as that many spikes on
 * successive steps: the count of crossings is exact, only spread in time. Levels are kept as integers times
 * the threshold, never as a running float sum, so they do not drift.
 */
export class DeltaEncoder implements SpikeEncoder {
  readonly kind = 'delta' as const;
  readonly size: number;
  readonly channels: number;
  private readonly value: Float64Array;
  private readonly anchor: Float64Array;
  /** k per channel: ups minus downs emitted since the anchor. */
  private readonly level: Float64Array;
  private anchored = false;

  constructor(private readonly spec: DeltaSpec, size: number, private readonly path: string) {
    this.size = size;
    this.channels = size / 2;
    this.value = new Float64Array(this.channels);
    this.anchor = new Float64Array(this.channels);
    this.level = new Float64Array(this.channels);
  }

  setValue(value: number | ArrayLike<number>): void {
    readChannelValues(value, this.value, `${this.path}.value`);
    if (!this.anchored) {
      this.anchor.set(this.value);
      this.anchored = true;
    }
  }

  emit(step: number, out: Uint32Array): number {
    checkStep(step, this.path);
    checkOut(out, this.size, this.path);
    const threshold = this.spec.threshold;
    let count = 0;
    for (let c = 0; c < this.channels; c++) {
      const rise = this.value[c] - this.anchor[c];
      const k = this.level[c];
      if (rise >= (k + 1) * threshold) {
        out[count++] = 2 * c;
        this.level[c] = k + 1;
      } else if (rise <= (k - 1) * threshold) {
        out[count++] = 2 * c + 1;
        this.level[c] = k - 1;
      }
    }
    return count;
  }

  reset(): void {
    this.value.fill(0);
    this.anchor.fill(0);
    this.level.fill(0);
    this.anchored = false;
  }

  /** [tag, size, anchored (0/1), value₀ … , anchor₀ … , level₀ …] with one entry per channel in each block. */
  state(): Float64Array {
    const c = this.channels;
    const s = new Float64Array(STATE_HEADER_LENGTH + 1 + 3 * c);
    s[0] = STATE_TAG.delta_encoder;
    s[1] = this.size;
    s[2] = this.anchored ? 1 : 0;
    s.set(this.value, 3);
    s.set(this.anchor, 3 + c);
    s.set(this.level, 3 + 2 * c);
    return s;
  }

  restore(state: Float64Array): void {
    const c = this.channels;
    checkStateHeader(state, STATE_TAG.delta_encoder, this.size, this.path, STATE_HEADER_LENGTH + 1 + 3 * c);
    if (state[2] !== 0 && state[2] !== 1) throw stateError(`anchored flag is ${state[2]}, expected 0 or 1`, this.path);
    checkStateNumbers(state, 3, 3 + 3 * c, this.path);
    for (let i = 3 + 2 * c; i < 3 + 3 * c; i++) {
      if (!Number.isSafeInteger(state[i])) throw stateError(`level entry ${i} (${state[i]}) is not an integer`, this.path);
    }
    this.anchored = state[2] === 1;
    this.value.set(state.subarray(3, 3 + c));
    this.anchor.set(state.subarray(3 + c, 3 + 2 * c));
    this.level.set(state.subarray(3 + 2 * c, 3 + 3 * c));
  }
}
