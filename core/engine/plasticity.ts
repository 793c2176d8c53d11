// Plasticity kernels: pair-based STDP with traces (additive/multiplicative) and reward-modulated STDP.
//
// Per step, after propagation, for each plastic projection:
//   1. depression on presynaptic spikes:  Δ = −a₋ · x_post(t)        (multiplicative: · (w − w_min))
//   2. potentiation on postsynaptic spikes: Δ = +a₊ · x_pre(s)        (multiplicative: · (w_max − w))
//      where x(t) is the trace decayed to this step but before this step's own spikes, so a pair with
//      Δt = t_post − t_pre gives exactly a₊·e^(−Δt/τ₊) (Δt > 0) or −a₋·e^(Δt/τ₋) (Δt < 0), and nothing for Δt = 0.
//      stdp applies Δ to the weight; reward_stdp adds it to the synapse's eligibility instead, and
//   3. (reward_stdp) eligibility decays by e^(−dt/τₑ) before the new Δ are added, and every synapse
//      moves by learning_rate · r · e, with r the reward level (set through the API, decaying with τᵣ).
//   4. traces decay and each spiking neuron's trace grows by 1 (all-to-all pairing).
// Weights stay within [w_min, w_max]. Steps 1–3 touch only synapses of one partition (the owner of the
// target), step 4 only neurons of a range, so workers run them without atomics. Steps 1–3 read the
// presynaptic traces of neurons other workers own, which step 4 writes: the parallel engine keeps a
// phase boundary between the two (see parallel/batch-stepper.ts). The WebAssembly kernels run pair-based STDP and
// the trace decay with their float32 twins (wasm/assembly/kernels.ts: stdpDepress, stdpPotentiate, decayTraces).
import type { CompiledNetwork, PlasticProjection } from '../compile/types.ts';

const f = Math.fround;

/** Steps 1–3 for the synapses held by partition `q`. `spikes` are this step's global indices, ascending. */
export function applyPlasticity(net: CompiledNetwork, q: number, spikes: Uint32Array, count: number): void {
  for (let p = 0; p < net.plastic.length; p++) {
    const proj = net.plastic[p]!;
    if (proj.rule.rule === 'stdp') applyStdp(net, proj, q, spikes, count);
    else applyRewardStdp(net, proj, q, spikes, count, net.reward[p]!);
  }
}

function applyStdp(net: CompiledNetwork, proj: PlasticProjection, q: number, spikes: Uint32Array, count: number): void {
  const rule = proj.rule;
  if (rule.rule !== 'stdp') return;
  const part = net.partitions[q]!;
  const index = proj.perPartition[q]!;
  const W = part.weight;
  const wMin = f(rule.w_min);
  const wMax = f(rule.w_max);
  const aPlus = f(rule.a_plus);
  const aMinus = f(rule.a_minus);
  const multiplicative = rule.mode === 'multiplicative';
  const { preTrace, postTrace, decayPlus, decayMinus, source, target } = proj;
  const { rowPtr, weightShift } = part.blocks[proj.projectionIndex]!;
  const columnBase = columnBaseOf(net, proj);
  for (let k = 0; k < count; k++) {
    const s = spikes[k]! - source.offset;
    if (s < 0 || s >= source.size) continue;
    for (let j = rowPtr[s]!; j < rowPtr[s + 1]!; j++) {
      const syn = j + weightShift;
      const x = f(postTrace[part.target[j]! - columnBase]! * decayMinus);
      const w = W[syn]!;
      const delta = multiplicative ? f(f(aMinus * x) * f(w - wMin)) : f(aMinus * x);
      W[syn] = clamp(f(w - delta), wMin, wMax);
    }
  }
  for (let k = 0; k < count; k++) {
    const t = spikes[k]! - target.offset;
    if (t < 0 || t >= target.size) continue;
    for (let i = index.inPtr[t]!; i < index.inPtr[t + 1]!; i++) {
      const syn = index.inSyn[i]!;
      const x = f(preTrace[index.inSource[i]!]! * decayPlus);
      const w = W[syn]!;
      const delta = multiplicative ? f(f(aPlus * x) * f(wMax - w)) : f(aPlus * x);
      W[syn] = clamp(f(w + delta), wMin, wMax);
    }
  }
}

