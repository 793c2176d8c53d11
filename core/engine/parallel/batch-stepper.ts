// Runs batches of steps as phases of per-partition tasks: the step loop shared by worker threads and the in-thread engine.
//
// A partition (a contiguous range of target neurons with every synapse ending there) is the unit of
// work. The tasks of one phase touch disjoint state, so any thread may run any of them (control.ts,
// PhaseGate) and the result does not depend on which did. Step n, per partition q:
//   U(n)  update: deliver, integrate, threshold, reset q's neurons; spikes are appended to q's
//         spike log, their number to counts[q][i]                               (q's neurons only)
//   P(n)  propagate: every spike of step n (the logs of all partitions, read in partition order,
//         which is ascending neuron order) through q's blocks → q's synaptic variables and ring
//         slots; then, for plastic networks, the weights and eligibilities of synapses ending in q,
//         which read the presynaptic traces of every neuron                    (q's synapses only)
//   T(n)  plastic networks only: the traces of q's neurons; task 0 also decays the reward levels
// A phase starts when the previous one has finished everywhere. Phases that do not depend on each
// other share one: without plasticity a batch runs U(s) | P(s) U(s+1) | P(s+1) U(s+2) | … | P(last),
// one wait per step; with plasticity U(s) | P(s) | T(s) U(s+1) | P(s+1) | … | T(last), two.
// A batch ends early, after a step at which some partition's log could not take one more full
// step: every thread decides that from the same counts, so all end at the same step.
import { HasnError } from '../../errors.ts';
import type { PopulationLayout } from '../../compile/layout.ts';
import type { CompiledNetwork, Partition } from '../../compile/types.ts';
import { decayReward } from '../engine.ts';
import type { Kernels } from '../kernels.ts';
import { MAX_BATCH_STEPS, type PhaseGate } from './control.ts';

/** Steps between the checks for non-finite membrane potentials (at steps n with (n + 1) % this = 0). */
export const FINITE_CHECK_INTERVAL = 1024;

export class BatchStepper {
  private readonly partitions: readonly Partition[];
  private readonly popsOf: readonly (readonly PopulationLayout[])[];
  /** Per partition: spikes logged so far in this batch, and where the last collected step's slice starts. */
  private readonly fill: Int32Array;
  private readonly sliceFrom: Int32Array;
  /** Plastic networks: the last collected step's spikes of every partition, ascending; null otherwise. */
  private readonly merged: Uint32Array | null;
  private mergedCount = 0;

  constructor(
    private readonly net: CompiledNetwork,
    private readonly kernels: Kernels,
    private readonly counts: Uint32Array,
    private readonly gate: PhaseGate,
  ) {
    this.partitions = net.partitions;
    this.popsOf = net.partitions.map((part) => net.populations.filter((p) => p.offset < part.targetEnd && p.offset + p.size > part.targetStart));
    this.fill = new Int32Array(net.partitions.length);
    this.sliceFrom = new Int32Array(net.partitions.length);
    this.merged = net.plastic.length > 0 ? new Uint32Array(net.neuronCount) : null;
  }

  /** Runs steps start … start + steps − 1 (steps ≤ MAX_BATCH_STEPS); returns how many ran (all, unless a spike log filled up). */
  runBatch(startStep: number, steps: number): number {
    const gate = this.gate;
    const plastic = this.merged !== null;
    this.fill.fill(0);
    let phase = 0;
    for (let i = 0; ; i++) {
      const step = startStep + i;
      for (let q = gate.claim(phase); q >= 0; q = gate.claim(phase)) {
        if (i > 0) this.finishStep(q, step - 1);
        this.update(q, step, i);
        gate.finish(phase);
      }
      gate.await(phase++);
      const full = this.collect(i);
      if (plastic) {
        for (let q = gate.claim(phase); q >= 0; q = gate.claim(phase)) {
          this.propagate(q, step);
          this.kernels.plasticity(q, this.merged, this.mergedCount, this.sliceFrom, this.fill);
          gate.finish(phase);
        }
        gate.await(phase++);
      }
      if (full || i + 1 === steps) {
        for (let q = gate.claim(phase); q >= 0; q = gate.claim(phase)) {
          this.finishStep(q, step);
          gate.finish(phase);
        }
        gate.await(phase);
        return i + 1;
      }
    }
  }

  /** U: updates partition q's neurons at `step` (the batch's i-th), logging its spikes after the ones already there. */
  private update(q: number, step: number, i: number): void {
    const part = this.partitions[q]!;
    const pops = this.popsOf[q]!;
    const from = this.fill[q]!;
    let at = from;
    for (let p = 0; p < pops.length; p++) at = this.kernels.update(pops[p]!, part.targetStart, part.targetEnd, step, part.spikeLog, at);
    this.counts[q * MAX_BATCH_STEPS + i] = at - from;
    if ((step + 1) % FINITE_CHECK_INTERVAL === 0) this.checkFinite(part, step);
  }

  /** After U of the batch's i-th step everywhere: every partition's slice of it (and the merged list); true if a log is nearly full. */
  private collect(i: number): boolean {
    const { partitions, fill, sliceFrom, counts, merged } = this;
    let full = false;
    let count = 0;
    for (let q = 0; q < partitions.length; q++) {
      const from = fill[q]!;
      const to = from + counts[q * MAX_BATCH_STEPS + i]!;
      sliceFrom[q] = from;
      fill[q] = to;
      const part = partitions[q]!;
      if (to + (part.targetEnd - part.targetStart) > part.spikeLog.length) full = true;
      if (merged !== null) for (let k = from; k < to; k++) merged[count++] = part.spikeLog[k]!;
    }
    this.mergedCount = count;
    return full;
  }

  /** The last phase of a step for partition q: T (plastic networks, whose P ran in its own phase) or P. */
  private finishStep(q: number, step: number): void {
    if (this.merged === null) {
      this.propagate(q, step);
      return;
    }
    const part = this.partitions[q]!;
    this.kernels.traces(part.targetStart, part.targetEnd, this.merged, this.mergedCount);
    if (q === 0) decayReward(this.net);
  }

  /** P: the collected step's spikes of every partition through the blocks of partition q. */
  private propagate(q: number, step: number): void {
    const { partitions, fill, sliceFrom, kernels } = this;
    const part = partitions[q]!;
    const blocks = part.blocks;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b]!;
      if (block.rowPtr[0] === block.rowPtr[block.sourceSize]) continue;
      for (let s = 0; s < partitions.length; s++) {
        if (fill[s]! > sliceFrom[s]!) kernels.propagate(part, block, partitions[s]!.spikeLog, sliceFrom[s]!, fill[s]!, step);
      }
    }
  }

  private checkFinite(part: Partition, step: number): void {
    const v = this.net.state.v;
    for (let i = part.targetStart; i < part.targetEnd; i++) {
      if (Number.isNaN(v[i]!)) {
        const pop = this.net.populations.find((p) => i >= p.offset && i < p.offset + p.size)!;
        throw new HasnError('E_ENGINE_UNSTABLE', `neuron ${i - pop.offset} of population '${pop.id}' has no finite membrane potential at step ${step}: the network is numerically unstable (lower dt_ms or the weights)`, { path: `populations.${pop.id}` });
      }
    }
  }
}
