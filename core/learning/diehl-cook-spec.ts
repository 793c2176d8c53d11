// The Diehl & Cook (2015) unsupervised-learning network as a plain NetworkSpec: Poisson pixels → excitatory LIF (STDP) ⇄ inhibitory LIF.
//
//   input  (poisson, one neuron per pixel; rates set per image by the caller through state.rate)
//     │ all_to_all, plastic: pair-based STDP (a₊ = 0.005 on post spikes, a₋ = 0.0001 on pre spikes, τ = 20 ms,
//     │ w ∈ [0, 1]), initial weights uniform(0, 0.3); the caller normalises each neuron's incoming sum (78)
//     ▼
//   exc    (lif_cond, N neurons, τm = 100 ms, adaptive threshold θ: +0.05 mV per spike, τθ = 10⁷ ms)
//     │ all_to_all, 10.4: any excitatory spike fires the inhibitory pool
//     ▼                                  ▲
//   inh    (lif_cond, pool of 1, τm = 10 ms) ── all_to_all, 17.0 (inhibitory) → every excitatory neuron
//
// Units: cm = τm · 1 µS, so the leak conductance is 1 µS and every weight (µS) is Diehl & Cook's
// dimensionless conductance relative to the leak; their parameters carry over unchanged (v_rest −65 mV,
// threshold −52 mV + θ, E_inh −100 mV, refractory 5 ms; inhibitory: v_rest −60, threshold −40, reset −45,
// E_inh −85, refractory 2 ms).
//
// Lateral inhibition goes through a pool instead of their N partner neurons (exc i → inh i → every exc but i).
// With partners, k excitatory neurons firing in one step give every other one k · 17 µS at once; the engine's
// forward-Euler conductance update (v += dt/cm · g · (E − v)) overshoots when dt · g / cm > 2, i.e. for k > 23
// at dt = 0.5 ms, and at N = 400 the first images make hundreds fire together: v swings to ±10⁴ mV, every neuron
// fires at its refractory limit and the network never recovers (measured). A pool bounds the inhibition of one
// step by the pool size, whatever k. The winner is still spared, as with partners: it is refractory (5 ms,
// membrane held) while the pool's 2 ms inhibition is strongest. With N = 100, where partners stay stable, both
// kinds reached the same accuracy (64.9 % vs 63.6 % vote, 70.7 % vs 71.7 % linear, 5,000 training images).
//
// Other differences from their Brian code: pair-based all-to-all STDP traces (they use a nearest-spike pre
// trace and a triplet post term), input delays of one step instead of uniform 0–10 ms, and the rest between
// images replaced by resetting the state it lets decay (network-state.ts).
//
// The excitatory neurons may be split into 2 populations of N/2 (`groups: 2`), ordered
// [exc_0, input, inh, exc_1] so that two equal partitions (2 workers) each own half of them and half of the
// plastic synapses. Group g's neuron i is neuron g · N/2 + i of the whole; nothing else changes.
//
// Local receptive fields (`fields: { size, stride }`, after Saunders et al. 2019, "locally connected SNNs"):
// the image is covered by K square patches (size × size pixels, origins every `stride` pixels, the last row and
// column flush with the edge). Each patch has its own excitatory population (N/K neurons, the remainder going to
// the first patches) fed only by that patch's pixels (an explicit connector, same initial weights and STDP), and
// its own inhibitory pool, so every patch picks its own winner and an image is coded by K winners instead of one
// prototype. Weight normalisation keeps Diehl & Cook's 0.1 per input (Σw = 0.1 · size²). The patch populations
// are ordered [first half, input, inhibitory pools, second half] so that two partitions each own half of the
// plastic synapses (`groups` does not apply).
//
// Their test mode is `{ stdp: false, adaptThreshold: false }`: no plasticity and a frozen θ (θ₊ = 0, no
// decay); `{ stdp: false }` alone keeps θ adapting with STDP off (the untrained control).
import { HasnError } from '../errors.ts';
import type { NetworkSpecInput } from '../spec/schema.ts';

export interface DiehlCookOptions {
  /** Excitatory neurons (even when groups = 2). */
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
  /** Excitatory populations: 1, or 2 halves for two balanced partitions. Default 1. Full field only. */
  groups?: 1 | 2;
  /** Local receptive fields: square patches of the (square) image. Default: every neuron sees the whole image. */
  fields?: ReceptiveFields;
}

/** Square patches of `size` × `size` pixels whose origins are `stride` pixels apart. */
export interface ReceptiveFields {
  size: number;
  stride: number;
}

