// The operations a stepper needs per step, behind one interface: TypeScript or WebAssembly (SIMD) implementations.
//
// Both write the same bits (see neurons.ts); the engine picks WebAssembly when the network lives in
// wasm memory and falls back to TypeScript otherwise, or when asked.
import type { PopulationLayout } from '../compile/layout.ts';
import type { CompiledNetwork, Partition, SynapseBlock } from '../compile/types.ts';
import { updatePopulation } from './neurons.ts';
import { applyPlasticity, updateTraces } from './plasticity.ts';
import { PoissonSampler } from './poisson.ts';
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
  /**
   * Plasticity steps 1–3 (plasticity.ts) for the synapses of partition q, after a step whose spikes are
   * merged[0 .. count) (global, ascending) — the same spikes as every partition s's log slice [sliceFrom[s], sliceTo[s]).
   */
  plasticity(q: number, merged: Uint32Array, count: number, sliceFrom: Int32Array, sliceTo: Int32Array): void;
  /** Plasticity step 4 for the neurons [start, end): every trace decays, the step's spikes (merged[0 .. count)) bump theirs. */
  traces(start: number, end: number, merged: Uint32Array, count: number): void;
}

export function tsKernels(net: CompiledNetwork): Kernels {
  const n = net.neuronCount;
  const poisson = new PoissonSampler(net);
  return {
    kind: 'ts',
    update: (pop, start, end, step, out, at) => updatePopulation(net, pop, start, end, step, out, at, poisson),
    propagate: (part, block, spikes, from, to, step) => propagateBlock(part, block, net.state, n, spikes, from, to, step),
    plasticity: (q, merged, count) => applyPlasticity(net, q, merged, count),
    traces: (start, end, merged, count) => updateTraces(net, start, end, merged, count),
  };
}
