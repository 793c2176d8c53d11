// One spec output wired to its decoder: picks its population's spikes out of each step's global spike list.
import { createDecoder, type DecodedOutput, type SpikeDecoder } from '../../core/codec/decoders.ts';
import type { PopulationLayout } from '../../core/compile/layout.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

type OutputSpec = NetworkSpec['outputs'][number];

/** First index in `spikes[0 … count)` (ascending) whose value is ≥ `value`. */
export function lowerBound(spikes: Uint32Array, count: number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spikes[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class OutputBinding {
  readonly id: string;
  readonly sink: string;
  readonly decoder: SpikeDecoder;
  private readonly local: Uint32Array;

  constructor(spec: OutputSpec, readonly population: PopulationLayout, dt_ms: number, index: number) {
    this.id = spec.id;
    this.sink = spec.sink;
    this.decoder = createDecoder(spec.decoder, population.size, { dt_ms, path: `outputs[${index}].decoder` });
    this.local = new Uint32Array(population.size);
  }

  /** Feeds the decoder the spikes of its population from one step's ascending global spike list. */
  observe(step: number, spikes: Uint32Array, count: number): void {
    const offset = this.population.offset;
    const from = lowerBound(spikes, count, offset);
    const to = lowerBound(spikes, count, offset + this.population.size);
    for (let k = from; k < to; k++) this.local[k - from] = spikes[k]! - offset;
    this.decoder.observe(step, this.local, to - from);
  }

  read(): DecodedOutput {
    return this.decoder.read();
  }
}