/** Population and projection ids of the generated spec. */
export interface DiehlCookLayout {
  input: string;
  /** The inhibitory pools: one, or one per receptive field. */
  inhibitory: string[];
  /** The excitatory populations, in neuron order (the order of responses and learned weights). */
  excitatory: string[];
  /** Neurons of each excitatory population, same order. */
  sizes: number[];
  /** The plastic input → excitatory projections, one per excitatory population, same order. */
  learned: string[];
  /** Input pixels (indices into the image) of each excitatory population, same order. */
  fieldPixels: number[][];
}

type LayoutOptions = Pick<DiehlCookOptions, 'neurons' | 'inputs' | 'groups' | 'fields'>;

/** Origins of patches of `size` every `stride` along a side of `side` pixels, the last one flush with the edge. */
function patchOrigins(side: number, size: number, stride: number): number[] {
  const origins: number[] = [];
  for (let o = 0; o + size <= side; o += stride) origins.push(o);
  if (origins[origins.length - 1]! + size < side) origins.push(side - size);
  return origins;
}

export function diehlCookLayout(options: LayoutOptions): DiehlCookLayout {
  const n = options.neurons;
  const inputs = options.inputs ?? 784;
  const fields = options.fields;
  if (fields === undefined) {
    const groups = options.groups ?? 1;
    if (!(Number.isInteger(n) && n >= groups && n % groups === 0)) {
      throw new HasnError('E_LEARNING_NEURONS', `${n} excitatory neurons do not split into ${groups} equal groups`, { path: 'neurons' });
    }
    const excitatory = groups === 1 ? ['exc'] : ['exc_0', 'exc_1'];
    const all = Array.from({ length: inputs }, (_, i) => i);
    return {
      input: 'input', inhibitory: ['inh'], excitatory, sizes: excitatory.map(() => n / groups),
      learned: excitatory.map((e) => `input_${e}`), fieldPixels: excitatory.map(() => all),
    };
  }
  const side = Math.round(Math.sqrt(inputs));
  const { size, stride } = fields;
  if (side * side !== inputs) throw new HasnError('E_LEARNING_FIELDS', `receptive fields need a square image, ${inputs} inputs is not one`, { path: 'inputs' });
  if (!(Number.isInteger(size) && size >= 1 && size <= side)) throw new HasnError('E_LEARNING_FIELDS', `the field size must be a whole number from 1 to ${side}, got ${size}`, { path: 'fields.size' });
  if (!(Number.isInteger(stride) && stride >= 1)) throw new HasnError('E_LEARNING_FIELDS', `the field stride must be a whole number ≥ 1, got ${stride}`, { path: 'fields.stride' });
  const origins = patchOrigins(side, size, stride);
  const k = origins.length * origins.length;
  if (!(Number.isInteger(n) && n >= k)) throw new HasnError('E_LEARNING_NEURONS', `${k} receptive fields need at least ${k} excitatory neurons, got ${n}`, { path: 'neurons' });
  const excitatory: string[] = [];
  const sizes: number[] = [];
  const fieldPixels: number[][] = [];
  for (const row of origins) {
    for (const col of origins) {
      const f = excitatory.length;
      excitatory.push(`exc_f${f}`);
      sizes.push(Math.floor(n / k) + (f < n % k ? 1 : 0));
      const pixels: number[] = [];
      for (let y = row; y < row + size; y++) for (let x = col; x < col + size; x++) pixels.push(y * side + x);
      fieldPixels.push(pixels);
    }
  }
  return {
    input: 'input', inhibitory: excitatory.map((_, f) => `inh_f${f}`), excitatory, sizes,
    learned: excitatory.map((e) => `input_${e}`), fieldPixels,
  };
}

/** The largest weight the STDP rule allows (µS, relative to the 1 µS leak). */
export const DIEHL_COOK_W_MAX = 1;
/** Initial input → exc weights are uniform in [0, this). */
export const DIEHL_COOK_INITIAL_W_MAX = 0.3;
/** Sum of each excitatory neuron's input weights after normalisation (Diehl & Cook: 78 for 784 inputs, i.e. 0.1 per input). */
export function diehlCookWeightTotal(inputs: number): number {
  return 0.1 * inputs;
}

/**
 * Potentiation per post spike per unit of presynaptic trace. Half Diehl & Cook's ν_post = 0.01: our all-to-all
 * pre trace (≈ 0.7 for an average pixel) and pair rule potentiate on every post spike, where their nearest-spike
 * trace (≤ 1) and triplet term (×post₂ < 1) potentiate less. Measured at N = 400 after 10,000 images (2,000 test
 * images): vote 69.9 % with 0.01, 72.2 % with 0.005, 73.0 % with 0.0025; N = 100 after 5,000: 65.5 / 69.0 / 67.6 %.
 */
