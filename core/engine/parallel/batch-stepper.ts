// Runs batches of steps for the partitions one thread owns: the step loop shared by worker threads and the in-thread engine.
//
// One step n, for a thread owning partitions [first, end) = neurons [start, stop):
//   1. update: deliver, integrate, threshold, reset its own neurons; spikes are appended to each
//      owned partition's spike log, their number to counts[q][i]            (own state only)
//   ── barrier A ── every partition's spikes and count for step n are written
//   2. propagate: every spike of step n (the logs of all partitions, read in partition order, which
//      is ascending neuron order) through the blocks of the owned partitions → ring slots of its
//      own targets                                                           (own ring columns only)
//   3. plasticity (networks with plastic projections only):
//      a. weights/eligibility of synapses ending in own targets; reads presynaptic traces of
//         neurons other threads own
//   ── barrier B ── nobody reads traces of step n − 1 any more
//      b. traces of own neurons; the leader (thread 0) decays the reward levels
//   Step n + 1 begins with no barrier: its update touches own state only, and the next reads of
//   other threads' data (spike logs, traces) come after barrier A of step n + 1.
// A batch ends early, after a step at which some partition's log could not take one more full
// step: every thread decides that from the same counts, so all stop at the same step.
import { HasnError } from '../../errors.ts';
import type { PopulationLayout } from '../../compile/layout.ts';
import type { CompiledNetwork, Partition } from '../../compile/types.ts';
import { decayReward } from '../engine.ts';
import type { Kernels } from '../kernels.ts';
import { applyPlasticity, updateTraces } from '../plasticity.ts';
import { MAX_BATCH_STEPS } from './control.ts';

/** Steps between the checks for non-finite membrane potentials (at steps n with (n + 1) % this = 0). */
export const FINITE_CHECK_INTERVAL = 1024;

export interface Barrier {
  arrive(): void;
}

export const NO_BARRIER: Barrier = { arrive: () => {} };

export class BatchStepper {
  private readonly partitions: readonly Partition[];
  private readonly owned: readonly Partition[];
  private readonly popsOf: readonly (readonly PopulationLayout[])[];
  private readonly start: number;
  private readonly stop: number;
  /** Per partition: spikes logged so far in this batch, and where the current step's slice starts. */
  private readonly fill: Int32Array;
  private readonly sliceFrom: Int32Array;
  private readonly merged: Uint32Array | null;

  constructor(
    private readonly net: CompiledNetwork,
    private readonly kernels: Kernels,
    first: number,
    end: number,
    private readonly counts: Uint32Array,
    private readonly barrier: Barrier,
    private readonly leader: boolean,
  ) {
    this.partitions = net.partitions;
    this.owned = net.partitions.slice(first, end);
    this.popsOf = this.owned.map((part) => net.populations.filter((p) => p.offset < part.targetEnd && p.offset + p.size > part.targetStart));
    this.start = this.owned[0]!.targetStart;
    this.stop = this.owned[this.owned.length - 1]!.targetEnd;
    this.fill = new Int32Array(net.partitions.length);
    this.sliceFrom = new Int32Array(net.partitions.length);
    this.merged = net.plastic.length > 0 ? new Uint32Array(net.neuronCount) : null;
  }

  /** Runs steps start … start + steps − 1 (steps ≤ MAX_BATCH_STEPS); returns how many ran (all, unless a spike log filled up). */
  runBatch(startStep: number, steps: number): number {
    const { net, kernels, partitions, owned, counts, fill, sliceFrom } = this;
    const partitionCount = partitions.length;
    fill.fill(0);
    for (let i = 0; i < steps; i++) {
      const step = startStep + i;
      for (let o = 0; o < owned.length; o++) {
        const part = owned[o]!;
        const pops = this.popsOf[o]!;
        const from = fill[part.index]!;
        let at = from;
        for (let p = 0; p < pops.length; p++) at = kernels.update(pops[p]!, part.targetStart, part.targetEnd, step, part.spikeLog, at);
        counts[part.index * MAX_BATCH_STEPS + i] = at - from;
      }
      this.barrier.arrive(); // A: all spike logs and counts of this step are written
      let full = false;
      for (let q = 0; q < partitionCount; q++) {
        sliceFrom[q] = fill[q]!;
        const f = fill[q]! + counts[q * MAX_BATCH_STEPS + i]!;
        fill[q] = f;
        const part = partitions[q]!;
        if (f + (part.targetEnd - part.targetStart) > part.spikeLog.length) full = true;
      }
      for (let o = 0; o < owned.length; o++) {
        const part = owned[o]!;
        const blocks = part.blocks;
        for (let b = 0; b < blocks.length; b++) {
          const block = blocks[b]!;
          if (block.rowPtr[0] === block.rowPtr[block.sourceSize]) continue;
          for (let q = 0; q < partitionCount; q++) {
            if (fill[q]! > sliceFrom[q]!) kernels.propagate(part, block, partitions[q]!.spikeLog, sliceFrom[q]!, fill[q]!, step);
          }
        }
      }
      if (this.merged !== null) this.plasticity();
      if ((step + 1) % FINITE_CHECK_INTERVAL === 0) this.checkFinite(step);
      if (full && i + 1 < steps) return i + 1;
    }
    return steps;
  }

  private plasticity(): void {
    const merged = this.merged!;
    let count = 0;
    for (let q = 0; q < this.partitions.length; q++) {
      const log = this.partitions[q]!.spikeLog;
      for (let k = this.sliceFrom[q]!; k < this.fill[q]!; k++) merged[count++] = log[k]!;
    }
    for (const part of this.owned) applyPlasticity(this.net, part.index, merged, count);
    this.barrier.arrive(); // B: every thread has read the traces of the previous step
    updateTraces(this.net, this.start, this.stop, merged, count);
    if (this.leader) decayReward(this.net);
  }

  private checkFinite(step: number): void {
    const v = this.net.state.v;
    for (let i = this.start; i < this.stop; i++) {
      if (Number.isNaN(v[i]!)) {
        const pop = this.net.populations.find((p) => i >= p.offset && i < p.offset + p.size)!;
        throw new HasnError('E_ENGINE_UNSTABLE', `neuron ${i - pop.offset} of population '${pop.id}' has no finite membrane potential at step ${step}: the network is numerically unstable (lower dt_ms or the weights)`, { path: `populations.${pop.id}` });
      }
    }
  }
}
