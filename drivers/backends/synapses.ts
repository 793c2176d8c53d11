// The synapses of each projection as a matrix of cells (source, target) → summed weight, for backends that need matrices.
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { forEachCompiledSynapse } from '../../core/compile/synapse-reader.ts';

/** Cells of one projection in CSR by local source; duplicate (source, target) pairs are summed into one cell. */
export interface ProjectionCells {
  sourceSize: number;
  targetSize: number;
  rowPtr: Uint32Array;
  column: Uint32Array;
  /** Summed weight magnitude (the spec's units), float64. */
  weight: Float64Array;
  /** Number of synapses before duplicates were merged. */
  synapses: number;
  /** Smallest and largest delay in steps over the projection's synapses (1, 1 when it has none). */
  minDelay: number;
  maxDelay: number;
}

/** Reads projection `index` out of a compiled network: the synapses the engine runs, drawn from the same seed. */
export function projectionCells(net: CompiledNetwork, index: number): ProjectionCells {
  const proj = net.spec.projections[index]!;
  const source = net.populations.find((p) => p.id === proj.source)!;
  const target = net.populations.find((p) => p.id === proj.target)!;
  const rows: Map<number, number>[] = Array.from({ length: source.size }, () => new Map());
  let synapses = 0;
  let minDelay = Infinity;
  let maxDelay = 0;
  forEachCompiledSynapse(net, index, (s, t, weight, delay) => {
    const row = rows[s]!;
    row.set(t, (row.get(t) ?? 0) + weight);
    synapses++;
    if (delay < minDelay) minDelay = delay;
    if (delay > maxDelay) maxDelay = delay;
  });
  const rowPtr = new Uint32Array(source.size + 1);
  const columns: number[] = [];
  const weights: number[] = [];
  rows.forEach((row, s) => {
    for (const t of [...row.keys()].sort((a, b) => a - b)) {
      columns.push(t);
      weights.push(row.get(t)!);
    }
    rowPtr[s + 1] = columns.length;
  });
  return {
    sourceSize: source.size, targetSize: target.size, rowPtr,
    column: Uint32Array.from(columns), weight: Float64Array.from(weights), synapses,
    minDelay: Number.isFinite(minDelay) ? minDelay : 1, maxDelay: Math.max(1, maxDelay),
  };
}
