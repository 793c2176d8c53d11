// The SpiNNaker emulation: sPyNNaker's per-timestep neuron and synapse updates in s16.15 fixed point, near-exact.
//
// One timer tick n, in sPyNNaker's order (neuron/implementations/neuron_impl_standard.h, synapses.c):
//   1. transfer: ring-buffer slot n (16-bit weight sums) becomes input, `sum << shift` as s16.15, and is added to
//      the synaptic state scaled by the u0.32 `init` factor (add_input_exp); the slot is cleared
//   2. per neuron: read the synaptic state, convert it (conductance: (g >> 10)·(E_rev − V)), update the membrane
//      unless the refractory timer is running (then count it down), spike if V ≥ threshold (REAL_COMPARE >=),
//      on a spike V ← V_reset and the timer ← T_refract; then decay the synaptic state (exp_shaping)
//   3. a spike at tick n adds its 16-bit weight to ring-buffer slot n + delay, saturating at 0xFFFF
// Poisson sources draw from the same counter-based generator as the CPU engine, so both see the same input
// spikes (a real SpiNNaker board draws its own). Near-exact, not bit-exact: see params.ts for which on-chip
// computations (expulr, kdivk) are replaced by the host-side precomputation, and synapses.ts for the shift rule.
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { POISSON_STREAM } from '../../../core/engine/neurons.ts';
import { uniform32 } from '../../../core/random.ts';
import { addK, decayK, mulK, subK, toAccum } from './accum.ts';
import { CONDUCTANCE_SCALE_SHIFT, IZH_QUADRATIC, type FixedModel } from './params.ts';
import type { SpinnakerSynapses } from './synapses.ts';
import { WEIGHT_MAX } from './synapses.ts';

const K140 = toAccum(140);
const K5 = toAccum(5);
const K_HALF = toAccum(0.5);

/** Everything the emulator needs, built once by compile(). */
export interface SpinnakerPlan {
  readonly net: CompiledNetwork;
  readonly models: readonly FixedModel[];
  readonly synapses: SpinnakerSynapses;
}

/** The emulator's whole mutable state (what a snapshot holds). */
export interface EmulatorState {
  step: number;
  saturations: number;
  readonly v: Int32Array;
  readonly synE: Int32Array;
  readonly synI: Int32Array;
  /** LIF: refractory countdown (steps); Izhikevich: the current step length h (s16.15). */
  readonly timer: Int32Array;
  /** Izhikevich recovery variable (s16.15). */
  readonly u: Int32Array;
  readonly inject: Uint8Array;
  /** `slots` slots of 2N 16-bit sums (exc block, then inh block); input for tick n sits in slot n % slots. */
  readonly ring: Uint16Array;
  readonly slots: number;
}

export class SpinnakerEmulator {
  readonly state: EmulatorState;
  readonly spikes: Uint32Array;
  spikeCount = 0;
  private readonly rates: Float32Array;

  constructor(readonly plan: SpinnakerPlan, state?: EmulatorState) {
    const n = plan.net.neuronCount;
    this.state = state ?? initialState(plan);
    this.spikes = new Uint32Array(n);
    this.rates = plan.net.state.rate;
  }

  get step(): number {
    return this.state.step;
  }

  /** Marks spike_source neurons (global indices) to fire in the coming tick. */
  inject(globalIndices: ArrayLike<number>): void {
    for (let k = 0; k < globalIndices.length; k++) this.state.inject[globalIndices[k]!] = 1;
  }

