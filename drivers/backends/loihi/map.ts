// Places the LIF neurons of a quantized network on Loihi cores under per-core and per-chip limits; reports cores and chips.
//
// Greedy, in global neuron order: a core takes neurons until one more would exceed its neuron count,
// its input axons (distinct presynaptic neurons with a synapse onto the core) or its synaptic memory.
// If a core then needs more output axons than it has, the placement is redone with half as many neurons
// per core (fewer sources per core), down to one neuron per core; what still does not fit is reported.
// Synaptic memory is an estimate: each synapse costs its weight bits plus the bits to address a
// neuron of the core (a sparse encoding); Intel does not publish the exact packing. Output axons
// (distinct (source neuron, destination core) pairs leaving a core) are counted after placement.
// spike_source populations are host inputs, not neurons on cores; their spikes use input axons.
import type { Violation } from '../types.ts';
import type { LoihiNetwork } from './network.ts';

export interface ChipProfile {
  name: 'loihi1' | 'loihi2';
  neuronsPerCore: number;
  /** Input axons per core; Infinity where we know of no separate limit. */
  inputAxonsPerCore: number;
  outputAxonsPerCore: number;
  synapseBitsPerCore: number;
  coresPerChip: number;
}

/** Loihi 1: 1024 neurons, 4096 input and 4096 output axons, ~1 Mbit of synaptic memory per core; 128 cores per chip. */
export const LOIHI1: ChipProfile = {
  name: 'loihi1', neuronsPerCore: 1024, inputAxonsPerCore: 4096, outputAxonsPerCore: 4096, synapseBitsPerCore: 1 << 20, coresPerChip: 128,
};

/** Loihi 2: up to 8192 neurons per core (state-dependent), ~120 M synapses per 128-core chip (≈ 0.94 M per core at 8 bits). */
export const LOIHI2: ChipProfile = {
  name: 'loihi2', neuronsPerCore: 8192, inputAxonsPerCore: Infinity, outputAxonsPerCore: Infinity,
  synapseBitsPerCore: Math.floor((120e6 / 128) * 8), coresPerChip: 128,
};

export interface CoreMapping {
  profile: ChipProfile['name'];
  /** Core of each global neuron, −1 for host inputs. */
  coreOf: Int32Array;
  cores: number;
  chips: number;
  /** Largest use of each per-core resource over all cores. */
  peak: { neurons: number; inputAxons: number; outputAxons: number; synapseBits: number };
  issues: Violation[];
}

export function mapToCores(net: LoihiNetwork, profile: ChipProfile): CoreMapping {
  const incoming = globalCsr(net, 'in');
  const outgoing = globalCsr(net, 'out');
  let cap = profile.neuronsPerCore;
  for (;;) {
    const mapping = place(net, profile, cap, incoming, outgoing);
    const fanOut = mapping.issues.some((i) => i.code === 'E_LOIHI_FANOUT_TOO_LARGE');
    if (!fanOut || cap === 1) return mapping;
    cap = Math.max(1, Math.floor(cap / 2));
  }
}

type Csr = ReturnType<typeof globalCsr>;

