// The quantized network the loihi backend runs and exports: Lava LIF processes and Dense connections, integer values only.

export type SignMode = 'mixed' | 'excitatory' | 'inhibitory';

/** One Lava LIF process (fixed point): current u, voltage v, one du/dv/vth per process, bias per neuron. */
export interface LoihiLif {
  kind: 'lif';
  id: string;
  /** First global neuron index (the spec's layout). */
  offset: number;
  size: number;
  /** 12-bit unsigned decays; the effective current decay is du + 1 (Lava's ds_offset = 1). */
  du: number;
  dv: number;
  /** 17-bit unsigned threshold; a neuron spikes when v > vth << 6. */
  vth: number;
  /** 13-bit signed mantissa and 3-bit exponent of each neuron's bias: bias = mant · 2^exp. */
  biasMant: Int32Array;
  biasExp: Int32Array;
  /** Initial current and voltage (24-bit). */
  u0: Int32Array;
  v0: Int32Array;
  /** Integer voltage units per mV, and the potential (mV) that v = 0 stands for (the reset potential). */
  unitsPerMv: number;
  zeroMv: number;
  /** u units per nA of synaptic current (after delivery) and the float model's per-step current decay. */
  uPerNa: number;
  synapticDecay: number;
}

/** A spike_source population: spikes come from outside (Lava: a RingBuffer source). */
export interface LoihiInput {
  kind: 'input';
  id: string;
  offset: number;
  size: number;
}

export type LoihiPopulation = LoihiLif | LoihiInput;

/** One Lava Dense process: integer weights (as handed to Lava), shared exponent, sign mode; CSR by source. */
export interface LoihiDense {
  id: string;
  /** Indices into LoihiNetwork.populations. */
  source: number;
  target: number;
  signMode: SignMode;
  weightExp: number;
  numWeightBits: number;
  /** rowPtr[s] .. rowPtr[s+1] index the cells of local source s: local target `column`, integer `weight`. */
  rowPtr: Uint32Array;
  column: Uint32Array;
  weight: Int32Array;
}

export interface LoihiNetwork {
  populations: LoihiPopulation[];
  dense: LoihiDense[];
  neuronCount: number;
}
