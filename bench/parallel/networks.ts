// The benchmark networks at any size: Brian2's COBA and CUBA (examples/*.json) scaled to N neurons with 80 inputs per neuron on average.
import { readFileSync } from 'node:fs';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';

export type BenchModel = 'coba' | 'cuba';

/**
 * examples/<model>.json with N neurons: N_exc = round(0.8 N), N_inh = N − N_exc, every projection
 * fixed_probability with p = min(1, 80/N) — exactly how the Brian2 scripts scale the network.
 */
export function benchSpec(model: BenchModel, neurons: number, seed = 1): NetworkSpec {
  const base = parseSpecJson(readFileSync(new URL(`../../examples/${model}.json`, import.meta.url), 'utf8'));
  const nExc = Math.round(0.8 * neurons);
  const p = Math.min(1, 80 / neurons);
  return {
    ...base,
    name: `${model}-${neurons}`,
    seed,
    populations: base.populations.map((pop) => ({ ...pop, size: pop.id === 'exc' ? nExc : neurons - nExc })),
    projections: base.projections.map((proj) => ({ ...proj, connector: { type: 'fixed_probability', p, allow_self: true } })),
  };
}
