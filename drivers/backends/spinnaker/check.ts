// Every reason a spec cannot run on SpiNNaker through this adapter (emulation or PyNN export), each with a stable code.
import { layoutPopulations } from '../../../core/compile/layout.ts';
import { isHasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { maxDelaySteps } from '../delays.ts';
import type { Violation } from '../types.ts';
import { MAX_DELAY_STEPS } from './mapping.ts';
import { fixedModel } from './params.ts';

/** sPyNNaker's Izhikevich fires at a fixed 30 mV (static threshold); PyNN's Izhikevich exposes no peak either. */
export const IZHIKEVICH_PEAK_MV = 30;

export function checkSpinnaker(spec: NetworkSpec): Violation[] {
  const out: Violation[] = [];
  const micros = spec.dt_ms * 1000;
  if (Math.abs(micros - Math.round(micros)) > 1e-9) {
    out.push({ code: 'E_SPINNAKER_TIMESTEP', path: 'dt_ms', message: `SpiNNaker's machine time step is a whole number of microseconds; dt_ms = ${spec.dt_ms} is not` });
  }
  const layouts = layoutPopulations(spec);
  spec.populations.forEach((pop, i) => {
    const m = pop.model;
    if ((m.type === 'lif' || m.type === 'lif_cond') && m.threshold_adaptation) {
      out.push({ code: 'E_SPINNAKER_MODEL_UNSUPPORTED', path: `populations[${i}].model.threshold_adaptation`, message: `population '${pop.id}': threshold adaptation has no counterpart in IF_curr_exp/IF_cond_exp; remove it or use the cpu backend` });
    }
    if (m.type === 'izhikevich' && m.v_peak_mV !== IZHIKEVICH_PEAK_MV) {
      out.push({ code: 'E_SPINNAKER_PARAM_UNSUPPORTED', path: `populations[${i}].model.v_peak_mV`, message: `population '${pop.id}': sPyNNaker's Izhikevich fires at ${IZHIKEVICH_PEAK_MV} mV; v_peak_mV = ${m.v_peak_mV} cannot be expressed` });
    }
    try {
      fixedModel(layouts[i]!, spec.dt_ms);
    } catch (err) {
      if (!isHasnError(err)) throw err;
      out.push({ code: err.code, path: `populations[${i}]`, message: `population '${pop.id}': ${err.message}` });
    }
  });
  spec.projections.forEach((proj, i) => {
    if (proj.plasticity) {
      out.push({ code: 'E_SPINNAKER_PLASTICITY_UNSUPPORTED', path: `projections[${i}].plasticity`, message: `projection '${proj.id}': plastic synapses are not emulated or exported for SpiNNaker by this adapter; use the cpu backend` });
    }
    const steps = maxDelaySteps(proj, spec.dt_ms);
    if (steps > MAX_DELAY_STEPS) {
      out.push({ code: 'E_SPINNAKER_DELAY_TOO_LONG', path: `projections[${i}].delay_ms`, message: `projection '${proj.id}': delays reach ${Number.isFinite(steps) ? steps : 'unbounded'} steps; SpiNNaker holds at most ${MAX_DELAY_STEPS} (16 on the core + 8 delay-extension blocks of 16)` });
    }
  });
  return out;
}
