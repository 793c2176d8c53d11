// The compiled form of a network: struct-of-arrays neuron state and CSR synapse blocks, all in one shared memory block.
//
// Memory (see `memoryFootprint` in footprint.ts for the exact sum of a network):
//   per neuron   29 B of state (v, synE, synI, u, theta, rate f32; lastSpike i32; inject u8)
//              + 8 B per ring slot (exc + inh input waiting; maxDelay slots, none when every delay is 1 step)
//              + 4–8 B of spike log (per partition, capacity its neurons + max(its neurons, 2¹⁸): at least 1 MiB)
//   per synapse  4 B target column (u32)
//              + 4 B weight (f32) only in projections whose weights differ (drawn, explicit or plastic)
//              + 1 B delay (u8) only in projections whose delays differ
//              + per partition and projection a row pointer per source neuron (4 B × source size)
// A COBA-style network (constant weight and delay per projection) thus needs 4 B per synapse.
import type { NetworkSpec, PlasticityRule } from '../spec/schema.ts';
import type { Arena } from './arena.ts';
import type { PopulationLayout } from './layout.ts';

/** Neuron state, one entry per global neuron index (struct of arrays, float32). */
export interface NeuronState {
  /** Membrane potential (mV). */
  readonly v: Float32Array;
  /** Excitatory synaptic variable: current (nA) for lif, conductance (µS) for lif_cond, native current for izhikevich. */
  readonly synE: Float32Array;
  /** Inhibitory synaptic variable, a non-negative magnitude (its sign is applied by the model). */
  readonly synI: Float32Array;
  /** synE then synI in one array of 2N: a synapse's column (receptor · N + target) indexes it directly. */
  readonly syn: Float32Array;
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
   * Synaptic input with a delay of 2 steps or more, waiting to be delivered: `ringSlots` slots of 2N
   * floats (exc block, then inh block), input for step n in slot n % ringSlots. Input with a delay
   * of one step is added straight into `syn` when the spike propagates (after the step's update),
   * so it takes effect in the next step's update, like delivery from the ring. Empty (0 slots) when
   * every delay is one step.
   */
  readonly ring: Float32Array;
  readonly ringSlots: number;
}

/**
 * The synapses of one projection that end in one partition, in CSR by local source index.
 * Synapse j (rowPtr[s] ≤ j < rowPtr[s + 1]) is column `partition.target[j]`.
 */
export interface SynapseBlock {
  /** Index of the projection in `spec.projections`. */
  readonly projection: number;
  /** Global index of the first source neuron and the source population's size. */
  readonly sourceOffset: number;
  readonly sourceSize: number;
  /** rowPtr[s] .. rowPtr[s+1] are local source s's synapses, as indices into the partition's arrays; length sourceSize + 1. */
  readonly rowPtr: Uint32Array;
  /** 0 = excitatory, 1 = inhibitory. */
  readonly receptor: 0 | 1;
  /** The weight of every synapse of the block, or null when each has its own: `partition.weight[j + weightShift]`. */
  readonly weightConstant: number | null;
  readonly weightShift: number;
  /** The delay (steps ≥ 1) of every synapse, or 0 when each has its own: `partition.delay[j + delayShift]`. */
  readonly delayConstant: number;
  readonly delayShift: number;
}

/** The synapses ending in one contiguous range of target neurons: one block per projection, in projection order. */
export interface Partition {
  readonly index: number;
  readonly targetStart: number;
  readonly targetEnd: number;
  readonly blocks: readonly SynapseBlock[];
  /** Per synapse: receptor · N + global target index, the synapse's column in `syn` and in a ring slot. */
  readonly target: Uint32Array;
  /** Per-synapse weights of the blocks that have them (block after block). */
  readonly weight: Float32Array;
  /** Per-synapse delays in steps (≥ 1) of the blocks that have them. */
  readonly delay: Uint8Array;
  /**
   * Where the engine writes this partition's spikes, step after step, during a batch of steps
   * (capacity ≥ 2 × the partition's neurons, so a batch always fits at least one more step).
   */
  readonly spikeLog: Uint32Array;
}

/** Per-partition index of one plastic projection's synapses (its block in that partition). */
export interface PlasticIndex {
  /** Incoming synapses by local target: inPtr[t] .. inPtr[t+1] index inSyn (weight index in the partition) and inSource (local source). */
  readonly inPtr: Uint32Array;
  readonly inSyn: Uint32Array;
  readonly inSource: Uint32Array;
  /** Canonical synapse number of each incoming entry (for per-synapse state kept in canonical order). */
  readonly inCanonical: Uint32Array;
  /** Canonical synapse number of each synapse of the block, in block (CSR) order. */
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
  /** Where canonical synapse c lives: partition, and index in that partition's `weight`. */
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
  /** The one memory block every array above is a view of. */
  readonly arena: Arena;
}
