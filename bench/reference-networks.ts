// The COBA and CUBA benchmark networks (examples/coba.json, cuba.json) at any size and seed, matching bench/brian2/.
import { readFileSync } from 'node:fs';
import type { NetworkSpec } from '../core/spec/schema.ts';
import { parseSpec } from '../core/spec/validate.ts';
import type { Brian2Model } from './brian2-runner.ts';

/** Every neuron receives 80 synapses on average (64 exc + 16 inh), as in the 4000-neuron original. */
const MEAN_IN_DEGREE = 80;

/**
 * The example network rescaled to `neurons` (round(0.8 N) excitatory, p = min(1, 80/N)) with `seed`:
 * the same sizes and probability as bench/brian2/coba.py and cuba.py use for --neurons N.
 */
export function referenceSpec(model: Brian2Model, options: { neurons?: number; seed?: number } = {}): NetworkSpec {
  const json = JSON.parse(readFileSync(new URL(`../examples/${model}.json`, import.meta.url), 'utf8')) as {
    seed: number;
    populations: { id: string; size: number }[];
    projections: { connector: { type: string; p?: number } }[];
  };
  const neurons = options.neurons ?? 4000;
  const exc = Math.round(0.8 * neurons);
  const sizes: Record<string, number> = { exc, inh: neurons - exc };
  for (const pop of json.populations) pop.size = sizes[pop.id]!;
  for (const proj of json.projections) proj.connector.p = Math.min(1, MEAN_IN_DEGREE / neurons);
  if (options.seed !== undefined) json.seed = options.seed;
  return parseSpec(json);
}
