// Spike propagation: each spike of a step adds its synapses' weights into the ring slot of their delay.
import type { NeuronState, Partition } from '../compile/types.ts';

/**
 * Pushes the spikes of `step` (global indices, ascending) through the synapses of one partition.
 * Each target's input is summed in the order (source ascending, synapse order): the same for any
 * partitioning, which is what keeps float32 sums bit-identical across worker counts.
 */
export function propagateSpikes(part: Partition, state: NeuronState, n: number, spikes: Uint32Array, count: number, step: number): void {
  const { rowPtr, target, weight, delay } = part;
  const ring = state.ring;
  const slots = state.ringSlots;
  const stride = 2 * n;
  const base = step % slots;
  for (let k = 0; k < count; k++) {
    const s = spikes[k]!;
    const end = rowPtr[s + 1]!;
    for (let j = rowPtr[s]!; j < end; j++) {
      let slot = base + delay[j]!;
      if (slot >= slots) slot -= slots;
      const at = slot * stride + target[j]!;
      ring[at] = ring[at]! + weight[j]!;
    }
  }
}
