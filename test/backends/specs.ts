// Small specs and helpers shared by the backend tests (cpu, loihi, NIR, behaviour suite, CLI).
import type { NetworkSpec, NetworkSpecInput } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import type { BackendSession, StepOutputs } from '../../drivers/backends/types.ts';

export function spec(input: Omit<NetworkSpecInput, 'version' | 'name'> & { name?: string }): NetworkSpec {
  return parseSpec({ version: 1, name: 'test', ...input });
}

/** A current-based LIF model Loihi can take: no refractory period, one synaptic time constant. */
export const LOIHI_LIF = {
  type: 'lif' as const, cm_nF: 1, tau_m_ms: 20, v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -50,
  tau_refrac_ms: 0, tau_syn_e_ms: 5, tau_syn_i_ms: 5,
};

/** A recurrent E/I network in the style of Brian2's CUBA (bias-driven, p = 0.08), shaped to fit Loihi. */
export function cubaLike(size = 500, seed = 3): NetworkSpec {
  const exc = Math.round(size * 0.8);
  const model = { ...LOIHI_LIF, v_rest_mV: -49, v_reset_mV: -60, v_thresh_mV: -50 };
  return spec({
    name: 'cuba_like', dt_ms: 0.1, seed,
    populations: [
      { id: 'exc', size: exc, model, initial: { v_mV: { dist: 'uniform', low: -60, high: -50 } } },
      { id: 'inh', size: size - exc, model, initial: { v_mV: { dist: 'uniform', low: -60, high: -50 } } },
    ],
    projections: [
      { id: 'ee', source: 'exc', target: 'exc', connector: { type: 'fixed_probability', p: 0.08 }, weight: 0.081 },
      { id: 'ei', source: 'exc', target: 'inh', connector: { type: 'fixed_probability', p: 0.08 }, weight: 0.081 },
      { id: 'ie', source: 'inh', target: 'exc', connector: { type: 'fixed_probability', p: 0.08 }, weight: 0.45, receptor: 'inh' },
      { id: 'ii', source: 'inh', target: 'inh', connector: { type: 'fixed_probability', p: 0.08 }, weight: 0.45, receptor: 'inh' },
    ],
  });
}

/** Runs a session step by step, injecting `inject[step]` before each listed step; returns all (step, neuron) pairs. */
export async function runSession(session: BackendSession, steps: number, inject: Record<number, number[]> = {}): Promise<[number, number][]> {
  const out: [number, number][] = [];
  const collect = (o: StepOutputs): void => {
    for (let k = 0; k < o.spikes.step.length; k++) out.push([o.spikes.step[k]!, o.spikes.neuron[k]!]);
  };
  const due = Object.keys(inject).map(Number).filter((s) => s < steps).sort((a, b) => a - b);
  let at = 0;
  for (const step of due) {
    if (step > at) collect(await session.step(step - at));
    collect(await session.step(1, { spikes: inject[step]! }));
    at = step + 1;
  }
  if (steps > at) collect(await session.step(steps - at));
  return out;
}
