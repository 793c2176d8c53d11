// The named sections of a brain snapshot: which arrays of a compiled network are saved, in canonical order.
//
// Canonical means independent of the partition count: neuron arrays are indexed by global neuron,
// plastic weights by the projection's canonical synapse number. Non-plastic weights are not saved:
// they are regenerated from the spec and seed, which the snapshot's spec hash pins.
import type { CompiledNetwork } from '../compile/types.ts';

export type SectionArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export const DTYPES = ['f32', 'f64', 'i32', 'u8'] as const;
export type Dtype = (typeof DTYPES)[number];

export interface Section {
  name: string;
  /** Reads the network's current values (a copy in canonical order). */
  read(): SectionArray;
  /** Writes values (already checked for type and length) back into the network. */
  write(values: SectionArray): void;
  dtype: Dtype;
  length: number;
}

function direct(name: string, array: SectionArray): Section {
  return {
    name, dtype: dtypeOf(array), length: array.length,
    read: () => array.slice(),
    write: (values) => array.set(values as never),
  };
}

export function dtypeOf(array: SectionArray): Dtype {
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Int32Array) return 'i32';
  return 'u8';
}

/** Every section of a network's state, in a fixed order. */
export function stateSections(net: CompiledNetwork): Section[] {
  const s = net.state;
  const sections: Section[] = [
    direct('neuron.v', s.v),
    direct('neuron.syn_e', s.synE),
    direct('neuron.syn_i', s.synI),
    direct('neuron.u', s.u),
    direct('neuron.theta', s.theta),
    direct('neuron.rate', s.rate),
    direct('neuron.last_spike', s.lastSpike),
    direct('neuron.inject', s.inject),
    direct('synapse.delay_ring', s.ring),
    direct('plasticity.reward', net.reward),
  ];
  for (const p of net.plastic) {
    sections.push({
      name: `plastic.${p.id}.weight`, dtype: 'f32', length: p.count,
      read: () => {
        const out = new Float32Array(p.count);
        for (let c = 0; c < p.count; c++) out[c] = net.partitions[p.locPartition[c]!]!.weight[p.locIndex[c]!]!;
        return out;
      },
      write: (values) => {
        for (let c = 0; c < p.count; c++) net.partitions[p.locPartition[c]!]!.weight[p.locIndex[c]!] = values[c]!;
      },
    });
    sections.push(direct(`plastic.${p.id}.pre_trace`, p.preTrace));
    sections.push(direct(`plastic.${p.id}.post_trace`, p.postTrace));
    if (p.eligibility.length > 0) sections.push(direct(`plastic.${p.id}.eligibility`, p.eligibility));
  }
  return sections;
}
