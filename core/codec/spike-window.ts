// An exact sliding window over the last W steps of spikes: per-neuron counts kept up to date as steps enter and leave.
import { checkStateNumbers, stateError } from './codec-state.ts';

/**
 * The window after observing step s holds steps s − W + 1 … s. Spikes are kept in arrival order in a ring
 * (a FIFO), with the number recorded per step in a ring of W slots; when a step leaves the window its spikes are
 * the oldest in the FIFO, so they are popped from the head and uncounted. Exact (integer counts, no decay) and
 * allocation-free once the FIFO has grown to the window's peak spike count (it doubles when full).
 */
export class SpikeWindow {
  /** Spikes of each neuron within the window. */
  readonly counts: Uint32Array;
  /** Spikes of all neurons within the window. */
  total = 0;
  private readonly perStep: Uint32Array;
  private fifo: Uint32Array;
  private head = 0;
  private length = 0;
  /** Last and first step observed since the last clear; −1 before any. */
  private lastStep = -1;
  private firstStep = -1;

  constructor(readonly size: number, readonly steps: number) {
    this.counts = new Uint32Array(size);
    this.perStep = new Uint32Array(steps);
    this.fifo = new Uint32Array(Math.max(16, Math.min(steps * size, 4096)));
  }

  /** The last step observed, −1 before any. */
  get last(): number {
    return this.lastStep;
  }

  /** Steps the window currently covers: min(steps observed since the first, W); 0 before any. */
  spanSteps(): number {
    return this.lastStep < 0 ? 0 : Math.min(this.lastStep - this.firstStep + 1, this.steps);
  }

  /** Moves the window's end to `step` (≥ the last step; the caller checks), dropping the steps that leave it. */
  advanceTo(step: number): void {
    if (this.lastStep < 0) {
      this.lastStep = step;
      this.firstStep = step;
      return;
    }
    // Steps lastStep+1 … step enter; each evicts the step W before it. Past W new steps, everything has left.
    const end = Math.min(step, this.lastStep + this.steps);
    for (let s = this.lastStep + 1; s <= end; s++) {
      const slot = s % this.steps;
      this.drop(this.perStep[slot]);
      this.perStep[slot] = 0;
    }
    this.lastStep = step;
  }

  /** Records one spike of `neuron` in the last step advanced to. */
  add(neuron: number): void {
    if (this.length === this.fifo.length) this.grow();
    this.fifo[(this.head + this.length) % this.fifo.length] = neuron;
    this.length++;
    this.counts[neuron]++;
    this.total++;
    this.perStep[this.lastStep % this.steps]++;
  }

  private drop(n: number): void {
    const capacity = this.fifo.length;
    for (let k = 0; k < n; k++) {
      this.counts[this.fifo[this.head]]--;
      this.head = (this.head + 1) % capacity;
    }
    this.length -= n;
    this.total -= n;
  }

  private grow(): void {
    const bigger = new Uint32Array(this.fifo.length * 2);
    for (let k = 0; k < this.length; k++) bigger[k] = this.fifo[(this.head + k) % this.fifo.length];
    this.fifo = bigger;
    this.head = 0;
  }

  clear(): void {
    this.counts.fill(0);
    this.perStep.fill(0);
    this.total = 0;
    this.head = 0;
    this.length = 0;
    this.lastStep = -1;
    this.firstStep = -1;
  }

  /** Numbers `writeState` writes. */
  stateLength(): number {
    return 3 + this.steps + this.length;
  }

  /** [lastStep, firstStep, spikes in window, perStep slot 0 … W − 1, the window's spikes oldest first]. */
  writeState(out: Float64Array, offset: number): void {
    out[offset] = this.lastStep;
    out[offset + 1] = this.firstStep;
    out[offset + 2] = this.length;
    for (let i = 0; i < this.steps; i++) out[offset + 3 + i] = this.perStep[i];
    const base = offset + 3 + this.steps;
    for (let k = 0; k < this.length; k++) out[base + k] = this.fifo[(this.head + k) % this.fifo.length];
  }

  /** Reads what `writeState` wrote from `state[offset …]` to its end; checks everything before changing anything. */
  readState(state: Float64Array, offset: number, path: string): void {
    const w = this.steps;
    if (state.length < offset + 3 + w) throw stateError(`a window state needs at least ${offset + 3 + w} numbers, got ${state.length}`, path);
    const lastStep = state[offset];
    const firstStep = state[offset + 1];
    const length = state[offset + 2];
    const stepsValid = lastStep === -1 ? firstStep === -1 : Number.isSafeInteger(lastStep) && Number.isSafeInteger(firstStep) && firstStep >= 0 && firstStep <= lastStep;
    if (!stepsValid || (lastStep === -1 && length !== 0)) throw stateError(`window steps ${firstStep} … ${lastStep} are not a valid range`, path);
    checkStateNumbers(state, offset + 2, state.length, path, true);
    if (state.length !== offset + 3 + w + length) throw stateError(`the window state says ${length} spikes but holds ${state.length - offset - 3 - w}`, path);
    let recorded = 0;
    for (let i = 0; i < w; i++) recorded += state[offset + 3 + i];
    if (recorded !== length) throw stateError(`per-step spike counts add up to ${recorded}, not ${length}`, path);
    const base = offset + 3 + w;
    for (let k = 0; k < length; k++) {
      if (state[base + k] >= this.size) throw stateError(`spike index ${state[base + k]} is outside the population (size ${this.size})`, path);
    }
    this.clear();
    if (this.fifo.length < length) this.fifo = new Uint32Array(length);
    for (let i = 0; i < w; i++) this.perStep[i] = state[offset + 3 + i];
    for (let k = 0; k < length; k++) {
      const neuron = state[base + k];
      this.fifo[k] = neuron;
      this.counts[neuron]++;
    }
    this.length = length;
    this.total = length;
    this.lastStep = lastStep;
    this.firstStep = firstStep;
  }
}
