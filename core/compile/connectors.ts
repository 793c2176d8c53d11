// Expands a projection's connector into (source, target) pairs in a fixed canonical order, deterministically from the seed.
//
// The order of the visits is the projection's canonical synapse order: synapse c of a projection is
// the c-th visit, whatever the number of partitions. Every random draw is keyed by the source (or
// target) index and a per-key counter, so a generator can be run twice (count, then fill) and gives
// the same pairs both times.
import { keyPrefix, uniform53, uniform53From } from '../random.ts';
import type { Connector } from '../spec/schema.ts';

/** Called once per synapse with local source and target indices and, for explicit pairs, the pair index. */
export type SynapseVisitor = (source: number, target: number, pairIndex: number) => void;

/**
 * Called with a run of consecutive synapses sharing one source: targets[0 … count) (local indices), and
 * for explicit pairs the index of the first pair (the others follow), else −1. The array is reused.
 */
export type RowVisitor = (source: number, targets: Uint32Array, count: number, firstPair: number) => void;

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
  forEachRow(connector, ctx, (s, targets, count, firstPair) => {
    for (let j = 0; j < count; j++) visit(s, targets[j]!, firstPair < 0 ? -1 : firstPair + j);
  });
}

/** The same synapses in the same order as forEachSynapse, handed over in runs per source (no call per synapse). */
export function forEachRow(connector: Connector, ctx: ConnectorContext, visit: RowVisitor): void {
  switch (connector.type) {
    case 'all_to_all':
      return allToAll(ctx, connector.allow_self || !ctx.samePopulation, visit);
    case 'one_to_one': {
      const one = new Uint32Array(1);
      for (let i = 0; i < ctx.sourceSize; i++) {
        one[0] = i;
        visit(i, one, 1, -1);
      }
      return;
    }
    case 'fixed_probability':
      return fixedProbability(ctx, connector.p, connector.allow_self || !ctx.samePopulation, visit);
    case 'fixed_indegree':
      return fixedIndegree(ctx, connector.n, connector.allow_self || !ctx.samePopulation, visit);
    case 'explicit': {
      const one = new Uint32Array(1);
      connector.pairs.forEach((pair, k) => {
        one[0] = pair[1];
        visit(pair[0], one, 1, k);
      });
    }
  }
}

function allToAll(ctx: ConnectorContext, allowSelf: boolean, visit: RowVisitor): void {
  const row = new Uint32Array(ctx.targetSize);
  for (let s = 0; s < ctx.sourceSize; s++) {
    let count = 0;
    for (let t = 0; t < ctx.targetSize; t++) if (allowSelf || s !== t) row[count++] = t;
    visit(s, row, count, -1);
  }
}

/** Independent Bernoulli(p) per ordered pair, by geometric skipping over the targets of each source (O(synapses), not O(N²)). */
function fixedProbability(ctx: ConnectorContext, p: number, allowSelf: boolean, visit: RowVisitor): void {
  if (p <= 0) return;
  if (p >= 1) return allToAll(ctx, allowSelf, visit);
  const logQ = Math.log(1 - p);
  const targetSize = ctx.targetSize;
  const row = new Uint32Array(targetSize);
  for (let s = 0; s < ctx.sourceSize; s++) {
    const prefix = keyPrefix(ctx.seed, ctx.stream, s);
    let t = -1;
    let k = 0;
    let count = 0;
    for (;;) {
      const u = uniform53From(prefix, k++);
      t += 1 + Math.floor(Math.log(1 - u) / logQ);
      if (t >= targetSize) break;
      if (allowSelf || s !== t) row[count++] = t;
    }
    visit(s, row, count, -1);
  }
}

/** Exactly n distinct sources per target (Floyd's sampling), without replacement; self excluded when asked. */
function fixedIndegree(ctx: ConnectorContext, n: number, allowSelf: boolean, visit: RowVisitor): void {
  const pool = allowSelf ? ctx.sourceSize : ctx.sourceSize - 1;
  const count = Math.min(n, pool);
  const stamp = ctx.scratch ?? new Uint32Array(ctx.sourceSize);
  const one = new Uint32Array(1);
  for (let t = 0; t < ctx.targetSize; t++) {
    const mark = t + 1;
    let k = 0;
    one[0] = t;
    for (let j = pool - count; j < pool; j++) {
      const r = Math.floor(uniform53(ctx.seed, ctx.stream, t, k++) * (j + 1));
      let pick = stamp[mapSource(r, t, allowSelf)] === mark ? j : r;
      pick = mapSource(pick, t, allowSelf);
      stamp[pick] = mark;
      visit(pick, one, 1, -1);
    }
  }
  if (ctx.scratch) ctx.scratch.fill(0);
}

/** Maps a draw from [0, pool) onto source indices, skipping the target itself when self-connections are excluded. */
function mapSource(r: number, target: number, allowSelf: boolean): number {
  return allowSelf || r < target ? r : r + 1;
}
