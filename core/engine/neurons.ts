// Neuron kernels in TypeScript: deliver due input, integrate, threshold, reset/refractory and record, over a range of neurons.
//
// Arithmetic is IEEE float32: every operation is rounded with Math.fround, and every constant is a
// float32, so the same step gives the same bits here and in the float32 WebAssembly kernels
// (wasm/assembly/kernels.ts), whatever the partitioning. Keep the two in the same operation order.
//
// Two rules both implementations follow:
//   - when the network has a ring (delays of 2 steps or more), delivery is unconditional:
//     syn ← syn + ring (so −0 + 0 = +0 the same way everywhere), ring ← 0; without a ring there is
//     nothing to deliver (one-step input was added to syn by propagation);
//   - decaying variables (synaptic currents/conductances, θ) that fall below the smallest normal
//     float32 (1.18e−38) become 0. Subnormal floats are 10–100× slower on x86 and mean nothing here;
//   - lastSpike holds the step of the last spike modulo 2³² (an int32), and a neuron is refractory
//     while (step − lastSpike) mod 2³², as an int32, is below its refractory steps. So that the
//     difference never reaches 2³¹, every LAST_SPIKE_AGE_INTERVAL steps a neuron whose last spike is
//     more than LAST_SPIKE_HORIZON steps back is moved to exactly that far back (ageLastSpikes) —
//     the same for any partitioning. A daemon thus runs for any number of steps (at dt 1 ms, 2³¹
//     steps are 25 days) with the same spikes as a run that started at step 0.
import { streamForStep, streamId, uniform32 } from '../random.ts';
import type { PopulationLayout } from '../compile/layout.ts';
import type { CompiledNetwork, NeuronState } from '../compile/types.ts';
import type { PoissonSampler } from './poisson.ts';

const f = Math.fround;
export const POISSON_STREAM = streamId('poisson');
/** The smallest normal float32. */
export const MIN_NORMAL_F32 = 1.1754943508222875e-38;
/** How far back a last spike is kept exactly; older ones are moved here (beyond any refractory period). Equals -NEVER_SPIKED. */
export const LAST_SPIKE_HORIZON = 0x40000000;
/** Steps between two ageLastSpikes passes (at steps that are multiples of it). */
export const LAST_SPIKE_AGE_INTERVAL = 0x1000000;
/** 0.04 as a float32: Izhikevich's quadratic coefficient. */
const IZH_QUADRATIC = f(0.04);

/**
 * Delivers the ring input due in `step` to the neurons of `pop` inside [start, end), then integrates,
 * thresholds and resets them, writing the global indices of those that spike, ascending, into
 * `spikes` from `count`. Returns the new count. Poisson draws come from `poisson` when given (the kernels'
 * faster form of the same draws), else from updatePoisson (the reference form).
 */
export function updatePopulation(net: CompiledNetwork, pop: PopulationLayout, start: number, end: number, step: number, spikes: Uint32Array, count: number, poisson?: PoissonSampler): number {
  const from = Math.max(start, pop.offset);
  const to = Math.min(end, pop.offset + pop.size);
  if (from >= to) return count;
  const s = net.state;
  if (step % LAST_SPIKE_AGE_INTERVAL === 0) ageLastSpikes(s.lastSpike, from, to, step);
  const exc = ringOffset(s, net.neuronCount, step);
  const inh = exc + net.neuronCount;
  const c = pop.constants;
  switch (c.kind) {
    case 'lif': return updateLif(s, pop, c, exc, inh, from, to, step, spikes, count);
    case 'lif_cond': return updateLifCond(s, pop, c, exc, inh, from, to, step, spikes, count);
    case 'izhikevich': return updateIzhikevich(s, c, exc, inh, from, to, step, spikes, count);
    case 'poisson':
      deliverInput(s, exc, inh, from, to);
      return poisson ? poisson.update(s, from, to, step, spikes, count) : updatePoisson(s, net.seed, net.dt, from, to, step, spikes, count);
    case 'spike_source':
      deliverInput(s, exc, inh, from, to);
      return updateSpikeSource(s, from, to, step, spikes, count);
  }
}

