// The recent spikes of the running brain: a fixed-size ring of (step, neuron) pairs that readers follow with a cursor.
//
// The step loop appends without allocating; the dashboard stream and the API read behind it. A reader that
// falls more than `capacity` spikes behind learns how many it missed instead of blocking the writer.

export interface RasterRead {
  /** Steps and global neuron indices of the spikes read, in order. */
  steps: number[];
  neurons: number[];
  /** Cursor to pass next time. */
  next: number;
  /** Spikes that were overwritten before this reader got to them. */
  missed: number;
  /** Cursor just past the newest spike recorded (next < end: more are waiting). */
  end: number;
}

export class SpikeRaster {
  /** Float64: a uint32 step count would wrap after ~50 days at dt = 1 ms. */
  private readonly steps: Float64Array;
  private readonly neurons: Uint32Array;
  /** Spikes appended since creation; the cursor of the next spike written. */
  written = 0;

  constructor(readonly capacity: number) {
    this.steps = new Float64Array(capacity);
    this.neurons = new Uint32Array(capacity);
  }

  append(step: number, spikes: Uint32Array, count: number): void {
    const capacity = this.capacity;
    let at = this.written % capacity;
    for (let k = 0; k < count; k++) {
      this.steps[at] = step;
      this.neurons[at] = spikes[k]!;
      at = at + 1 === capacity ? 0 : at + 1;
    }
    this.written += count;
  }

  /** Up to `limit` spikes from `cursor` on (a cursor older than the ring starts at the oldest spike kept). */
  read(cursor: number, limit: number): RasterRead {
    const oldest = Math.max(0, this.written - this.capacity);
    const from = Math.min(Math.max(cursor, oldest), this.written);
    const missed = Math.max(0, oldest - cursor);
    const to = Math.min(this.written, from + Math.max(0, limit));
    const steps: number[] = [];
    const neurons: number[] = [];
    for (let i = from; i < to; i++) {
      steps.push(this.steps[i % this.capacity]!);
      neurons.push(this.neurons[i % this.capacity]!);
    }
    return { steps, neurons, next: to, missed, end: this.written };
  }

  /** Cursor of the first spike at or after `step` among those kept (the current end when none). */
  cursorAtStep(step: number): number {
    const oldest = Math.max(0, this.written - this.capacity);
    let lo = oldest;
    let hi = this.written;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.steps[mid % this.capacity]! < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
