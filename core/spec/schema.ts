// The network spec, version 1: one zod schema that is the single source of truth for a network.
import { z } from 'zod';

/** A value given directly, or drawn per element from a seeded distribution. */
export const Distribution = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: z.number() }),
  z.strictObject({ dist: z.literal('uniform'), low: z.number(), high: z.number() }),
  z.strictObject({ dist: z.literal('normal'), mean: z.number(), sd: z.number().nonnegative() }),
  z.strictObject({
    dist: z.literal('normal_clipped'),
    mean: z.number(),
    sd: z.number().nonnegative(),
    low: z.number(),
    high: z.number(),
  }),
  z.strictObject({ dist: z.literal('exponential'), mean: z.number().positive() }),
]);
export type Distribution = z.infer<typeof Distribution>;

/** A number or a distribution; plain numbers are constants. */
export const Value = z.union([z.number(), Distribution]);
export type Value = z.infer<typeof Value>;

const positive = z.number().positive();
const finite = z.number();

/** Optional homeostatic threshold adaptation (Diehl & Cook 2015): θ += θ₊ per spike, decays with τ_θ. */
export const ThresholdAdaptation = z.strictObject({
  theta_plus_mV: z.number().nonnegative(),
  tau_theta_ms: positive,
});

/** Current-based LIF with exponential synaptic currents, integrated exactly (PyNN IF_curr_exp; Brian2 CUBA). */
export const LifModel = z.strictObject({
  type: z.literal('lif'),
  cm_nF: positive.default(1),
  tau_m_ms: positive.default(20),
  v_rest_mV: finite.default(-65),
  v_reset_mV: finite.default(-65),
  v_thresh_mV: finite.default(-50),
  tau_refrac_ms: z.number().nonnegative().default(0),
  tau_syn_e_ms: positive.default(5),
  tau_syn_i_ms: positive.default(5),
  i_offset_nA: finite.default(0),
  threshold_adaptation: ThresholdAdaptation.optional(),
});

/** Conductance-based LIF with exponential conductances, forward Euler (PyNN IF_cond_exp; Brian2 COBA). */
export const LifCondModel = z.strictObject({
  type: z.literal('lif_cond'),
  cm_nF: positive.default(0.2),
  tau_m_ms: positive.default(20),
  v_rest_mV: finite.default(-60),
  v_reset_mV: finite.default(-60),
  v_thresh_mV: finite.default(-50),
  tau_refrac_ms: z.number().nonnegative().default(5),
  tau_syn_e_ms: positive.default(5),
  tau_syn_i_ms: positive.default(10),
  e_rev_e_mV: finite.default(0),
  e_rev_i_mV: finite.default(-80),
  i_offset_nA: finite.default(0),
  threshold_adaptation: ThresholdAdaptation.optional(),
});

/** Izhikevich (2003) with exponential synaptic currents in the model's native current units; forward Euler. */
export const IzhikevichModel = z.strictObject({
  type: z.literal('izhikevich'),
  a: finite.default(0.02),
  b: finite.default(0.2),
  c_mV: finite.default(-65),
  d: finite.default(8),
  v_peak_mV: finite.default(30),
  tau_syn_e_ms: positive.default(1),
  tau_syn_i_ms: positive.default(1),
  i_offset: finite.default(0),
});

/** Independent Poisson spike source with a fixed rate (drawn per neuron if a distribution). */
export const PoissonModel = z.strictObject({
  type: z.literal('poisson'),
  rate_hz: z.union([z.number().nonnegative(), Distribution]),
});

/** A source whose spikes come from outside: an input encoder or the API. */
export const SpikeSourceModel = z.strictObject({ type: z.literal('spike_source') });

export const NeuronModel = z.discriminatedUnion('type', [
  LifModel,
  LifCondModel,
  IzhikevichModel,
  PoissonModel,
  SpikeSourceModel,
]);
export type NeuronModel = z.infer<typeof NeuronModel>;
export type NeuronModelType = NeuronModel['type'];

export const Population = z.strictObject({
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'an identifier: letters, digits, _ . -'),
  size: z.number().int().positive().max(50_000_000),
  model: NeuronModel,
  /** Initial state per variable name (`v_mV`, `ge_uS`, `gi_uS`, `ie_nA`, `ii_nA`, `u`). */
  initial: z.record(z.string(), Value).default({}),
  module: z.string().optional(),
  description: z.string().optional(),
});
export type Population = z.infer<typeof Population>;

export const Connector = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all_to_all'), allow_self: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('one_to_one') }),
  z.strictObject({
    type: z.literal('fixed_probability'),
    p: z.number().min(0).max(1),
    allow_self: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('fixed_indegree'),
    n: z.number().int().nonnegative(),
    allow_self: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('explicit'),
    /** [source, target] or [source, target, weight] or [source, target, weight, delay_ms]. */
    pairs: z.array(z.union([
      z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
      z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number()]),
      z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number(), z.number()]),
    ])),
  }),
]);
export type Connector = z.infer<typeof Connector>;

