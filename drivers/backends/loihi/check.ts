// What Lava's bit-accurate LIF + Dense models cannot express, each with a stable code and the path at fault.
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { maxDelaySteps, minDelaySteps } from '../delays.ts';
import type { Violation } from '../types.ts';

/** Checks that need only the spec (no synapses drawn): models, plasticity, delays, refractoriness, time constants. */
export function checkLoihiSpec(spec: NetworkSpec): Violation[] {
  const violations: Violation[] = [];
  const dt = spec.dt_ms;
  spec.populations.forEach((pop, i) => {
    const m = pop.model;
    const at = `populations[${i}].model`;
    if (m.type === 'lif_cond' || m.type === 'izhikevich' || m.type === 'poisson') {
      violations.push({
        code: 'E_LOIHI_MODEL_UNSUPPORTED', path: `${at}.type`,
        message: `population "${pop.id}" is ${m.type}; Lava's bit-accurate CPU model is the current-based LIF (lif) only, with spike_source inputs`,
      });
      return;
    }
    if (m.type !== 'lif') return;
    if (m.threshold_adaptation !== undefined) {
      violations.push({
        code: 'E_LOIHI_THRESHOLD_ADAPTATION_UNSUPPORTED', path: `${at}.threshold_adaptation`,
        message: `population "${pop.id}" adapts its threshold; PyLifModelBitAcc has one fixed threshold per process`,
      });
    }
    if (Math.round(m.tau_refrac_ms / dt) >= 2) {
      violations.push({
        code: 'E_LOIHI_REFRACTORY_UNSUPPORTED', path: `${at}.tau_refrac_ms`,
        message: `population "${pop.id}" has a ${m.tau_refrac_ms} ms refractory period; PyLifModelBitAcc has none (set tau_refrac_ms below ${(1.5 * dt).toFixed(3)} ms)`,
      });
    }
    const incoming = spec.projections.filter((p) => p.target === pop.id);
    const usesExc = incoming.some((p) => p.receptor === 'exc');
    const usesInh = incoming.some((p) => p.receptor === 'inh');
    if (usesExc && usesInh && m.tau_syn_e_ms !== m.tau_syn_i_ms) {
      violations.push({
        code: 'E_LOIHI_SYNAPSE_TAU_MISMATCH', path: `${at}.tau_syn_i_ms`,
        message: `population "${pop.id}" receives excitatory and inhibitory input with different synaptic time constants (${m.tau_syn_e_ms} vs ${m.tau_syn_i_ms} ms); a Lava LIF has one current u with one decay`,
      });
    }
  });
  spec.projections.forEach((proj, k) => {
    const at = `projections[${k}]`;
    if (proj.plasticity !== undefined) {
      violations.push({
        code: 'E_LOIHI_PLASTICITY_UNSUPPORTED', path: `${at}.plasticity`,
        message: `projection "${proj.id}" is plastic (${proj.plasticity.rule}); Lava's learning Dense is bit-approximate, not bit-accurate, and is not emulated`,
      });
    }
    if (minDelaySteps(proj, dt) !== 1 || maxDelaySteps(proj, dt) !== 1) {
      violations.push({
        code: 'E_LOIHI_DELAY_UNSUPPORTED', path: `${at}.delay_ms`,
        message: `projection "${proj.id}" has delays other than one step (${dt} ms); Lava's Dense delivers every spike exactly one step later`,
      });
    }
  });
  return violations;
}