/** Moves last spikes of [from, to) that are more than LAST_SPIKE_HORIZON steps before `step` (mod 2³²) to exactly that far back. */
export function ageLastSpikes(lastSpike: Int32Array, from: number, to: number, step: number): void {
  for (let i = from; i < to; i++) {
    const since = (step - lastSpike[i]!) | 0;
    if (since > LAST_SPIKE_HORIZON || since < 0) lastSpike[i] = step - LAST_SPIKE_HORIZON;
  }
}

type Lif = Extract<PopulationLayout['constants'], { kind: 'lif' }>;
type LifCond = Extract<PopulationLayout['constants'], { kind: 'lif_cond' }>;
type Izh = Extract<PopulationLayout['constants'], { kind: 'izhikevich' }>;

/** Where the excitatory block of step `step`'s ring slot starts, or −1 when the network has no ring. */
export function ringOffset(s: NeuronState, n: number, step: number): number {
  return s.ringSlots === 0 ? -1 : (step % s.ringSlots) * 2 * n;
}

/** Adds the ring input at offsets `exc`/`inh` to the synaptic variables of [from, to) and clears it (models without their own update). */
export function deliverInput(s: NeuronState, exc: number, inh: number, from: number, to: number): void {
  const { ring, synE, synI } = s;
  if (exc < 0) return;
  for (let i = from; i < to; i++) {
    synE[i] = f(synE[i]! + ring[exc + i]!);
    synI[i] = f(synI[i]! + ring[inh + i]!);
    ring[exc + i] = 0;
    ring[inh + i] = 0;
  }
}

/** x, or 0 when |x| is below the smallest normal float32 (NaN stays NaN). */
function flush(x: number): number {
  return x < MIN_NORMAL_F32 && x > -MIN_NORMAL_F32 ? 0 : x;
}

/** Exact integration of dv/dt = (v_rest − v)/τm + (iₑ − iᵢ + i_offset)/cm with exponentially decaying currents. */
function updateLif(s: NeuronState, pop: PopulationLayout, c: Lif, exc: number, inh: number, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, synE: E, synI: I, lastSpike, theta, ring } = s;
  const ringed = exc >= 0;
  const { pm, pe, pi, ke, ki, vInf, vThresh, vReset } = c;
  const refrac = c.refracSteps;
  const adapt = pop.adaptation;
  const thetaDecay = adapt === null ? 0 : adapt.decay;
  const thetaPlus = adapt === null ? 0 : adapt.thetaPlus;
  for (let i = from; i < to; i++) {
    let v = V[i]!;
    let ie = E[i]!;
    let ii = I[i]!;
    if (ringed) {
      ie = f(ie + ring[exc + i]!);
      ii = f(ii + ring[inh + i]!);
      ring[exc + i] = 0;
      ring[inh + i] = 0;
    }
    const free = ((step - lastSpike[i]!) | 0) >= refrac;
    if (free) v = f(f(vInf + f(f(v - vInf) * pm)) + f(f(ie * ke) - f(ii * ki)));
    E[i] = flush(f(ie * pe));
    I[i] = flush(f(ii * pi));
    let threshold = vThresh;
    let th = 0;
    if (adapt !== null) {
      th = flush(f(theta[i]! * thetaDecay));
      threshold = f(vThresh + th);
    }
    if (free && v > threshold) {
      v = vReset;
      lastSpike[i] = step;
      th = f(th + thetaPlus);
      spikes[count++] = i;
    }
    if (adapt !== null) theta[i] = th;
    V[i] = v;
  }
  return count;
}

