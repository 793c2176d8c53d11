// Runs a quantized network step by step with the integer arithmetic of Lava's CPU models PyLifModelBitAcc + PyDenseModelBitAcc.
//
// One step t, in Lava's order (LoihiProtocol, spk phase):
//   1. every LIF receives a_in: the int32 sum of what each Dense into it sends this step, which is the
//      buffer that Dense computed in step t − 1 (Dense delays its output by one step)
//   2. LIF update: u ← wrap24(decay(u, du + 1) + (a_in << 6)); v ← clip(decay(v, dv) + u + bias);
//      spike where v > vth << 6; v ← 0 for those (u is not reset); spike_source neurons fire when injected
//   3. every Dense sums the weights of this step's spikes, shifts by weight_exp and keeps it for step t + 1
// So a spike in step t reaches its target's u in step t + 1: the cpu engine's one-step delay.
// Spikes are reported as global indices in ascending order, as the cpu engine reports them.
import {
  ACT_SHIFT, DM_OFFSET, DS_OFFSET, VTH_SHIFT,
  clipVoltage, decay, effectiveBias, lavaEffectiveWeights, wrapCurrent,
} from './fixed-point.ts';
import type { LoihiDense, LoihiLif, LoihiNetwork } from './network.ts';

interface LifState {
  pop: LoihiLif;
  u: Int32Array;
  v: Int32Array;
  aIn: Int32Array;
  bias: Int32Array;
  threshold: number;
}

interface DenseState {
  dense: LoihiDense;
  /** Weights after Lava's clip_weights + truncate_weights. */
  weight: Int32Array;
  /** What this Dense sends next step (int64 in Lava; exact here), and the accumulation scratch. */
  buffer: Float64Array;
  sum: Float64Array;
}

export class LoihiEmulator {
  /** The next step to run. */
  step: number;
  /** Spikes of the last step: `spikes[0 .. spikeCount)`, ascending global indices. */
  readonly spikes: Uint32Array;
  spikeCount = 0;
  private readonly lif: (LifState | null)[];
  private readonly denseStates: DenseState[];
  private readonly inject: Uint8Array;
  /** Local spike indices of each population in the current step. */
  private readonly local: Uint32Array[];
  private readonly localCount: Int32Array;

  constructor(readonly net: LoihiNetwork, startStep = 0) {
    this.step = startStep;
    this.spikes = new Uint32Array(net.neuronCount);
    this.inject = new Uint8Array(net.neuronCount);
    this.lif = net.populations.map((pop) => {
      if (pop.kind !== 'lif') return null;
      const bias = new Int32Array(pop.size);
      for (let i = 0; i < pop.size; i++) bias[i] = effectiveBias(pop.biasMant[i]!, pop.biasExp[i]!);
      return {
        pop, u: Int32Array.from(pop.u0), v: Int32Array.from(pop.v0), aIn: new Int32Array(pop.size), bias,
        threshold: pop.vth * 2 ** VTH_SHIFT,
      };
    });
    this.denseStates = net.dense.map((dense) => {
      const size = net.populations[dense.target]!.size;
      return {
        dense, weight: lavaEffectiveWeights(dense.weight, dense.signMode, dense.numWeightBits),
        buffer: new Float64Array(size), sum: new Float64Array(size),
      };
    });
    this.local = net.populations.map((p) => new Uint32Array(p.size));
    this.localCount = new Int32Array(net.populations.length);
  }

  /** Marks spike_source neurons (global indices) to fire in the coming step. */
  injectSpikes(globalIndices: ArrayLike<number>): void {
    for (let k = 0; k < globalIndices.length; k++) this.inject[globalIndices[k]!] = 1;
  }

  /** Runs one step. */
  advance(): void {
    for (const s of this.lif) s?.aIn.fill(0);
    for (const d of this.denseStates) {
      const aIn = this.lif[d.dense.target]!.aIn;
      const buffer = d.buffer;
      // The channel is int32: the int64 buffer wraps on send, and the InPort sums its channels in int32.
      for (let i = 0; i < aIn.length; i++) aIn[i] = (aIn[i]! + (buffer[i]! | 0)) | 0;
    }
    let count = 0;
    this.net.populations.forEach((pop, p) => {
      const state = this.lif[p];
      const local = this.local[p]!;
      const n = state ? updateLif(state, local) : fireInjected(this.inject, pop.offset, pop.size, local);
      this.localCount[p] = n;
      for (let k = 0; k < n; k++) this.spikes[count++] = pop.offset + local[k]!;
    });
    this.spikeCount = count;
    for (const d of this.denseStates) accumulateDense(d, this.local[d.dense.source]!, this.localCount[d.dense.source]!);
    this.step++;
  }

  run(steps: number, observe?: (step: number, spikes: Uint32Array, count: number) => void): void {
    for (let k = 0; k < steps; k++) {
      const step = this.step;
      this.advance();
      observe?.(step, this.spikes, this.spikeCount);
    }
  }

  /** Current u and v of population p (views, not copies); null for inputs. */
  lifState(p: number): { u: Int32Array; v: Int32Array } | null {
    const s = this.lif[p];
    return s ? { u: s.u, v: s.v } : null;
  }

  /** The output buffer of Dense d (what it sends next step). */
  denseBuffer(d: number): Float64Array {
    return this.denseStates[d]!.buffer;
  }
}

function updateLif(s: LifState, local: Uint32Array): number {
  const { u, v, aIn, bias, threshold } = s;
  const decayU = s.pop.du + DS_OFFSET;
  const decayV = s.pop.dv + DM_OFFSET;
  let count = 0;
  for (let i = 0; i < u.length; i++) {
    // int32 arithmetic: the shifted input and the sums wrap exactly as numpy int32 arrays do.
    const current = wrapCurrent((decay(u[i]!, decayU) + (aIn[i]! << ACT_SHIFT)) | 0);
    u[i] = current;
    let voltage = clipVoltage((((decay(v[i]!, decayV) + current) | 0) + bias[i]!) | 0);
    if (voltage > threshold) {
      voltage = 0;
      local[count++] = i;
    }
    v[i] = voltage;
  }
  return count;
}

function fireInjected(inject: Uint8Array, offset: number, size: number, local: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < size; i++) {
    if (inject[offset + i] !== 0) {
      inject[offset + i] = 0;
      local[count++] = i;
    }
  }
  return count;
}

function accumulateDense(d: DenseState, spikes: Uint32Array, count: number): void {
  const { rowPtr, column, weightExp } = d.dense;
  const { sum, buffer, weight } = d;
  if (count === 0) {
    buffer.fill(0);
    return;
  }
  sum.fill(0);
  for (let k = 0; k < count; k++) {
    const s = spikes[k]!;
    for (let c = rowPtr[s]!; c < rowPtr[s + 1]!; c++) sum[column[c]!] += weight[c]!;
  }
  // shiftAccumulated, with the power of two hoisted: multiplying by 2^e is exact, floor gives the arithmetic right shift.
  const scale = 2 ** weightExp;
  if (weightExp > 0) for (let i = 0; i < sum.length; i++) buffer[i] = sum[i]! * scale;
  else for (let i = 0; i < sum.length; i++) buffer[i] = Math.floor(sum[i]! * scale);
}
