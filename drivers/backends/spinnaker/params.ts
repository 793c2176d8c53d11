// Per-population fixed-point constants of the SpiNNaker emulation, encoded as sPyNNaker's host encodes them.
//
// Where the factors come from (sPyNNaker, neural_modelling/src/neuron):
//   LIF  (models/neuron_model_lif_impl.h)  R = τm/cm, exp_TC = e^(−dt/τm) as s16.15 (host: round to nearest);
//        T_refract = ⌈τref/dt⌉ steps (lif_ceil_accum(kdivk(τref, dt))).
//   exp synapse (synapse_types/exp_synapse_utils.h)  decay = e^(−dt/τ), init = (τ/dt)·(1 − decay), both u0.32,
//        truncated as the host precomputation of sPyNNaker ≤ 6 did (`astype("uint32")`); newer releases compute
//        the same two factors on chip with expulr, which can differ in the last bit.
//   conductance input (input_types/input_type_conductance.h)  conductances are held ×2^10 (global weight scale
//        1024) and shifted back by >> 10 before multiplying by (E_rev − V); newer releases use ×2^5 / >> 5.
//   Izhikevich (models/neuron_model_izh_impl.h)  RK2 midpoint in accum with h = dt, the 0.04 coefficient replaced
//        by 0.040008544921875, and h × 1.85 for the step after a spike (threshold-time correction).
import type { PopulationLayout } from '../../../core/compile/layout.ts';
import { ceilK, divK, mulK, toAccum, toU032 } from './accum.ts';

/** Global weight scale of conductance-based inputs, and the matching right shift (2^10 = 1024). */
export const CONDUCTANCE_SCALE_SHIFT = 10;
export const CONDUCTANCE_SCALE = 1 << CONDUCTANCE_SCALE_SHIFT;
/** 0.04 as sPyNNaker's Izhikevich uses it (one s16.15 step above 0.04, for stability). */
export const IZH_QUADRATIC = toAccum(0.040008544921875);
export const IZH_THRESHOLD_TIME_CORRECTION = toAccum(1.85);

export interface ExpSynapse {
  /** u0.32 decay per step and u0.32 scale applied to input as it arrives. */
  decay: number;
  init: number;
}

export type FixedModel =
  | {
      kind: 'lif' | 'lif_cond';
      vRest: number; vReset: number; vThresh: number; iOffset: number;
      rMembrane: number; expTc: number; refractSteps: number;
      eRevE: number; eRevI: number;
      exc: ExpSynapse; inh: ExpSynapse;
    }
  | {
      kind: 'izhikevich';
      a: number; b: number; c: number; d: number; vThresh: number; iOffset: number;
      h: number; hAfterSpike: number;
      exc: ExpSynapse; inh: ExpSynapse;
    }
  | { kind: 'poisson' }
  | { kind: 'spike_source' };

export function expSynapse(tauMs: number, dtMs: number): ExpSynapse {
  const decay = Math.exp(-dtMs / tauMs);
  return { decay: toU032(decay), init: toU032((tauMs / dtMs) * (1 - decay)) };
}

/** The fixed-point constants of one population. */
export function fixedModel(pop: PopulationLayout, dtMs: number): FixedModel {
  const m = pop.model;
  const at = (name: string): string => `populations.${pop.id}.model.${name}`;
  switch (m.type) {
    case 'lif':
    case 'lif_cond':
      return {
        kind: m.type,
        vRest: toAccum(m.v_rest_mV, at('v_rest_mV')),
        vReset: toAccum(m.v_reset_mV, at('v_reset_mV')),
        vThresh: toAccum(m.v_thresh_mV, at('v_thresh_mV')),
        iOffset: toAccum(m.i_offset_nA, at('i_offset_nA')),
        rMembrane: toAccum(m.tau_m_ms / m.cm_nF, at('tau_m_ms / cm_nF')),
        expTc: toAccum(Math.exp(-dtMs / m.tau_m_ms), at('tau_m_ms')),
        refractSteps: m.tau_refrac_ms > 0 ? ceilK(divK(toAccum(m.tau_refrac_ms, at('tau_refrac_ms')), toAccum(dtMs, 'dt_ms'))) : 0,
        eRevE: m.type === 'lif_cond' ? toAccum(m.e_rev_e_mV, at('e_rev_e_mV')) : 0,
        eRevI: m.type === 'lif_cond' ? toAccum(m.e_rev_i_mV, at('e_rev_i_mV')) : 0,
        exc: expSynapse(m.tau_syn_e_ms, dtMs),
        inh: expSynapse(m.tau_syn_i_ms, dtMs),
      };
    case 'izhikevich': {
      const h = toAccum(dtMs, 'dt_ms');
      return {
        kind: 'izhikevich',
        a: toAccum(m.a, at('a')), b: toAccum(m.b, at('b')), c: toAccum(m.c_mV, at('c_mV')), d: toAccum(m.d, at('d')),
        vThresh: toAccum(m.v_peak_mV, at('v_peak_mV')), iOffset: toAccum(m.i_offset, at('i_offset')),
        h, hAfterSpike: mulK(h, IZH_THRESHOLD_TIME_CORRECTION),
        exc: expSynapse(m.tau_syn_e_ms, dtMs),
        inh: expSynapse(m.tau_syn_i_ms, dtMs),
      };
    }
    case 'poisson':
      return { kind: 'poisson' };
    case 'spike_source':
      return { kind: 'spike_source' };
  }
}

/** The factor by which a population's synaptic values are held: 1 for currents, 2^10 for conductances. */
export function globalWeightScale(kind: FixedModel['kind']): number {
  return kind === 'lif_cond' ? CONDUCTANCE_SCALE : 1;
}
