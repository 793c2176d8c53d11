// Where each population lives in the global neuron index space, and the per-step constants of its model.
import type { NetworkSpec, NeuronModel, Population } from '../spec/schema.ts';

/** Per-step constants of a neuron model, precomputed once in float64 and rounded to float32. */
export type ModelConstants =
  | {
      kind: 'lif';
      /** exp(−dt/τm), exp(−dt/τe), exp(−dt/τi). */
      pm: number; pe: number; pi: number;
      /** Membrane response to a unit synaptic current over one exact step (mV per nA), excitatory / inhibitory. */
      ke: number; ki: number;
      /** Steady-state potential with the offset current: v_rest + R·i_offset. */
      vInf: number;
      vThresh: number; vReset: number; refracSteps: number;
    }
  | {
      kind: 'lif_cond';
      /** dt/cm (mV per nA per step), leak conductance (µS). */
      dtOverCm: number; gl: number;
      vRest: number; eRevE: number; eRevI: number; iOffset: number;
      /** Euler decay factors 1 − dt/τ. */
      decayE: number; decayI: number;
      vThresh: number; vReset: number; refracSteps: number;
    }
  | {
      kind: 'izhikevich';
      a: number; b: number; c: number; d: number; vPeak: number; iOffset: number; dt: number;
      pe: number; pi: number;
    }
  | { kind: 'poisson' }
  | { kind: 'spike_source' };

export interface AdaptationConstants {
  thetaPlus: number;
  /** exp(−dt/τθ). */
  decay: number;
}

export interface PopulationLayout {
  readonly id: string;
  readonly index: number;
  /** First global neuron index. */
  readonly offset: number;
  readonly size: number;
  readonly model: NeuronModel;
  readonly constants: ModelConstants;
  readonly adaptation: AdaptationConstants | null;
  readonly spec: Population;
}

const f32 = Math.fround;

/** exact-integration coefficient of an exponentially decaying current on the membrane: τs/(τm−τs)·(e^(−dt/τm) − e^(−dt/τs)); limit dt/τ·e^(−dt/τ) when τs = τm. */
function currentKernel(dt: number, tauM: number, tauS: number): number {
  if (Math.abs(tauM - tauS) < 1e-12) return (dt / tauM) * Math.exp(-dt / tauM);
  return (tauS / (tauM - tauS)) * (Math.exp(-dt / tauM) - Math.exp(-dt / tauS));
}

export function modelConstants(model: NeuronModel, dt: number): ModelConstants {
  switch (model.type) {
    case 'lif': {
      const r = model.tau_m_ms / model.cm_nF; // MΩ: nA · MΩ = mV
      return {
        kind: 'lif',
        pm: f32(Math.exp(-dt / model.tau_m_ms)),
        pe: f32(Math.exp(-dt / model.tau_syn_e_ms)),
        pi: f32(Math.exp(-dt / model.tau_syn_i_ms)),
        ke: f32(r * currentKernel(dt, model.tau_m_ms, model.tau_syn_e_ms)),
        ki: f32(r * currentKernel(dt, model.tau_m_ms, model.tau_syn_i_ms)),
        vInf: f32(model.v_rest_mV + r * model.i_offset_nA),
        vThresh: f32(model.v_thresh_mV),
        vReset: f32(model.v_reset_mV),
        refracSteps: Math.round(model.tau_refrac_ms / dt),
      };
    }
    case 'lif_cond':
      return {
        kind: 'lif_cond',
        dtOverCm: f32(dt / model.cm_nF),
        gl: f32(model.cm_nF / model.tau_m_ms),
        vRest: f32(model.v_rest_mV),
        eRevE: f32(model.e_rev_e_mV),
        eRevI: f32(model.e_rev_i_mV),
        iOffset: f32(model.i_offset_nA),
        decayE: f32(1 - dt / model.tau_syn_e_ms),
        decayI: f32(1 - dt / model.tau_syn_i_ms),
        vThresh: f32(model.v_thresh_mV),
        vReset: f32(model.v_reset_mV),
        refracSteps: Math.round(model.tau_refrac_ms / dt),
      };
    case 'izhikevich':
      return {
        kind: 'izhikevich',
        a: f32(model.a), b: f32(model.b), c: f32(model.c_mV), d: f32(model.d),
        vPeak: f32(model.v_peak_mV), iOffset: f32(model.i_offset), dt: f32(dt),
        pe: f32(Math.exp(-dt / model.tau_syn_e_ms)),
        pi: f32(Math.exp(-dt / model.tau_syn_i_ms)),
      };
    case 'poisson':
      return { kind: 'poisson' };
    case 'spike_source':
      return { kind: 'spike_source' };
  }
}

export function layoutPopulations(spec: NetworkSpec): PopulationLayout[] {
  let offset = 0;
  return spec.populations.map((pop, index) => {
    const m = pop.model;
    const adaptation = (m.type === 'lif' || m.type === 'lif_cond') && m.threshold_adaptation
      ? { thetaPlus: f32(m.threshold_adaptation.theta_plus_mV), decay: f32(Math.exp(-spec.dt_ms / m.threshold_adaptation.tau_theta_ms)) }
      : null;
    const layout: PopulationLayout = {
      id: pop.id, index, offset, size: pop.size, model: m,
      constants: modelConstants(m, spec.dt_ms), adaptation, spec: pop,
    };
    offset += pop.size;
    return layout;
  });
}