export function applyRewardStdp(net: CompiledNetwork, proj: PlasticProjection, q: number, spikes: Uint32Array, count: number, reward: number): void {
  const rule = proj.rule;
  if (rule.rule !== 'reward_stdp') return;
  const part = net.partitions[q]!;
  const index = proj.perPartition[q]!;
  const W = part.weight;
  const E = proj.eligibility;
  const { preTrace, postTrace, decayPlus, decayMinus, decayEligibility, source, target } = proj;
  const entries = index.inSyn.length;
  for (let i = 0; i < entries; i++) {
    const c = index.inCanonical[i]!;
    E[c] = f(E[c]! * decayEligibility);
  }
  const aPlus = f(rule.a_plus);
  const aMinus = f(rule.a_minus);
  const { rowPtr } = part.blocks[proj.projectionIndex]!;
  const blockStart = rowPtr[0]!;
  const columnBase = columnBaseOf(net, proj);
  for (let k = 0; k < count; k++) {
    const s = spikes[k]! - source.offset;
    if (s < 0 || s >= source.size) continue;
    for (let j = rowPtr[s]!; j < rowPtr[s + 1]!; j++) {
      const c = index.outCanonical[j - blockStart]!;
      E[c] = f(E[c]! - f(aMinus * f(postTrace[part.target[j]! - columnBase]! * decayMinus)));
    }
  }
  for (let k = 0; k < count; k++) {
    const t = spikes[k]! - target.offset;
    if (t < 0 || t >= target.size) continue;
    for (let i = index.inPtr[t]!; i < index.inPtr[t + 1]!; i++) {
      const c = index.inCanonical[i]!;
      E[c] = f(E[c]! + f(aPlus * f(preTrace[index.inSource[i]!]! * decayPlus)));
    }
  }
  if (reward === 0) return;
  const gain = f(rule.learning_rate * reward);
  const wMin = f(rule.w_min);
  const wMax = f(rule.w_max);
  for (let i = 0; i < entries; i++) {
    const syn = index.inSyn[i]!;
    W[syn] = clamp(f(W[syn]! + f(gain * E[index.inCanonical[i]!]!)), wMin, wMax);
  }
}

/** Multiplies trace[from .. to) by `decay` (TypeScript; the WebAssembly kernels pass their own to updateTraces). */
export type DecayTraces = (trace: Float32Array, from: number, to: number, decay: number) => void;

function decayTraces(trace: Float32Array, from: number, to: number, decay: number): void {
  for (let i = from; i < to; i++) trace[i] = f(trace[i]! * decay);
}

/** Step 4 for the neurons [start, end): decay every trace, add 1 for each neuron that spiked in this step. */
export function updateTraces(net: CompiledNetwork, start: number, end: number, spikes: Uint32Array, count: number, decay: DecayTraces = decayTraces): void {
  for (const proj of net.plastic) {
    decayAndBump(proj.preTrace, proj.decayPlus, proj.source.offset, start, end, spikes, count, decay);
    decayAndBump(proj.postTrace, proj.decayMinus, proj.target.offset, start, end, spikes, count, decay);
  }
}

function decayAndBump(trace: Float32Array, factor: number, offset: number, start: number, end: number, spikes: Uint32Array, count: number, decay: DecayTraces): void {
  const from = Math.max(0, start - offset);
  const to = Math.min(trace.length, end - offset);
  if (from >= to) return;
  decay(trace, from, to, factor);
  for (let k = 0; k < count; k++) {
    const i = spikes[k]! - offset;
    if (i >= from && i < to) trace[i] = f(trace[i]! + 1);
  }
}

/** The column of the projection's first target neuron (receptor · N + target offset). */
export function columnBaseOf(net: CompiledNetwork, proj: PlasticProjection): number {
  return (net.spec.projections[proj.projectionIndex]!.receptor === 'inh' ? net.neuronCount : 0) + proj.target.offset;
}

function clamp(w: number, lo: number, hi: number): number {
  return w < lo ? lo : w > hi ? hi : w;
}
