// Records the spikes of a run: per-population counts, the spike hash, and optionally the full raster.
import { createHash, type Hash } from 'node:crypto';
import type { PopulationLayout } from '../compile/layout.ts';

const CHUNK_PAIRS = 1 << 16;

/**
 * The spike hash is sha256 over the canonical spike list: (step, neuron) pairs as little-endian uint32,
 * ordered by step, then neuron. Two runs with the same hash produced the same spikes.
 */
export class SpikeRecorder {
  readonly populationCounts: Float64Array;
  total = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly chunk = new Uint32Array(CHUNK_PAIRS * 2);
  private used = 0;
  private readonly raster: number[][] | null;
  private readonly popOf: Uint16Array;

  constructor(populations: readonly PopulationLayout[], options: { keepRaster?: boolean } = {}) {
    this.populationCounts = new Float64Array(populations.length);
    const n = populations.reduce((a, p) => a + p.size, 0);
    this.popOf = new Uint16Array(n);
    for (const p of populations) this.popOf.fill(p.index, p.offset, p.offset + p.size);
    this.raster = options.keepRaster ? [] : null;
  }

  record(step: number, spikes: Uint32Array, count: number): void {
    this.total += count;
    for (let k = 0; k < count; k++) {
      const neuron = spikes[k]!;
      this.populationCounts[this.popOf[neuron]!]!++;
      if (this.used === this.chunk.length) this.flush();
      this.chunk[this.used++] = step;
      this.chunk[this.used++] = neuron;
      this.raster?.push([step, neuron]);
    }
  }

  /** The hex sha256 of all spikes recorded so far; ends the recording. */
  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  /** (step, neuron) pairs, if the raster was kept. */
  spikes(): number[][] {
    return this.raster ?? [];
  }

  private flush(): void {
    if (this.used === 0) return;
    const bytes = new Uint8Array(this.chunk.buffer, 0, this.used * 4);
    if (!littleEndian()) throw new Error('spike hash is defined on little-endian hosts');
    this.hash.update(bytes);
    this.used = 0;
  }
}

let le: boolean | undefined;
function littleEndian(): boolean {
  le ??= new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  return le;
}
