// Every reason a spec cannot map to Akida (AKD1000, V1 layers), each with a stable code.
//
// What maps: a layered feed-forward graph from input populations (spike_source, or poisson drawn by us and fed
// as events) through non-leaky integrate-and-fire populations. In our spec a non-leaky integrate-and-fire neuron
// is a `lif` with tau_m_ms ≥ 1e6 (1000 s: under 0.1 % leak per second), no refractory period, no offset
// current, no threshold adaptation, v_rest < v_thresh, and the default initial state (v_reset < v_thresh is
// already required by the spec validator).
// Everything else is rejected: conductance-based and Izhikevich neurons, leaky LIF, recurrence, delays longer
// than one step, skipped layers, plasticity, and networks beyond AKD1000's 80 NPs or FullyConnected input size.
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { maxDelaySteps } from '../delays.ts';
import type { Violation } from '../types.ts';
import { isInputModel, layerPopulations } from './layers.ts';

/** A lif with at least this membrane time constant counts as non-leaky integrate-and-fire. */
export const NON_LEAKY_TAU_MS = 1e6;
/** AKD1000 neural processors. */
export const AKD1000_NPS = 80;
/** Largest FullyConnected input (width × height × channels) on Akida 1.0 hardware. */
export const MAX_FULLY_CONNECTED_INPUTS = 57334;
/**
 * Units one NP is assumed to hold for a FullyConnected layer: our planning figure, not a BrainChip number.
 * The exported script prints the real mapping from `Model.map(AKD1000())`.
 */
export const DEFAULT_UNITS_PER_NP = 128;

export interface AkidaLimits {
  unitsPerNp?: number;
}

/** NPs a layer of `units` neurons is estimated to take. */
export function estimateNps(units: number, unitsPerNp = DEFAULT_UNITS_PER_NP): number {
  return Math.max(1, Math.ceil(units / unitsPerNp));
}

export function checkAkida(spec: NetworkSpec, limits: AkidaLimits = {}): Violation[] {
  const out: Violation[] = [];
  spec.populations.forEach((pop, i) => {
    const m = pop.model;
    const at = `populations[${i}]`;
    const unsupported = (path: string, why: string): void => {
      out.push({ code: 'E_AKIDA_MODEL_UNSUPPORTED', path: `${at}${path}`, message: `population '${pop.id}': ${why}` });
    };
    if (isInputModel(m.type)) return;
    if (m.type === 'lif_cond') return unsupported('.model.type', 'conductance-based neurons have no Akida equivalent (Akida sums integer weights)');
    if (m.type === 'izhikevich') return unsupported('.model.type', 'Izhikevich neurons have no Akida equivalent; use a non-leaky lif');
    if (m.type !== 'lif') return unsupported('.model.type', `model ${m.type} cannot be an Akida layer`);
    if (m.tau_m_ms < NON_LEAKY_TAU_MS) {
      out.push({ code: 'E_AKIDA_LEAKY_NEURON', path: `${at}.model.tau_m_ms`, message: `population '${pop.id}': tau_m_ms = ${m.tau_m_ms} leaks; Akida neurons integrate without leak (use tau_m_ms ≥ ${NON_LEAKY_TAU_MS})` });
    }
    if (m.tau_refrac_ms > 0) unsupported('.model.tau_refrac_ms', 'Akida neurons have no refractory period (use tau_refrac_ms: 0)');
    if (m.i_offset_nA !== 0) unsupported('.model.i_offset_nA', 'Akida V1 FullyConnected layers have no bias current (use i_offset_nA: 0)');
    if (m.threshold_adaptation) unsupported('.model.threshold_adaptation', 'Akida thresholds are fixed');
    if (m.v_thresh_mV <= m.v_rest_mV) unsupported('.model.v_thresh_mV', 'v_thresh_mV must lie above v_rest_mV (a neuron may not fire without input)');
    if (Object.keys(pop.initial).length > 0) unsupported('.initial', 'Akida starts every frame from rest; initial values cannot be expressed');
  });

  spec.projections.forEach((proj, k) => {
    if (proj.plasticity) {
      out.push({ code: 'E_AKIDA_PLASTICITY_UNSUPPORTED', path: `projections[${k}].plasticity`, message: `projection '${proj.id}': STDP has no Akida equivalent (Akida's own edge learning is not mapped)` });
    }
    const steps = maxDelaySteps(proj, spec.dt_ms);
    if (steps > 1) {
      out.push({ code: 'E_AKIDA_DELAY', path: `projections[${k}].delay_ms`, message: `projection '${proj.id}': delays reach ${Number.isFinite(steps) ? steps : 'unbounded'} steps; Akida has no synaptic delays (one step, dt_ms, is the only delay that maps)` });
    }
  });

  const layering = layerPopulations(spec);
  out.push(...layering.violations);
  if (layering.violations.length === 0) {
    let nps = 0;
    layering.layers.forEach((layer, d) => {
      if (d === 0) return;
      const inputs = layering.layers[d - 1]!.reduce((sum, p) => sum + spec.populations[p]!.size, 0);
      const units = layer.reduce((sum, p) => sum + spec.populations[p]!.size, 0);
      if (inputs > MAX_FULLY_CONNECTED_INPUTS) {
        out.push({ code: 'E_AKIDA_TOO_LARGE', path: `populations[${layer[0]}]`, message: `layer ${d} reads ${inputs} inputs; an Akida 1.0 FullyConnected layer reads at most ${MAX_FULLY_CONNECTED_INPUTS}` });
      }
      nps += estimateNps(units, limits.unitsPerNp);
    });
    if (nps > AKD1000_NPS) {
      out.push({ code: 'E_AKIDA_TOO_LARGE', path: 'populations', message: `the layers need an estimated ${nps} NPs; AKD1000 has ${AKD1000_NPS}` });
    }
  }
  return out;
}
