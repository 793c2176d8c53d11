// Spike propagation in TypeScript: each spike of a step adds its synapses' weights to their targets' synaptic variables (delay 1) or into the ring slot of their delay.
//
// Every target's input is summed in the order (projection, source ascending, synapse order). A
// partition holds all synapses ending in its targets, one block per projection, so that order is
// the same for any partitioning and any split of the spike list into ascending slices — which is
// what keeps float32 sums bit-identical across worker counts.
import type { NeuronState, Partition, SynapseBlock } from '../compile/types.ts';

/** The first index k in [from, to) with spikes[k] ≥ value (spikes ascending). */
export function lowerBound(spikes: Uint32Array, from: number, to: number, value: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spikes[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pushes the spikes `spikes[from .. to)` of `step` (global indices, ascending) through every block of one partition. */
export function propagateSpikes(part: Partition, state: NeuronState, n: number, spikes: Uint32Array, from: number, to: number, step: number): void {
  for (const block of part.blocks) propagateBlock(part, block, state, n, spikes, from, to, step);
}

/** Pushes the spikes in `spikes[from .. to)` that come from the block's source population through its synapses. */
export function propagateBlock(part: Partition, block: SynapseBlock, state: NeuronState, n: number, spikes: Uint32Array, from: number, to: number, step: number): void {
  const { rowPtr, sourceOffset } = block;
  const first = lowerBound(spikes, from, to, sourceOffset);
  const last = lowerBound(spikes, first, to, sourceOffset + block.sourceSize);
  if (first === last || rowPtr[0] === rowPtr[block.sourceSize]) return;
  const target = part.target;
  const w = block.weightConstant;
  const d = block.delayConstant;
  if (w !== null && d > 0) {
    // The common case (constant weight and delay): one destination, no per-synapse loads but the target.
    const dest = d === 1 ? state.syn : state.ring;
    const base = d === 1 ? 0 : ((step + d) % state.ringSlots) * 2 * n;
    for (let k = first; k < last; k++) {
      const s = spikes[k]! - sourceOffset;
      const end = rowPtr[s + 1]!;
      for (let j = rowPtr[s]!; j < end; j++) dest[base + target[j]!] += w;
    }
    return;
  }
  const { syn, ring, ringSlots } = state;
  const weight = part.weight;
  const delay = part.delay;
  const wShift = block.weightShift;
  const dShift = block.delayShift;
  const stride = 2 * n;
  for (let k = first; k < last; k++) {
    const s = spikes[k]! - sourceOffset;
    const end = rowPtr[s + 1]!;
    for (let j = rowPtr[s]!; j < end; j++) {
      const wj = w !== null ? w : weight[j + wShift]!;
      const dj = d > 0 ? d : delay[j + dShift]!;
      if (dj === 1) syn[target[j]!] += wj;
      else ring[((step + dj) % ringSlots) * stride + target[j]!] += wj;
    }
  }
}
