// The single-thread reference engine: runs a compiled network step by step in the documented order, with the TypeScript kernels.
//
// It is the oracle the parallel engine (parallel/) and the WebAssembly kernels are tested against:
// their spikes must be bit-identical to this engine's.
//
// One step n, in this order (DESIGN.md):
//   0. inputs for step n are applied before it (spike_source marks, reward)
//   1. deliver: synaptic input due at n is added to each neuron's synaptic variables, its ring slot cleared
//      (fused with 2–4 in one pass over the neurons)
//   2. integrate: state update from the values at the start of the step (refractory neurons hold v)
//   3. threshold: v > v_thresh (+θ) for LIF models (strict, as Brian2), v ≥ v_peak for Izhikevich
//   4. reset/refractory: v ← v_reset, lastSpike ← n
//   5. record spikes (global neuron index, ascending)
//   6. propagate: each spike adds its weight into the ring slot n + delay (delay ≥ 1 step), each target's
//      input summed in the order (projection, source ascending, synapse order)
//   7. plasticity: STDP/R-STDP on this step's spikes, then traces
// Outputs are read after the step. A spike at step n therefore changes a target's synaptic variable
// at the start of step n + delay and its membrane from that step's update on — with delay = 1 step
// this is exactly Brian2's schedule with zero synaptic delay.
import type { CompiledNetwork } from '../compile/types.ts';
import { updatePopulation } from './neurons.ts';
import { applyPlasticity, updateTraces } from './plasticity.ts';
import { propagateSpikes } from './propagate.ts';

export interface StepObserver {
  (step: number, spikes: Uint32Array, count: number): void;
}

export class ReferenceEngine {
  /** The next step to run. */
  step = 0;
  /** Spikes of the last completed step: `spikes[0 .. spikeCount)` ascending global indices. */
  readonly spikes: Uint32Array;
  spikeCount = 0;

  constructor(readonly net: CompiledNetwork, startStep = 0) {
    this.spikes = new Uint32Array(net.neuronCount);
    this.step = startStep;
  }

  /** Marks spike_source neurons (global indices) to fire in the coming step. */
  inject(globalIndices: ArrayLike<number>): void {
    const inject = this.net.state.inject;
    for (let k = 0; k < globalIndices.length; k++) inject[globalIndices[k]!] = 1;
  }

  /** Adds `amount` to the reward level of every reward_stdp projection (or only `projectionId`). */
  addReward(amount: number, projectionId?: string): void {
    this.net.plastic.forEach((p, k) => {
      if (p.rule.rule === 'reward_stdp' && (projectionId === undefined || p.id === projectionId)) this.net.reward[k]! += amount;
    });
  }

  /** Runs one step. */
  advance(): void {
    const net = this.net;
    const n = net.neuronCount;
    const step = this.step;
    let count = 0;
    for (const pop of net.populations) count = updatePopulation(net, pop, 0, n, step, this.spikes, count);
    this.spikeCount = count;
    for (const part of net.partitions) propagateSpikes(part, net.state, n, this.spikes, 0, count, step);
    if (net.plastic.length > 0) {
      for (let q = 0; q < net.partitions.length; q++) applyPlasticity(net, q, this.spikes, count);
      updateTraces(net, 0, n, this.spikes, count);
      decayReward(net);
    }
    this.step = step + 1;
  }

  /** Runs `steps` steps, calling `observe` after each with that step's spikes. */
  run(steps: number, observe?: StepObserver): void {
    for (let k = 0; k < steps; k++) {
      const step = this.step;
      this.advance();
      observe?.(step, this.spikes, this.spikeCount);
    }
  }
}

/** Reward levels decay once per step, after plasticity used them. */
export function decayReward(net: CompiledNetwork): void {
  net.plastic.forEach((p, k) => {
    if (net.reward[k] !== 0) net.reward[k] = net.reward[k]! * p.decayReward;
  });
}
