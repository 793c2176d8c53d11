// What the rate, population_vector and winner_take_all decoders share: observing spikes into an exact sliding window.
import type { Decoder } from '../spec/schema.ts';
import { windowSteps } from './codec-checks.ts';
import { STATE_HEADER_LENGTH, checkStateHeader } from './codec-state.ts';
import type { DecodedOutput, DecoderContext, SpikeDecoder } from './contracts.ts';
import { SpikeWindow } from './spike-window.ts';
import { checkSpikes, checkStep } from './step-checks.ts';
import { HasnError } from '../errors.ts';

/** A decoder reading its value from the counts of the last window_ms of spikes. */
export abstract class SlidingWindowDecoder implements SpikeDecoder {
  abstract readonly kind: Decoder['type'];
  protected readonly window: SpikeWindow;

  constructor(
    readonly size: number,
    window_ms: number,
    protected readonly ctx: DecoderContext,
    protected readonly path: string,
    private readonly stateTag: number,
  ) {
    this.window = new SpikeWindow(size, windowSteps(window_ms, ctx.dt_ms));
  }

  observe(step: number, spikes: Uint32Array, count: number): void {
    checkStep(step, this.path);
    if (step < this.window.last) {
      throw new HasnError('E_CODEC_STEP', `step ${step} comes before the last observed step ${this.window.last}`, { path: this.path });
    }
    checkSpikes(spikes, count, this.size, this.path);
    this.window.advanceTo(step);
    for (let i = 0; i < count; i++) this.window.add(spikes[i]);
  }

  abstract read(): DecodedOutput;

  /** The time the window currently covers. */
  protected spanMs(): number {
    return this.window.spanSteps() * this.ctx.dt_ms;
  }

  reset(): void {
    this.window.clear();
  }

  /** [tag, size, …the window's state]. */
  state(): Float64Array {
    const s = new Float64Array(STATE_HEADER_LENGTH + this.window.stateLength());
    s[0] = this.stateTag;
    s[1] = this.size;
    this.window.writeState(s, STATE_HEADER_LENGTH);
    return s;
  }

  restore(state: Float64Array): void {
    checkStateHeader(state, this.stateTag, this.size, this.path);
    this.window.readState(state, STATE_HEADER_LENGTH, this.path);
  }
}
