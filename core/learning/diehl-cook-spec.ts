// The Diehl & Cook (2015) unsupervised-learning network as a plain NetworkSpec: Poisson pixels → excitatory LIF (STDP) ⇄ inhibitory LIF.
//
//   input  (poisson, one neuron per pixel; rates set per image by the caller through state.rate)
//     │ all_to_all, plastic: pair-based STDP (a₊ = 0.01 on post spikes, a₋ = 0.0001 on pre spikes, τ = 20 ms,
//     │ w ∈ [0, 1]), initial weights uniform(0, 0.3); the caller normalises each neuron's incoming sum (78)
//     ▼
//   exc    (lif_cond, N neurons, τm = 100 ms, adaptive threshold θ: +0.05 mV per spike, τθ = 10⁷ ms)
//     │ one_to_one, 10.4                    ▲ every inh → every exc but its own partner, 17.0 (inhibitory)
//     ▼                                     │
//   inh    (lif_cond, N neurons, τm = 10 ms) ─┘   → the first excitatory neuron to fire silences the others
//
// Units: cm = τm · 1 µS, so the leak conductance is 1 µS and every weight (µS) is Diehl & Cook's
// dimensionless conductance relative to the leak; their parameters carry over unchanged (v_rest −65 mV,
// threshold −52 mV + θ, E_inh −100 mV; inhibitory: v_rest −60, threshold −40, reset −45, E_inh −85).
// Differences from their Brian code: pair-based all-to-all STDP traces (they use a nearest-spike pre trace
// and a triplet post term), input delays of one step instead of uniform 0–10 ms, and the rest period between
// images replaced by resetting the state it lets decay (core/learning/network-state.ts).
// Their test mode is `{ stdp: false, adaptThreshold: false }`: no plasticity and a frozen θ (θ₊ = 0, no
// decay); `{ stdp: false }` alone keeps θ adapting with STDP off (the untrained control).
import type { NetworkSpecInput } from '../spec/schema.ts';

export interface DiehlCookOptions {
  /** Excitatory (and inhibitory) neurons. */
  neurons: number;
  /** Input pixels. Default 784 (28 × 28). */
  inputs?: number;
  /** Time step. Default 0.5 ms (Diehl & Cook). */
  dtMs?: number;
  seed?: number;
  /** STDP on input → exc. Default true. */
  stdp?: boolean;
  /** Adaptive thresholds adapt (training) or stay frozen (evaluation). Default true. */
  adaptThreshold?: boolean;
  /**
   * Lateral inhibition. 'partners' (Diehl & Cook): N inhibitory neurons, exc i → inh i, inh i → every exc but i.
   * 'pool': `size` inhibitory neurons, every exc → every inh, every inh → every exc.
   */
  inhibition?: { kind: 'partners' | 'pool'; size?: number; weight: number; tauMs: number };
}

/** Ids of the populations and of the plastic projection in the generated spec. */
export const DIEHL_COOK_IDS = { input: 'input', excitatory: 'exc', inhibitory: 'inh', learned: 'input_exc' } as const;

/** The largest weight the STDP rule allows (µS, relative to the 1 µS leak). */
export const DIEHL_COOK_W_MAX = 1;
/** Initial input → exc weights are uniform in [0, this). */
export const DIEHL_COOK_INITIAL_W_MAX = 0.3;
/** Sum of each excitatory neuron's input weights after normalisation (Diehl & Cook: 78 for 784 inputs, i.e. 0.1 per input). */
export function diehlCookWeightTotal(inputs: number): number {
  return 0.1 * inputs;
}

/** A θ that never changes: no increment, and a time constant whose float32 decay factor is exactly 1. */
const FROZEN_THETA = { theta_plus_mV: 0, tau_theta_ms: 1e12 };

export function diehlCookSpec(options: DiehlCookOptions): NetworkSpecInput {
  const n = options.neurons;
  const inputs = options.inputs ?? 784;
  const dt = options.dtMs ?? 0.5;
  const stdp = options.stdp ?? true;
  const adapt = options.adaptThreshold ?? true;
  const ids = DIEHL_COOK_IDS;
  // Forward-Euler conductance decay is 1 − dt/τ: τ below dt would make it negative.
  const tauE = Math.max(1, dt);
  const inhibition = options.inhibition ?? { kind: 'partners', weight: 17, tauMs: 2 };
  const tauI = Math.max(inhibition.tauMs, dt);
  const pool = inhibition.kind === 'pool';
  const inhSize = pool ? (inhibition.size ?? 1) : n;
  const lateral: [number, number][] = [];
  if (!pool) for (let s = 0; s < n; s++) for (let t = 0; t < n; t++) if (s !== t) lateral.push([s, t]);
  return {
    version: 1,
    name: `diehl-cook-${n}`,
    description: `Diehl & Cook (2015) unsupervised STDP network: ${inputs} Poisson inputs, ${n} excitatory, ${n} inhibitory`,
    dt_ms: dt,
    seed: options.seed ?? 1,
    populations: [
      { id: ids.input, size: inputs, model: { type: 'poisson', rate_hz: 0 } },
      {
        id: ids.excitatory, size: n,
        model: {
          type: 'lif_cond', cm_nF: 100, tau_m_ms: 100, v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -52,
          tau_refrac_ms: 5, tau_syn_e_ms: tauE, tau_syn_i_ms: tauI, e_rev_e_mV: 0, e_rev_i_mV: -100,
          threshold_adaptation: adapt ? { theta_plus_mV: 0.05, tau_theta_ms: 1e7 } : FROZEN_THETA,
        },
      },
      {
        id: ids.inhibitory, size: inhSize,
        model: {
          type: 'lif_cond', cm_nF: 10, tau_m_ms: 10, v_rest_mV: -60, v_reset_mV: -45, v_thresh_mV: -40,
          tau_refrac_ms: 2, tau_syn_e_ms: tauE, tau_syn_i_ms: Math.max(2, dt), e_rev_e_mV: 0, e_rev_i_mV: -85,
        },
      },
    ],
    projections: [
      {
        id: ids.learned, source: ids.input, target: ids.excitatory, connector: { type: 'all_to_all' },
        weight: { dist: 'uniform', low: 0, high: DIEHL_COOK_INITIAL_W_MAX },
        ...(stdp ? {
          plasticity: {
            rule: 'stdp' as const, tau_plus_ms: 20, tau_minus_ms: 20, a_plus: 0.01, a_minus: 0.0001,
            w_min: 0, w_max: DIEHL_COOK_W_MAX, mode: 'additive' as const,
          },
        } : {}),
      },
      { id: 'exc_inh', source: ids.excitatory, target: ids.inhibitory, connector: pool ? { type: 'all_to_all' } : { type: 'one_to_one' }, weight: 10.4 },
      {
        id: 'inh_exc', source: ids.inhibitory, target: ids.excitatory, receptor: 'inh',
        connector: pool ? { type: 'all_to_all' } : { type: 'explicit', pairs: lateral }, weight: inhibition.weight,
      },
    ],
  };
}
