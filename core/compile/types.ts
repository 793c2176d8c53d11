// The compiled form of a network: struct-of-arrays neuron state and CSR synapses in shared memory.
import type { NetworkSpec, PlasticityRule } from '../spec/schema.ts';
import type { PopulationLayout } from './layout.ts';

/** Neuron state, one entry per global neuron index (struct of arrays, float32). */
export interface NeuronState {
  /** Membrane potential (mV). */
  readonly v: Float32Array;
  /** Excitatory synaptic variable: current (nA) for lif, conductance (µS) for lif_cond, native current for izhikevich. */
  readonly synE: Float32Array;
  /** Inhibitory synaptic variable, a non-negative magnitude (its sign is applied by the model). */
  readonly synI: Float32Array;
  /** Izhikevich recovery variable. */
  readonly u: Float32Array;
  /** Homeostatic threshold offset θ (mV) for populations with threshold adaptation. */
  readonly theta: Float32Array;
  /** Poisson rate (Hz) per neuron (0 elsewhere). */
  readonly rate: Float32Array;
  /** Step of the last spike; a large negative number before the first. */
  readonly lastSpike: Int32Array;
  /** 1 where a spike_source neuron is told to fire in the coming step. */
  readonly inject: Uint8Array;
  /**
   * Synaptic input waiting to be delivered: `ringSlots` slots of 2N floats (exc block, then inh block).
   * Input for step n sits in slot n % ringSlots.
   */
  readonly ring: Float32Array;
  readonly ringSlots: number;
}

/** The synapses ending in one contiguous range of target neurons, in CSR by global source index. */
export interface Partition {
  readonly index: number;
  readonly targetStart: number;
  readonly targetEnd: number;
  /** rowPtr[s] .. rowPtr[s+1] are the synapses of source s; length N + 1. */
  readonly rowPtr: Uint32Array;
  /** receptor · N + global target index (receptor 0 = exc, 1 = inh): the synapse's column in a ring slot. */
  readonly target: Uint32Array;
  readonly weight: Float32Array;
  /** Delay in steps, ≥ 1. */
  readonly delay: Uint8Array;
}

/** Per-partition indexes of one plastic projection's synapses. */
export interface PlasticIndex {
  /** Incoming synapses by local target: inPtr[t] .. inPtr[t+1] index inSyn (partition synapse index) and inSource (local source). */
  readonly inPtr: Uint32Array;
  readonly inSyn: Uint32Array;
  readonly inSource: Uint32Array;
  /** Outgoing synapses by local source: outPtr[s] .. outPtr[s+1] index outSyn and outTarget (local target). */
  readonly outPtr: Uint32Array;
  readonly outSyn: Uint32Array;
  readonly outTarget: Uint32Array;
  /** Canonical synapse number of each incoming entry (for per-synapse state kept in canonical order). */
  readonly inCanonical: Uint32Array;
  readonly outCanonical: Uint32Array;
}

export interface PlasticProjection {
  readonly projectionIndex: number;
  readonly id: string;
  readonly rule: PlasticityRule;
  readonly source: PopulationLayout;
  readonly target: PopulationLayout;
  readonly count: number;
  /** exp(−dt/τ₊), exp(−dt/τ₋) and, for reward_stdp, exp(−dt/τ_e), exp(−dt/τ_r). */
  readonly decayPlus: number;
  readonly decayMinus: number;
  readonly decayEligibility: number;
  readonly decayReward: number;
  /** Presynaptic trace per source neuron, postsynaptic trace per target neuron. */
  readonly preTrace: Float32Array;
  readonly postTrace: Float32Array;
  /** Eligibility per synapse in canonical order (reward_stdp only; empty otherwise). */
  readonly eligibility: Float32Array;
  /** Where canonical synapse c lives: partition and index in it. */
  readonly locPartition: Uint8Array;
  readonly locIndex: Uint32Array;
  readonly perPartition: readonly PlasticIndex[];
}

export interface CompiledNetwork {
  readonly spec: NetworkSpec;
  readonly specHash: string;
  readonly dt: number;
  readonly seed: number;
  readonly neuronCount: number;
  readonly synapseCount: number;
  readonly populations: readonly PopulationLayout[];
  readonly state: NeuronState;
  readonly partitions: readonly Partition[];
  readonly plastic: readonly PlasticProjection[];
  /** Global reward level per reward_stdp projection (dopamine-like, decays with τ_r). */
  readonly reward: Float64Array;
  /** Largest delay in steps. */
  readonly maxDelay: number;
}