/** Pair-based STDP with exponential traces. Weight change per pair: +a_plus·e^(−Δt/τ₊) or −a_minus·e^(Δt/τ₋). */
export const StdpRule = z.strictObject({
  rule: z.literal('stdp'),
  tau_plus_ms: positive.default(20),
  tau_minus_ms: positive.default(20),
  a_plus: z.number().nonnegative().default(0.01),
  a_minus: z.number().nonnegative().default(0.012),
  w_min: z.number().default(0),
  w_max: z.number().default(1),
  /** additive: Δw = ±a·trace; multiplicative: potentiation ∝ (w_max − w), depression ∝ (w − w_min). */
  mode: z.enum(['additive', 'multiplicative']).default('additive'),
});

/** Reward-modulated STDP: STDP pairs feed an eligibility trace; reward (dopamine-like, decaying) turns it into weight change. */
export const RewardStdpRule = z.strictObject({
  rule: z.literal('reward_stdp'),
  tau_plus_ms: positive.default(20),
  tau_minus_ms: positive.default(20),
  a_plus: z.number().nonnegative().default(1),
  a_minus: z.number().nonnegative().default(1),
  w_min: z.number().default(0),
  w_max: z.number().default(1),
  tau_eligibility_ms: positive.default(1000),
  tau_reward_ms: positive.default(200),
  learning_rate: z.number().nonnegative().default(0.01),
});

export const PlasticityRule = z.discriminatedUnion('rule', [StdpRule, RewardStdpRule]);
export type PlasticityRule = z.infer<typeof PlasticityRule>;

export const Projection = z.strictObject({
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'an identifier: letters, digits, _ . -'),
  source: z.string(),
  target: z.string(),
  connector: Connector,
  /** Non-negative magnitude: nA for current-based targets, µS for conductance-based ones. */
  weight: Value,
  /** Axonal delay; at least one time step (the NEST/PyNN convention). Defaults to dt. */
  delay_ms: Value.optional(),
  receptor: z.enum(['exc', 'inh']).default('exc'),
  plasticity: PlasticityRule.optional(),
});
export type Projection = z.infer<typeof Projection>;

export const Encoder = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rate'), max_rate_hz: positive, min: z.number().default(0), max: z.number().default(1) }),
  z.strictObject({ type: z.literal('latency'), window_ms: positive, min: z.number().default(0), max: z.number().default(1) }),
  z.strictObject({ type: z.literal('delta'), threshold: positive }),
  z.strictObject({
    type: z.literal('population'),
    min: z.number(),
    max: z.number(),
    max_rate_hz: positive,
    sigma: positive.optional(),
  }),
]);
export type Encoder = z.infer<typeof Encoder>;

export const Decoder = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rate'), window_ms: positive }),
  z.strictObject({ type: z.literal('first_spike'), window_ms: positive }),
  z.strictObject({ type: z.literal('population_vector'), window_ms: positive, min: z.number(), max: z.number() }),
  z.strictObject({ type: z.literal('winner_take_all'), window_ms: positive, min_spikes: z.number().int().nonnegative().default(1) }),
]);
export type Decoder = z.infer<typeof Decoder>;

/** A sensor channel feeding a spike_source population through an encoder. */
export const Input = z.strictObject({
  id: z.string(),
  population: z.string(),
  channel: z.string(),
  encoder: Encoder,
});

/** A population's activity decoded into a value that drives an actuator or topic. */
export const Output = z.strictObject({
  id: z.string(),
  population: z.string(),
  sink: z.string(),
  decoder: Decoder,
});

export const NetworkSpec = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  dt_ms: positive.max(10).default(0.1),
  seed: z.number().int().nonnegative().max(0xffffffff).default(0),
  populations: z.array(Population).min(1),
  projections: z.array(Projection).default([]),
  inputs: z.array(Input).default([]),
  outputs: z.array(Output).default([]),
  /** Named groups of populations (e.g. sensory, memory, executive, motor), for display and mapping. */
  modules: z.record(z.string(), z.strictObject({ description: z.string().optional() })).default({}),
});
/** A spec as written by a user (defaults may be omitted). */
export type NetworkSpecInput = z.input<typeof NetworkSpec>;
/** A validated spec with every default filled in. */
export type NetworkSpec = z.infer<typeof NetworkSpec>;
export type LifParams = z.infer<typeof LifModel>;
export type LifCondParams = z.infer<typeof LifCondModel>;
export type IzhikevichParams = z.infer<typeof IzhikevichModel>;