/** Forward Euler of cm·dv/dt = g_L(v_rest − v) + gₑ(Eₑ − v) + gᵢ(Eᵢ − v) + i_offset, conductances decaying by 1 − dt/τ (Brian2 COBA). */
function updateLifCond(s: NeuronState, pop: PopulationLayout, c: LifCond, exc: number, inh: number, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, synE: E, synI: I, lastSpike, theta, ring } = s;
  const ringed = exc >= 0;
  const { dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset } = c;
  const refrac = c.refracSteps;
  const adapt = pop.adaptation;
  const thetaDecay = adapt === null ? 0 : adapt.decay;
  const thetaPlus = adapt === null ? 0 : adapt.thetaPlus;
  for (let i = from; i < to; i++) {
    let v = V[i]!;
    let ge = E[i]!;
    let gi = I[i]!;
    if (ringed) {
      ge = f(ge + ring[exc + i]!);
      gi = f(gi + ring[inh + i]!);
      ring[exc + i] = 0;
      ring[inh + i] = 0;
    }
    const free = ((step - lastSpike[i]!) | 0) >= refrac;
    if (free) {
      const leakAndExc = f(f(gl * f(vRest - v)) + f(ge * f(eRevE - v)));
      const inhAndOffset = f(f(gi * f(eRevI - v)) + iOffset);
      v = f(v + f(dtOverCm * f(leakAndExc + inhAndOffset)));
    }
    E[i] = flush(f(ge * decayE));
    I[i] = flush(f(gi * decayI));
    let threshold = vThresh;
    let th = 0;
    if (adapt !== null) {
      th = flush(f(theta[i]! * thetaDecay));
      threshold = f(vThresh + th);
    }
    if (free && v > threshold) {
      v = vReset;
      lastSpike[i] = step;
      th = f(th + thetaPlus);
      spikes[count++] = i;
    }
    if (adapt !== null) theta[i] = th;
    V[i] = v;
  }
  return count;
}

/** Forward Euler of Izhikevich (2003); spike when v ≥ v_peak, then v ← c, u ← u + d. No refractory period. */
function updateIzhikevich(s: NeuronState, c: Izh, exc: number, inh: number, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, u: U, synE: E, synI: I, lastSpike, ring } = s;
  const ringed = exc >= 0;
  const { a, b, d, vPeak, iOffset, dt, pe, pi } = c;
  const reset = c.c;
  for (let i = from; i < to; i++) {
    const v = V[i]!;
    const u = U[i]!;
    let ie = E[i]!;
    let ii = I[i]!;
    if (ringed) {
      ie = f(ie + ring[exc + i]!);
      ii = f(ii + ring[inh + i]!);
      ring[exc + i] = 0;
      ring[inh + i] = 0;
    }
    const current = f(f(ie - ii) + iOffset);
    const dv = f(f(f(f(f(f(IZH_QUADRATIC * v) * v) + f(5 * v)) + 140) - u) + current);
    let vNext = f(v + f(dt * dv));
    let uNext = f(u + f(dt * f(a * f(f(b * v) - u))));
    E[i] = flush(f(ie * pe));
    I[i] = flush(f(ii * pi));
    if (vNext >= vPeak) {
      vNext = reset;
      uNext = f(uNext + d);
      lastSpike[i] = step;
      spikes[count++] = i;
    }
    V[i] = vNext;
    U[i] = uNext;
  }
  return count;
}

/** Each neuron fires with probability rate·dt, drawn from hash(seed, neuron, step): independent of who computes it. */
export function updatePoisson(s: NeuronState, seed: number, dt: number, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { rate, lastSpike } = s;
  const perStep = dt * 0.001;
  const stream = streamForStep(POISSON_STREAM, step);
  const key = step >>> 0;
  for (let i = from; i < to; i++) {
    const r = rate[i]!;
    if (r > 0 && uniform32(seed, stream, i, key) < r * perStep) {
      lastSpike[i] = step;
      spikes[count++] = i;
    }
  }
  return count;
}

/** Fires the neurons marked in `inject` (by an encoder or the API) and clears the marks. */
export function updateSpikeSource(s: NeuronState, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { inject, lastSpike } = s;
  for (let i = from; i < to; i++) {
    if (inject[i] !== 0) {
      inject[i] = 0;
      lastSpike[i] = step;
      spikes[count++] = i;
    }
  }
  return count;
}
