// What a brain has learned, read out of its plastic projections: weight summaries and the weights themselves.
import { forEachCompiledSynapse } from '../../core/compile/synapse-reader.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { HasnError } from '../../core/errors.ts';

export interface WeightStats {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export interface PlasticProjectionSummary {
  id: string;
  rule: 'stdp' | 'reward_stdp';
  source: string;
  target: string;
  synapses: number;
  w_min: number;
  w_max: number;
  /** reward_stdp: the current reward level (decays with tau_reward_ms); null for plain STDP. */
  reward_level: number | null;
  weight: WeightStats;
  /** Per target neuron, its incoming weights (only for targets of at most BY_TARGET_LIMIT neurons, e.g. motor neurons). */
  by_target: ({ neuron: number } & WeightStats)[] | null;
}

export interface ProjectionWeights {
  projection: string;
  source: string;
  target: string;
  synapses: number;
  /** True when only the first `limit` synapses are listed. */
  truncated: boolean;
  /** Parallel arrays, one entry per synapse: local source neuron, local target neuron, weight. */
  pre: number[];
  post: number[];
  weight: number[];
}

const BY_TARGET_LIMIT = 64;

class Accumulator {
  n = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;
  add(w: number): void {
    this.n++;
    this.sum += w;
    this.sumSq += w * w;
    if (w < this.min) this.min = w;
    if (w > this.max) this.max = w;
  }
  stats(): WeightStats {
    if (this.n === 0) return { mean: 0, sd: 0, min: 0, max: 0 };
    const mean = this.sum / this.n;
    return { mean, sd: Math.sqrt(Math.max(0, this.sumSq / this.n - mean * mean)), min: this.min, max: this.max };
  }
}

function plasticIndex(net: CompiledNetwork, id: string): number {
  const k = net.plastic.findIndex((p) => p.id === id);
  if (k === -1) throw new HasnError('E_BRAIN_UNKNOWN_PROJECTION', `no plastic projection "${id}" in brain "${net.spec.name}" (plastic: ${net.plastic.map((p) => p.id).join(', ') || 'none'})`, { path: 'id' });
  return k;
}

/** Weight statistics of every plastic projection. */
export function plasticSummaries(net: CompiledNetwork): PlasticProjectionSummary[] {
  return net.plastic.map((p, k) => {
    const all = new Accumulator();
    const perTarget = p.target.size <= BY_TARGET_LIMIT ? Array.from({ length: p.target.size }, () => new Accumulator()) : null;
    forEachCompiledSynapse(net, p.projectionIndex, (_source, target, weight) => {
      all.add(weight);
      perTarget?.[target]!.add(weight);
    });
    return {
      id: p.id,
      rule: p.rule.rule,
      source: p.source.id,
      target: p.target.id,
      synapses: p.count,
      w_min: p.rule.w_min,
      w_max: p.rule.w_max,
      reward_level: p.rule.rule === 'reward_stdp' ? net.reward[k]! : null,
      weight: all.stats(),
      by_target: perTarget?.map((acc, neuron) => ({ neuron, ...acc.stats() })) ?? null,
    };
  });
}

/** The weights of one plastic projection (E_BRAIN_UNKNOWN_PROJECTION if there is none by that id). */
export function projectionWeights(net: CompiledNetwork, id: string, limit: number): ProjectionWeights {
  const p = net.plastic[plasticIndex(net, id)]!;
  const pre: number[] = [];
  const post: number[] = [];
  const weight: number[] = [];
  forEachCompiledSynapse(net, p.projectionIndex, (source, target, w) => {
    if (pre.length >= limit) return;
    pre.push(source);
    post.push(target);
    weight.push(w);
  });
  return { projection: p.id, source: p.source.id, target: p.target.id, synapses: p.count, truncated: p.count > limit, pre, post, weight };
}