  /** Runs one timer tick. */
  advance(): void {
    const { net, models, synapses } = this.plan;
    const s = this.state;
    const n = net.neuronCount;
    const base = (s.step % s.slots) * 2 * n;
    let count = 0;
    for (let p = 0; p < net.populations.length; p++) {
      const pop = net.populations[p]!;
      const model = models[p]!;
      const from = pop.offset;
      const to = pop.offset + pop.size;
      if (model.kind === 'poisson') {
        clearSlot(s.ring, base, n, from, to);
        count = this.updatePoisson(from, to, count);
      } else if (model.kind === 'spike_source') {
        clearSlot(s.ring, base, n, from, to);
        count = this.updateSpikeSource(from, to, count);
      } else {
        transfer(s, base, n, from, to, synapses.shifts[2 * p]!, synapses.shifts[2 * p + 1]!, model.exc.init, model.inh.init);
        count = model.kind === 'izhikevich' ? this.updateIzhikevich(model, from, to, count) : this.updateLif(model, from, to, count);
      }
    }
    this.spikeCount = count;
    s.saturations += propagate(synapses, s, n, this.spikes, count);
    s.step += 1;
  }

  private updateLif(m: Extract<FixedModel, { kind: 'lif' | 'lif_cond' }>, from: number, to: number, count: number): number {
    const { v: V, synE, synI, timer } = this.state;
    const conductance = m.kind === 'lif_cond';
    for (let i = from; i < to; i++) {
      let v = V[i]!;
      let exc = synE[i]!;
      let inh = synI[i]!;
      if (conductance) {
        exc = mulK(exc >> CONDUCTANCE_SCALE_SHIFT, subK(m.eRevE, v));
        inh = mulK(-(inh >> CONDUCTANCE_SCALE_SHIFT) | 0, subK(m.eRevI, v));
      }
      if (timer[i]! <= 0) {
        const input = addK(subK(exc, inh), m.iOffset);
        const alpha = addK(mulK(input, m.rMembrane), m.vRest);
        v = subK(alpha, mulK(m.expTc, subK(alpha, v)));
      } else {
        timer[i] = timer[i]! - 1;
      }
      if (v >= m.vThresh) {
        v = m.vReset;
        timer[i] = m.refractSteps;
        this.spikes[count++] = i;
      }
      V[i] = v;
      synE[i] = decayK(synE[i]!, m.exc.decay);
      synI[i] = decayK(synI[i]!, m.inh.decay);
    }
    return count;
  }

  private updateIzhikevich(m: Extract<FixedModel, { kind: 'izhikevich' }>, from: number, to: number, count: number): number {
    const { v: V, u: U, synE, synI, timer: H } = this.state;
    const { a, b } = m;
    for (let i = from; i < to; i++) {
      const v = V[i]!;
      const u = U[i]!;
      const h = H[i]!;
      const input = addK(subK(synE[i]!, synI[i]!), m.iOffset);
      // rk2_kernel_midpoint, operation by operation as the C evaluates it
      const preAlpha = subK(addK(K140, input), u);
      const alpha = addK(preAlpha, mulK(addK(K5, mulK(IZH_QUADRATIC, v)), v));
      const eta = addK(v, mulK(mulK(h, alpha), K_HALF));
      const beta = mulK(mulK(mulK(h, subK(mulK(b, v), u)), a), K_HALF);
      let vNext = addK(v, mulK(h, addK(subK(preAlpha, beta), mulK(addK(K5, mulK(IZH_QUADRATIC, eta)), eta))));
      let uNext = addK(u, mulK(mulK(a, h), addK(subK(-u | 0, beta), mulK(b, eta))));
      H[i] = m.h;
      if (vNext >= m.vThresh) {
        vNext = m.c;
        uNext = addK(uNext, m.d);
        H[i] = m.hAfterSpike;
        this.spikes[count++] = i;
      }
      V[i] = vNext;
      U[i] = uNext;
      synE[i] = decayK(synE[i]!, m.exc.decay);
      synI[i] = decayK(synI[i]!, m.inh.decay);
    }
    return count;
  }

  private updatePoisson(from: number, to: number, count: number): number {
    const { seed, dt } = this.plan.net;
    const perStep = dt * 0.001;
    const step = this.state.step;
    for (let i = from; i < to; i++) {
      const r = this.rates[i]!;
      if (r > 0 && uniform32(seed, POISSON_STREAM, i, step) < r * perStep) this.spikes[count++] = i;
    }
    return count;
  }

