// How many bytes a compiled network occupies, split into neuron state, synapses and learning state (all inside its arena).
import type { CompiledNetwork } from './types.ts';

export interface MemoryFootprint {
  /** The whole arena (what the network adds to the process's memory). */
  totalBytes: number;
  /** Neuron state, ring and spike logs. */
  neuronBytes: number;
  /** Target columns, per-synapse weights and delays, row pointers. */
  synapseBytes: number;
  /** Traces, eligibility, plastic indexes, synapse locations. */
  plasticBytes: number;
  bytesPerNeuron: number;
  bytesPerSynapse: number;
}

export function memoryFootprint(net: CompiledNetwork): MemoryFootprint {
  const s = net.state;
  let neuronBytes = 0;
  for (const a of [s.v, s.syn, s.u, s.theta, s.rate, s.lastSpike, s.inject, s.ring]) neuronBytes += a.byteLength;
  let synapseBytes = 0;
  for (const part of net.partitions) {
    neuronBytes += part.spikeLog.byteLength;
    synapseBytes += part.target.byteLength + part.weight.byteLength + part.delay.byteLength;
    for (const block of part.blocks) synapseBytes += block.rowPtr.byteLength;
  }
  let plasticBytes = 0;
  for (const p of net.plastic) {
    for (const a of [p.preTrace, p.postTrace, p.eligibility, p.locPartition, p.locIndex]) plasticBytes += a.byteLength;
    for (const ix of p.perPartition) for (const a of [ix.inPtr, ix.inSyn, ix.inSource, ix.inCanonical, ix.outCanonical]) plasticBytes += a.byteLength;
  }
  return {
    totalBytes: net.arena.byteLength, neuronBytes, synapseBytes, plasticBytes,
    bytesPerNeuron: neuronBytes / Math.max(1, net.neuronCount),
    bytesPerSynapse: synapseBytes / Math.max(1, net.synapseCount),
  };
}
