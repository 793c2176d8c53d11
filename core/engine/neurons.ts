// Neuron kernels: deliver due input, integrate, threshold, reset/refractory and record, over a range of neurons.
//
// Arithmetic is IEEE float32: every operation is rounded with Math.fround, so the same step gives the
// same bits in plain TypeScript and in a float32 WebAssembly kernel, whatever the partitioning.
import { streamId, uniform32 } from '../random.ts';
import type { PopulationLayout } from '../compile/layout.ts';
import type { CompiledNetwork, NeuronState } from '../compile/types.ts';

const f = Math.fround;
export const POISSON_STREAM = streamId('poisson');

/** Adds the synaptic input due in `step` to the neurons [start, end) and clears its ring slot. */
export function deliverInput(state: NeuronState, n: number, start: number, end: number, step: number): void {
  const { ring, synE, synI } = state;
  const exc = (step % state.ringSlots) * 2 * n;
  const inh = exc + n;
  for (let i = start; i < end; i++) {
    const e = ring[exc + i]!;
    if (e !== 0) { synE[i] = f(synE[i]! + e); ring[exc + i] = 0; }
    const h = ring[inh + i]!;
    if (h !== 0) { synI[i] = f(synI[i]! + h); ring[inh + i] = 0; }
  }
}

/**
 * Integrates, thresholds and resets the neurons of `pop` inside [start, end) for `step`, writing the
 * global indices of those that spike, ascending, into `spikes` from `count`. Returns the new count.
 */
export function updatePopulation(net: CompiledNetwork, pop: PopulationLayout, start: number, end: number, step: number, spikes: Uint32Array, count: number): number {
  const from = Math.max(start, pop.offset);
  const to = Math.min(end, pop.offset + pop.size);
  if (from >= to) return count;
  const c = pop.constants;
  switch (c.kind) {
    case 'lif': return updateLif(net.state, pop, c, from, to, step, spikes, count);
    case 'lif_cond': return updateLifCond(net.state, pop, c, from, to, step, spikes, count);
    case 'izhikevich': return updateIzhikevich(net.state, c, from, to, step, spikes, count);
    case 'poisson': return updatePoisson(net.state, net.seed, net.dt, from, to, step, spikes, count);
    case 'spike_source': return updateSpikeSource(net.state, from, to, step, spikes, count);
  }
}

type Lif = Extract<PopulationLayout['constants'], { kind: 'lif' }>;
type LifCond = Extract<PopulationLayout['constants'], { kind: 'lif_cond' }>;
type Izh = Extract<PopulationLayout['constants'], { kind: 'izhikevich' }>;

/** Exact integration of dv/dt = (v_rest − v)/τm + (iₑ − iᵢ + i_offset)/cm with exponentially decaying currents. */
function updateLif(s: NeuronState, pop: PopulationLayout, c: Lif, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, synE: E, synI: I, lastSpike, theta } = s;
  const { pm, pe, pi, ke, ki, vInf, vThresh, vReset, refracSteps } = c;
  const adapt = pop.adaptation;
  for (let i = from; i < to; i++) {
    let v = V[i]!;
    const ie = E[i]!;
    const ii = I[i]!;
    const free = step - lastSpike[i]! >= refracSteps;
    if (free) v = f(f(vInf + f(f(v - vInf) * pm)) + f(f(ie * ke) - f(ii * ki)));
    E[i] = f(ie * pe);
    I[i] = f(ii * pi);
    let threshold = vThresh;
    if (adapt !== null) {
      const th = f(theta[i]! * adapt.decay);
      theta[i] = th;
      threshold = f(vThresh + th);
    }
    if (free && v > threshold) {
      v = vReset;
      lastSpike[i] = step;
      if (adapt !== null) theta[i] = f(theta[i]! + adapt.thetaPlus);
      spikes[count++] = i;
    }
    V[i] = v;
  }
  return count;
}

/** Forward Euler of cm·dv/dt = g_L(v_rest − v) + gₑ(Eₑ − v) + gᵢ(Eᵢ − v) + i_offset, conductances decaying by 1 − dt/τ (Brian2 COBA). */
function updateLifCond(s: NeuronState, pop: PopulationLayout, c: LifCond, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, synE: E, synI: I, lastSpike, theta } = s;
  const { dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset, refracSteps } = c;
  const adapt = pop.adaptation;
  for (let i = from; i < to; i++) {
    let v = V[i]!;
    const ge = E[i]!;
    const gi = I[i]!;
    const free = step - lastSpike[i]! >= refracSteps;
    if (free) {
      const leakAndExc = f(f(gl * f(vRest - v)) + f(ge * f(eRevE - v)));
      const inhAndOffset = f(f(gi * f(eRevI - v)) + iOffset);
      v = f(v + f(dtOverCm * f(leakAndExc + inhAndOffset)));
    }
    E[i] = f(ge * decayE);
    I[i] = f(gi * decayI);
    let threshold = vThresh;
    if (adapt !== null) {
      const th = f(theta[i]! * adapt.decay);
      theta[i] = th;
      threshold = f(vThresh + th);
    }
    if (free && v > threshold) {
      v = vReset;
      lastSpike[i] = step;
      if (adapt !== null) theta[i] = f(theta[i]! + adapt.thetaPlus);
      spikes[count++] = i;
    }
    V[i] = v;
  }
  return count;
}

/** Forward Euler of Izhikevich (2003); spike when v ≥ v_peak, then v ← c, u ← u + d. No refractory period. */
function updateIzhikevich(s: NeuronState, c: Izh, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { v: V, u: U, synE: E, synI: I, lastSpike } = s;
  const { a, b, d, vPeak, iOffset, dt, pe, pi } = c;
  const reset = c.c;
  for (let i = from; i < to; i++) {
    const v = V[i]!;
    const u = U[i]!;
    const ie = E[i]!;
    const ii = I[i]!;
    const current = f(f(ie - ii) + iOffset);
    const dv = f(f(f(f(f(f(0.04 * v) * v) + f(5 * v)) + 140) - u) + current);
    let vNext = f(v + f(dt * dv));
    let uNext = f(u + f(dt * f(a * f(f(b * v) - u))));
    E[i] = f(ie * pe);
    I[i] = f(ii * pi);
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
function updatePoisson(s: NeuronState, seed: number, dt: number, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
  const { rate, lastSpike } = s;
  const perStep = dt * 0.001;
  for (let i = from; i < to; i++) {
    const r = rate[i]!;
    if (r > 0 && uniform32(seed, POISSON_STREAM, i, step) < r * perStep) {
      lastSpike[i] = step;
      spikes[count++] = i;
    }
  }
  return count;
}

/** Fires the neurons marked in `inject` (by an encoder or the API) and clears the marks. */
function updateSpikeSource(s: NeuronState, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
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
