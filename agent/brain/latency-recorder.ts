// Sensor-sample → input-spike latencies: a ring of recent measurements (ms) with percentiles, written without allocating.
//
// A latency is measured from the moment a value reaches an input (sensor sample or API) to the end of the first
// engine step in which that input's encoder emitted a spike after it. It therefore includes the wait for the
// next batch of the paced loop, which is what a sensor on the device actually experiences.

export class LatencyRecorder {
  private readonly samples: Float64Array;
  /** Measurements recorded since creation (a cursor for readers such as the metrics module). */
  written = 0;

  constructor(readonly capacity = 4096) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.written % this.capacity] = ms;
    this.written++;
  }

  /** Measurements from `cursor` on that are still kept, and the next cursor. */
  since(cursor: number): { values: number[]; next: number } {
    const from = Math.max(cursor, this.written - this.capacity, 0);
    const values: number[] = [];
    for (let i = from; i < this.written; i++) values.push(this.samples[i % this.capacity]!);
    return { values, next: this.written };
  }

  /** Percentiles (0–100) of the kept measurements by the nearest-rank method; null when there are none. */
  percentiles(ps: readonly number[]): (number | null)[] {
    const { values } = this.since(0);
    if (values.length === 0) return ps.map(() => null);
    values.sort((a, b) => a - b);
    return ps.map((p) => values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))]!);
  }
}
