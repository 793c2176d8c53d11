// Reads the synapses of a compiled network back out, independent of how the compiler stores them (blocks, shared weights).

import type { CompiledNetwork } from './types.ts';

/** Called per synapse with local source and target indices (within their populations), weight and delay in steps. */
export type CompiledSynapseVisitor = (source: number, target: number, weight: number, delay: number) => void;

/**
 * Visits every synapse of projection `projectionIndex` in the order (source ascending, partition,
 * synapse order). For one partition that is the canonical synapse order of the projection.
 */
export function forEachCompiledSynapse(net: CompiledNetwork, projectionIndex: number, visit: CompiledSynapseVisitor): void {
  const proj = net.spec.projections[projectionIndex]!;
  const target = net.populations.find((p) => p.id === proj.target)!;
  const columnBase = (proj.receptor === 'inh' ? net.neuronCount : 0) + target.offset;
  const blocks = net.partitions.map((part) => part.blocks[projectionIndex]!);
  const sourceSize = blocks[0]?.sourceSize ?? 0;
  for (let s = 0; s < sourceSize; s++) {
    net.partitions.forEach((part, q) => {
      const block = blocks[q]!;
      for (let j = block.rowPtr[s]!; j < block.rowPtr[s + 1]!; j++) {
        const weight = block.weightConstant ?? part.weight[j + block.weightShift]!;
        const delay = block.delayConstant > 0 ? block.delayConstant : part.delay[j + block.delayShift]!;
        visit(s, part.target[j]! - columnBase, weight, delay);
      }
    });
  }
}