const POTENTIATION = 0.005;

/** A θ that never changes: no increment, and a time constant whose float32 decay factor is exactly 1. */
const FROZEN_THETA = { theta_plus_mV: 0, tau_theta_ms: 1e12 };

export function diehlCookSpec(options: DiehlCookOptions): NetworkSpecInput {
  const n = options.neurons;
  const inputs = options.inputs ?? 784;
  const dt = options.dtMs ?? 0.5;
  const stdp = options.stdp ?? true;
  const adapt = options.adaptThreshold ?? true;
  const ids = diehlCookLayout(options);
  // Forward-Euler conductance decay is 1 − dt/τ: τ below dt would make it negative.
  const tauE = Math.max(1, dt);
  const tauI = Math.max(2, dt);
  const excitatory = ids.excitatory.map((id, g) => ({
    id, size: ids.sizes[g]!,
    model: {
      type: 'lif_cond' as const, cm_nF: 100, tau_m_ms: 100, v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -52,
      tau_refrac_ms: 5, tau_syn_e_ms: tauE, tau_syn_i_ms: tauI, e_rev_e_mV: 0, e_rev_i_mV: -100,
      threshold_adaptation: adapt ? { theta_plus_mV: 0.05, tau_theta_ms: 1e7 } : FROZEN_THETA,
    },
  }));
  const input = { id: ids.input, size: inputs, model: { type: 'poisson' as const, rate_hz: 0 } };
  const inhibitory = ids.inhibitory.map((id) => ({
    id, size: 1,
    model: {
      type: 'lif_cond' as const, cm_nF: 10, tau_m_ms: 10, v_rest_mV: -60, v_reset_mV: -45, v_thresh_mV: -40,
      tau_refrac_ms: 2, tau_syn_e_ms: tauE, tau_syn_i_ms: tauI, e_rev_e_mV: 0, e_rev_i_mV: -85,
    },
  }));
  // Two partitions split the neuron range in half: the excitatory populations before the input go to the first.
  const populations = excitatory.length === 1
    ? [input, excitatory[0]!, ...inhibitory]
    : [...excitatory.slice(0, halfByNeurons(ids.sizes)), input, ...inhibitory, ...excitatory.slice(halfByNeurons(ids.sizes))];
  const pool = (g: number) => ids.inhibitory[ids.inhibitory.length === 1 ? 0 : g]!;
  return {
    version: 1,
    name: `diehl-cook-${n}`,
    description: `Diehl & Cook (2015) unsupervised STDP network: ${inputs} Poisson inputs, ${n} excitatory neurons`
      + (options.fields === undefined ? ', an inhibitory pool' : ` in ${ids.excitatory.length} receptive fields of ${options.fields.size} × ${options.fields.size} pixels, an inhibitory pool each`),
    dt_ms: dt,
    seed: options.seed ?? 1,
    populations,
    projections: ids.excitatory.flatMap((exc, g) => [
      {
        id: ids.learned[g]!, source: ids.input, target: exc,
        connector: options.fields === undefined
          ? { type: 'all_to_all' as const }
          : { type: 'explicit' as const, pairs: ids.fieldPixels[g]!.flatMap((pixel) => Array.from({ length: ids.sizes[g]! }, (_, t): [number, number] => [pixel, t])) },
        weight: { dist: 'uniform' as const, low: 0, high: DIEHL_COOK_INITIAL_W_MAX },
        ...(stdp ? {
          plasticity: {
            rule: 'stdp' as const, tau_plus_ms: 20, tau_minus_ms: 20, a_plus: POTENTIATION, a_minus: 0.0001,
            w_min: 0, w_max: DIEHL_COOK_W_MAX, mode: 'additive' as const,
          },
        } : {}),
      },
      { id: `${exc}_inh`, source: exc, target: pool(g), connector: { type: 'all_to_all' as const }, weight: 10.4 },
      { id: `inh_${exc}`, source: pool(g), target: exc, receptor: 'inh' as const, connector: { type: 'all_to_all' as const }, weight: 17 },
    ]),
  };
}

/** How many leading populations hold the first half of the neurons (as near as whole populations allow). */
function halfByNeurons(sizes: readonly number[]): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestGap = Infinity;
  let sum = 0;
  for (let i = 0; i <= sizes.length; i++) {
    const gap = Math.abs(2 * sum - total);
    if (gap < bestGap) {
      best = i;
      bestGap = gap;
    }
    sum += sizes[i] ?? 0;
  }
  return best;
}
