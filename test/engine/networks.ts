// Small networks that exercise every kernel path of the engine: COBA, CUBA, Izhikevich with drawn delays, STDP/R-STDP with threshold adaptation.
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import { referenceSpec } from '../../bench/reference-networks.ts';

/** Brian2's COBA at N = 2000 (sizes 1600/400 and partitions at odd bounds exercise the SIMD remainders). */
export const coba = (): NetworkSpec => referenceSpec('coba', { neurons: 2000, seed: 3 });

export const cuba = (): NetworkSpec => referenceSpec('cuba', { neurons: 2002, seed: 5 });

/** Izhikevich regular-spiking and fast-spiking neurons driven by Poisson input, delays drawn between 0.5 and 8 ms. */
export function izhikevichWithDelays(): NetworkSpec {
  return parseSpec({
    version: 1, name: 'izh-delays', dt_ms: 0.5, seed: 7,
    populations: [
      { id: 'drive', size: 101, model: { type: 'poisson', rate_hz: { dist: 'uniform', low: 5, high: 40 } } },
      { id: 'rs', size: 803, model: { type: 'izhikevich', a: 0.02, b: 0.2, c_mV: -65, d: 8, tau_syn_e_ms: 2, tau_syn_i_ms: 5 }, initial: { v_mV: { dist: 'uniform', low: -70, high: -55 } } },
      { id: 'fs', size: 197, model: { type: 'izhikevich', a: 0.1, b: 0.2, c_mV: -65, d: 2, tau_syn_e_ms: 2, tau_syn_i_ms: 5 } },
    ],
    projections: [
      { id: 'drive_rs', source: 'drive', target: 'rs', connector: { type: 'fixed_probability', p: 0.2 }, weight: { dist: 'uniform', low: 5, high: 25 }, delay_ms: { dist: 'uniform', low: 0.5, high: 8 } },
      { id: 'rs_rs', source: 'rs', target: 'rs', connector: { type: 'fixed_indegree', n: 40 }, weight: 2.5, delay_ms: { dist: 'uniform', low: 0.5, high: 8 } },
      { id: 'rs_fs', source: 'rs', target: 'fs', connector: { type: 'fixed_probability', p: 0.05 }, weight: 4, delay_ms: 1 },
      { id: 'fs_rs', source: 'fs', target: 'rs', connector: { type: 'fixed_probability', p: 0.2 }, weight: { dist: 'normal_clipped', mean: 6, sd: 2, low: 0, high: 12 }, receptor: 'inh', delay_ms: 0.5 },
    ],
  });
}

/** Poisson input → LIF with threshold adaptation through STDP; recurrent reward-STDP; a spike_source population the test drives. */
export function plasticNetwork(): NetworkSpec {
  return parseSpec({
    version: 1, name: 'plastic', dt_ms: 0.5, seed: 11,
    populations: [
      { id: 'input', size: 150, model: { type: 'poisson', rate_hz: 30 } },
      { id: 'cue', size: 10, model: { type: 'spike_source' } },
      { id: 'exc', size: 301, model: { type: 'lif', tau_m_ms: 20, v_thresh_mV: -52, v_reset_mV: -65, tau_refrac_ms: 2, threshold_adaptation: { theta_plus_mV: 0.5, tau_theta_ms: 50 } } },
      { id: 'inh', size: 75, model: { type: 'lif_cond', threshold_adaptation: { theta_plus_mV: 0.2, tau_theta_ms: 100 } } },
    ],
    projections: [
      { id: 'in_exc', source: 'input', target: 'exc', connector: { type: 'fixed_probability', p: 0.3 }, weight: { dist: 'uniform', low: 0.5, high: 1.5 }, delay_ms: { dist: 'uniform', low: 0.5, high: 3 }, plasticity: { rule: 'stdp', a_plus: 0.02, a_minus: 0.021, w_max: 2, mode: 'multiplicative' } },
      { id: 'cue_exc', source: 'cue', target: 'exc', connector: { type: 'all_to_all' }, weight: 1.2 },
      { id: 'exc_exc', source: 'exc', target: 'exc', connector: { type: 'fixed_probability', p: 0.1, allow_self: false }, weight: 0.3, plasticity: { rule: 'reward_stdp', learning_rate: 0.05, w_max: 1 } },
      { id: 'exc_inh', source: 'exc', target: 'inh', connector: { type: 'fixed_indegree', n: 30 }, weight: 0.01 },
      { id: 'inh_exc', source: 'inh', target: 'exc', connector: { type: 'fixed_probability', p: 0.3 }, weight: 0.8, receptor: 'inh', plasticity: { rule: 'stdp', a_plus: 0.01, a_minus: 0.012, w_max: 2 } },
    ],
  });
}

/** Injections and rewards applied before given steps, the same in every run. */
export const plasticInputs = {
  inject: (step: number): number[] => (step % 37 === 0 ? [150, 153, 159] : []),
  reward: (step: number): number => (step % 50 === 25 ? 0.5 : step % 80 === 0 ? -0.3 : 0),
};
