// Operations on a compiled network's dynamic state between engine runs: the rest between two stimuli, input rates, θ.
import { NEVER_SPIKED } from '../compile/compile.ts';
import type { PopulationLayout } from '../compile/layout.ts';
import type { CompiledNetwork } from '../compile/types.ts';
import { HasnError } from '../errors.ts';

/** The population with this id; throws E_LEARNING_POPULATION. */
export function populationOf(net: CompiledNetwork, id: string): PopulationLayout {
  const pop = net.populations.find((p) => p.id === id);
  if (pop === undefined) throw new HasnError('E_LEARNING_POPULATION', `the network has no population '${id}'`, { path: 'population' });
  return pop;
}

/**
 * The state a long enough rest (no input) leads to, set directly instead of simulated: membrane potentials at
 * rest, no synaptic conductance or current, no input waiting in the delay rings, no refractory neuron, STDP
 * traces 0 — what Diehl & Cook's 150 ms rest between images achieves (their time constants are ≤ 100 ms, the
 * membrane's; a rest of several of them leaves < 1 % of any of these). Homeostatic θ (τθ = 10⁷ ms) barely
 * decays in a rest: it is multiplied by e^(−rest/τθ) of each population's own τθ, as the rest would.
 * Poisson rates and reward levels are left alone. Call between engine runs, never during one.
 */
export function restNetwork(net: CompiledNetwork, restMs: number): void {
  if (!(Number.isFinite(restMs) && restMs >= 0)) throw new HasnError('E_LEARNING_REST', `the rest must be a duration ≥ 0 ms, got ${restMs}`, { path: 'rest_ms' });
  const s = net.state;
  for (const pop of net.populations) {
    const m = pop.model;
    const from = pop.offset;
    const to = pop.offset + pop.size;
    if (m.type === 'lif' || m.type === 'lif_cond') s.v.fill(m.v_rest_mV, from, to);
    else if (m.type === 'izhikevich') {
      s.v.fill(m.c_mV, from, to);
      s.u.fill(Math.fround(m.b * m.c_mV), from, to);
    }
    s.synE.fill(0, from, to);
    s.synI.fill(0, from, to);
    s.lastSpike.fill(NEVER_SPIKED, from, to);
    s.inject.fill(0, from, to);
    if ((m.type === 'lif' || m.type === 'lif_cond') && m.threshold_adaptation !== undefined && restMs > 0) {
      const decay = Math.exp(-restMs / m.threshold_adaptation.tau_theta_ms);
      for (let i = from; i < to; i++) s.theta[i] = s.theta[i]! * decay;
    }
  }
  s.ring.fill(0);
  for (const p of net.plastic) {
    p.preTrace.fill(0);
    p.postTrace.fill(0);
  }
}

/** Sets the firing rate (Hz) of each neuron of a Poisson population: `rates[i]` for its neuron i. */
export function setPoissonRates(net: CompiledNetwork, populationId: string, rates: ArrayLike<number>): void {
  const pop = populationOf(net, populationId);
  if (pop.model.type !== 'poisson') throw new HasnError('E_LEARNING_POPULATION', `population '${populationId}' is ${pop.model.type}, not poisson`, { path: 'population' });
  if (rates.length !== pop.size) throw new HasnError('E_LEARNING_SHAPE', `population '${populationId}' has ${pop.size} neurons, got ${rates.length} rates`, { path: 'rates' });
  const rate = net.state.rate;
  for (let i = 0; i < pop.size; i++) {
    const r = rates[i]!;
    if (!(r >= 0 && Number.isFinite(r))) throw new HasnError('E_LEARNING_RATE', `rate ${i} must be a finite number ≥ 0 Hz, got ${r}`, { path: `rates[${i}]` });
    rate[pop.offset + i] = r;
  }
}

/** The homeostatic threshold offsets θ (mV) of a population, copied. */
export function thresholdOffsets(net: CompiledNetwork, populationId: string): Float32Array {
  const pop = populationOf(net, populationId);
  return net.state.theta.slice(pop.offset, pop.offset + pop.size);
}

/** Sets a population's θ (mV), e.g. to carry learned thresholds into a frozen evaluation network. */
export function setThresholdOffsets(net: CompiledNetwork, populationId: string, theta: ArrayLike<number>): void {
  const pop = populationOf(net, populationId);
  if (theta.length !== pop.size) throw new HasnError('E_LEARNING_SHAPE', `population '${populationId}' has ${pop.size} neurons, got ${theta.length} θ values`, { path: 'theta' });
  net.state.theta.set(theta, pop.offset);
}