function place(net: LoihiNetwork, profile: ChipProfile, cap: number, incoming: Csr, outgoing: Csr): CoreMapping {
  const issues: Violation[] = [];
  const n = net.neuronCount;
  const coreOf = new Int32Array(n).fill(-1);
  const isLif = new Uint8Array(n);
  for (const pop of net.populations) if (pop.kind === 'lif') isLif.fill(1, pop.offset, pop.offset + pop.size);

  const indexBits = Math.ceil(Math.log2(profile.neuronsPerCore));
  const onCore = new Int32Array(n).fill(-1);
  const forNeuron = new Int32Array(n).fill(-1);
  const peak = { neurons: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0 };
  let core = -1;
  let neurons = 0;
  let axons = 0;
  let bits = 0;
  /** Distinct sources of neuron i not yet seen on the current core. */
  const newSources = (i: number): number => {
    let count = 0;
    for (let k = incoming.ptr[i]!; k < incoming.ptr[i + 1]!; k++) {
      const src = incoming.other[k]!;
      if (onCore[src] !== core && forNeuron[src] !== i) count++;
      forNeuron[src] = i;
    }
    for (let k = incoming.ptr[i]!; k < incoming.ptr[i + 1]!; k++) forNeuron[incoming.other[k]!] = -1;
    return count;
  };
  for (let i = 0; i < n; i++) {
    if (isLif[i] === 0) continue;
    let newBits = 0;
    for (let k = incoming.ptr[i]!; k < incoming.ptr[i + 1]!; k++) newBits += incoming.bits[k]! + indexBits;
    let newAxons = core < 0 ? 0 : newSources(i);
    const fits = core >= 0 && neurons < cap && axons + newAxons <= profile.inputAxonsPerCore && bits + newBits <= profile.synapseBitsPerCore;
    if (!fits) {
      core++;
      neurons = 0;
      axons = 0;
      bits = 0;
      newAxons = newSources(i);
      if (newAxons > profile.inputAxonsPerCore || newBits > profile.synapseBitsPerCore) {
        issues.push({
          code: 'E_LOIHI_FANIN_TOO_LARGE', path: `neurons[${i}]`,
          message: `neuron ${i} alone needs ${newAxons} input axons and ${newBits} bits of synaptic memory; a ${profile.name} core has ${profile.inputAxonsPerCore} and ${profile.synapseBitsPerCore}`,
        });
      }
    }
    for (let k = incoming.ptr[i]!; k < incoming.ptr[i + 1]!; k++) onCore[incoming.other[k]!] = core;
    coreOf[i] = core;
    neurons++;
    axons += newAxons;
    bits += newBits;
    peak.neurons = Math.max(peak.neurons, neurons);
    peak.inputAxons = Math.max(peak.inputAxons, axons);
    peak.synapseBits = Math.max(peak.synapseBits, bits);
  }
  const cores = core + 1;

  // Output axons: a neuron on a core needs one per distinct destination core of its synapses.
  const outAxons = new Float64Array(cores);
  const lastSource = new Int32Array(cores).fill(-1);
  for (let s = 0; s < n; s++) {
    const home = coreOf[s]!;
    if (home < 0) continue;
    for (let k = outgoing.ptr[s]!; k < outgoing.ptr[s + 1]!; k++) {
      const dest = coreOf[outgoing.other[k]!]!;
      if (lastSource[dest] !== s) {
        lastSource[dest] = s;
        outAxons[home]!++;
      }
    }
  }
  outAxons.forEach((count, c) => {
    peak.outputAxons = Math.max(peak.outputAxons, count);
    if (count > profile.outputAxonsPerCore) {
      issues.push({
        code: 'E_LOIHI_FANOUT_TOO_LARGE', path: `cores[${c}]`,
        message: `core ${c} needs ${count} output axons; a ${profile.name} core has ${profile.outputAxonsPerCore}`,
      });
    }
  });
  return { profile: profile.name, coreOf, cores, chips: Math.ceil(cores / profile.coresPerChip), peak, issues };
}

/** All cells of all Dense processes by global target ('in': other = source) or by global source ('out': other = target). */
function globalCsr(net: LoihiNetwork, by: 'in' | 'out'): { ptr: Uint32Array; other: Uint32Array; bits: Uint8Array } {
  const n = net.neuronCount;
  const ptr = new Uint32Array(n + 1);
  const each = (visit: (source: number, target: number, bits: number) => void): void => {
    for (const d of net.dense) {
      const src = net.populations[d.source]!;
      const tgt = net.populations[d.target]!;
      for (let s = 0; s < src.size; s++) {
        for (let c = d.rowPtr[s]!; c < d.rowPtr[s + 1]!; c++) visit(src.offset + s, tgt.offset + d.column[c]!, d.numWeightBits);
      }
    }
  };
  each((s, t) => { ptr[(by === 'in' ? t : s) + 1]!++; });
  for (let i = 1; i <= n; i++) ptr[i]! += ptr[i - 1]!;
  const other = new Uint32Array(ptr[n]!);
  const bits = new Uint8Array(ptr[n]!);
  const cursor = ptr.slice(0, n);
  each((s, t, b) => {
    const at = cursor[by === 'in' ? t : s]!++;
    other[at] = by === 'in' ? s : t;
    bits[at] = b;
  });
  return { ptr, other, bits };
}
