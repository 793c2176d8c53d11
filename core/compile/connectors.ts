// Expands a projection's connector into (source, target) pairs in a fixed canonical order, deterministically from the seed.
//
// The order of the visits is the projection's canonical synapse order: synapse c of a projection is
// the c-th visit, whatever the number of partitions. Every random draw is keyed by the source (or
// target) index and a per-key counter, so a generator can be run twice (count, then fill) and gives
// the same pairs both times.
import { uniform53 } from '../random.ts';
import type { Connector } from '../spec/schema.ts';

/** Called once per synapse with local source and target indices and, for explicit pairs, the pair index. */
export type SynapseVisitor = (source: number, target: number, pairIndex: number) => void;

export interface ConnectorContext {
  seed: number;
  /** Stream id of this projection's connectivity draws. */
  stream: number;
  sourceSize: number;
  targetSize: number;
  /** Source and target are the same population (self-connections are then meaningful). */
  samePopulation: boolean;
  /** Scratch space of at least `sourceSize` entries, zero-filled, for fixed_indegree's distinctness check. */
  scratch?: Uint32Array;
}

export function forEachSynapse(connector: Connector, ctx: ConnectorContext, visit: SynapseVisitor): void {
  switch (connector.type) {
    case 'all_to_all':
      return allToAll(ctx, connector.allow_self || !ctx.samePopulation, visit);
    case 'one_to_one':
      for (let i = 0; i < ctx.sourceSize; i++) visit(i, i, -1);
      return;
    case 'fixed_probability':
      return fixedProbability(ctx, connector.p, connector.allow_self || !ctx.samePopulation, visit);
    case 'fixed_indegree':
      return fixedIndegree(ctx, connector.n, connector.allow_self || !ctx.samePopulation, visit);
    case 'explicit':
      connector.pairs.forEach((pair, k) => visit(pair[0], pair[1], k));
      return;
  }
}

function allToAll(ctx: ConnectorContext, allowSelf: boolean, visit: SynapseVisitor): void {
  for (let s = 0; s < ctx.sourceSize; s++) {
    for (let t = 0; t < ctx.targetSize; t++) {
      if (allowSelf || s !== t) visit(s, t, -1);
    }
  }
}

/** Independent Bernoulli(p) per ordered pair, by geometric skipping over the targets of each source (O(synapses), not O(N²)). */
function fixedProbability(ctx: ConnectorContext, p: number, allowSelf: boolean, visit: SynapseVisitor): void {
  if (p <= 0) return;
  if (p >= 1) return allToAll(ctx, allowSelf, visit);
  const logQ = Math.log(1 - p);
  for (let s = 0; s < ctx.sourceSize; s++) {
    let t = -1;
    let k = 0;
    for (;;) {
      const u = uniform53(ctx.seed, ctx.stream, s, k++);
      t += 1 + Math.floor(Math.log(1 - u) / logQ);
      if (t >= ctx.targetSize) break;
      if (allowSelf || s !== t) visit(s, t, -1);
    }
  }
}

/** Exactly n distinct sources per target (Floyd's sampling), without replacement; self excluded when asked. */
function fixedIndegree(ctx: ConnectorContext, n: number, allowSelf: boolean, visit: SynapseVisitor): void {
  const pool = allowSelf ? ctx.sourceSize : ctx.sourceSize - 1;
  const count = Math.min(n, pool);
  const stamp = ctx.scratch ?? new Uint32Array(ctx.sourceSize);
  for (let t = 0; t < ctx.targetSize; t++) {
    const mark = t + 1;
    let k = 0;
    for (let j = pool - count; j < pool; j++) {
      const r = Math.floor(uniform53(ctx.seed, ctx.stream, t, k++) * (j + 1));
      let pick = stamp[mapSource(r, t, allowSelf)] === mark ? j : r;
      pick = mapSource(pick, t, allowSelf);
      stamp[pick] = mark;
      visit(pick, t, -1);
    }
  }
  if (ctx.scratch) ctx.scratch.fill(0);
}

/** Maps a draw from [0, pool) onto source indices, skipping the target itself when self-connections are excluded. */
function mapSource(r: number, target: number, allowSelf: boolean): number {
  return allowSelf || r < target ? r : r + 1;
}