  private updateSpikeSource(from: number, to: number, count: number): number {
    const inject = this.state.inject;
    for (let i = from; i < to; i++) {
      if (inject[i] !== 0) {
        inject[i] = 0;
        this.spikes[count++] = i;
      }
    }
    return count;
  }
}

function clearSlot(ring: Uint16Array, base: number, n: number, from: number, to: number): void {
  ring.fill(0, base + from, base + to);
  ring.fill(0, base + n + from, base + n + to);
}

/** Ring-buffer slot → synaptic state: syn += decay_s1615(sum << shift, init), then the slot is cleared. */
function transfer(s: EmulatorState, base: number, n: number, from: number, to: number, shiftE: number, shiftI: number, initE: number, initI: number): void {
  const { ring, synE, synI } = s;
  for (let i = from; i < to; i++) {
    const e = ring[base + i]!;
    if (e !== 0) {
      synE[i] = addK(synE[i]!, decayK(e << shiftE, initE));
      ring[base + i] = 0;
    }
    const h = ring[base + n + i]!;
    if (h !== 0) {
      synI[i] = addK(synI[i]!, decayK(h << shiftI, initI));
      ring[base + n + i] = 0;
    }
  }
}

/** Adds each spike's 16-bit weights into the slots of their delays, saturating as sPyNNaker does; returns saturations. */
function propagate(syn: SpinnakerSynapses, s: EmulatorState, n: number, spikes: Uint32Array, count: number): number {
  const { rowPtr, column, weight, delay } = syn;
  const { ring, slots } = s;
  const stride = 2 * n;
  const current = s.step % slots;
  let saturated = 0;
  for (let k = 0; k < count; k++) {
    const src = spikes[k]!;
    const end = rowPtr[src + 1]!;
    for (let j = rowPtr[src]!; j < end; j++) {
      let slot = current + delay[j]!;
      if (slot >= slots) slot -= slots;
      const at = slot * stride + column[j]!;
      const sum = ring[at]! + weight[j]!;
      if (sum > WEIGHT_MAX) {
        ring[at] = WEIGHT_MAX;
        saturated++;
      } else {
        ring[at] = sum;
      }
    }
  }
  return saturated;
}

/** The state at step 0, from the compiled network's initial values (drawn from the spec and seed). */
export function initialState(plan: SpinnakerPlan): EmulatorState {
  const { net, models, synapses } = plan;
  const n = net.neuronCount;
  const slots = synapses.maxDelay + 1;
  const state: EmulatorState = {
    step: 0, saturations: 0,
    v: new Int32Array(n), synE: new Int32Array(n), synI: new Int32Array(n), timer: new Int32Array(n), u: new Int32Array(n),
    inject: new Uint8Array(n), ring: new Uint16Array(slots * 2 * n), slots,
  };
  net.populations.forEach((pop, p) => {
    const model = models[p]!;
    if (model.kind === 'poisson' || model.kind === 'spike_source') return;
    const g = model.kind === 'lif_cond' ? 1 << CONDUCTANCE_SCALE_SHIFT : 1;
    for (let i = pop.offset; i < pop.offset + pop.size; i++) {
      state.v[i] = toAccum(net.state.v[i]!, `populations.${pop.id}.initial.v_mV`);
      state.synE[i] = toAccum(net.state.synE[i]! * g, `populations.${pop.id}.initial`);
      state.synI[i] = toAccum(net.state.synI[i]! * g, `populations.${pop.id}.initial`);
      if (model.kind === 'izhikevich') {
        state.u[i] = toAccum(net.state.u[i]!, `populations.${pop.id}.initial.u`);
        state.timer[i] = model.h;
      }
    }
  });
  return state;
}
