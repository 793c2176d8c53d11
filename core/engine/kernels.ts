// The two operations a stepper needs per step, behind one interface: TypeScript or WebAssembly (SIMD) implementations.
//
// Both write the same bits (see neurons.ts); the engine picks WebAssembly when the network lives in
// wasm memory and falls back to TypeScript otherwise, or when asked.
import type { PopulationLayout } from '../compile/layout.ts';
import type { CompiledNetwork, Partition, SynapseBlock } from '../compile/types.ts';
import { updatePopulation } from './neurons.ts';
import { propagateBlock } from './propagate.ts';

export type KernelKind = 'ts' | 'wasm';

export interface Kernels {
  readonly kind: KernelKind;
  /**
   * Delivers due input to, integrates, thresholds and resets the neurons of `pop` within
   * [start, end) at `step`; appends spiking neurons (ascending) to `out` from index `at`; returns the new index.
   * `out` must be a view of the network's arena for the WebAssembly kernels (a partition's spike log).
   */
  update(pop: PopulationLayout, start: number, end: number, step: number, out: Uint32Array, at: number): number;
  /** Pushes the spikes `spikes[from .. to)` (global, ascending; an arena view) of `step` through one synapse block. */
  propagate(part: Partition, block: SynapseBlock, spikes: Uint32Array, from: number, to: number, step: number): void;
}

export function tsKernels(net: CompiledNetwork): Kernels {
  const n = net.neuronCount;
  return {
    kind: 'ts',
    update: (pop, start, end, step, out, at) => updatePopulation(net, pop, start, end, step, out, at),
    propagate: (part, block, spikes, from, to, step) => propagateBlock(part, block, net.state, n, spikes, from, to, step),
  };
}
