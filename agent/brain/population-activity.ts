// Spike counts per population, cumulative, updated every step without allocating; rates are taken between two readings.
import type { PopulationLayout } from '../../core/compile/layout.ts';

export interface PopulationRate {
  id: string;
  size: number;
  module: string | null;
  /** Mean firing rate per neuron over the last measured interval, in simulated time (Hz). */
  rate_hz: number;
  spikes_total: number;
}

export class PopulationActivity {
  /** Spikes per population since the brain started (this process). */
  readonly totals: Float64Array;
  private readonly ends: Uint32Array;
  private readonly previous: Float64Array;
  private previousStep: number;
  private readonly rates: Float64Array;

  constructor(readonly populations: readonly PopulationLayout[], startStep: number, private readonly dt_ms: number) {
    this.totals = new Float64Array(populations.length);
    this.previous = new Float64Array(populations.length);
    this.rates = new Float64Array(populations.length);
    this.ends = Uint32Array.from(populations, (p) => p.offset + p.size);
    this.previousStep = startStep;
  }

  /** Counts one step's spikes (ascending global indices; populations are contiguous and in order). */
  record(spikes: Uint32Array, count: number): void {
    let p = 0;
    for (let k = 0; k < count; k++) {
      const neuron = spikes[k]!;
      while (neuron >= this.ends[p]!) p++;
      this.totals[p]!++;
    }
  }

  /** Closes a measuring interval at `step` (the next step to run) and updates the rates; a zero-length interval keeps them. */
  sample(step: number): void {
    const steps = step - this.previousStep;
    if (steps <= 0) return;
    const seconds = (steps * this.dt_ms) / 1000;
    for (let p = 0; p < this.populations.length; p++) {
      this.rates[p] = (this.totals[p]! - this.previous[p]!) / this.populations[p]!.size / seconds;
      this.previous[p] = this.totals[p]!;
    }
    this.previousStep = step;
  }

  snapshot(): PopulationRate[] {
    return this.populations.map((p, i) => ({
      id: p.id,
      size: p.size,
      module: p.spec.module ?? null,
      rate_hz: this.rates[i]!,
      spikes_total: this.totals[i]!,
    }));
  }
}
