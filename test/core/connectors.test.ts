// Connectors: counts, distinctness and determinism of the generated synapses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachSynapse } from '../../core/compile/connectors.ts';
import { compileNetwork } from '../../core/compile/compile.ts';
import { forEachCompiledSynapse } from '../../core/compile/synapse-reader.ts';
import type { Connector } from '../../core/spec/schema.ts';
import { spec } from './helpers.ts';

function pairs(connector: Connector, sourceSize: number, targetSize: number, seed = 1, same = false): [number, number][] {
  const out: [number, number][] = [];
  forEachSynapse(connector, { seed, stream: 99, sourceSize, targetSize, samePopulation: same }, (s, t) => out.push([s, t]));
  return out;
}

describe('connectors', () => {
  it('all_to_all gives every ordered pair once, without self-connections when asked', () => {
    expect(pairs({ type: 'all_to_all', allow_self: true }, 3, 4)).toHaveLength(12);
    const noSelf = pairs({ type: 'all_to_all', allow_self: false }, 5, 5, 1, true);
    expect(noSelf).toHaveLength(20);
    expect(noSelf.some(([s, t]) => s === t)).toBe(false);
  });

  it('fixed_indegree gives exactly n distinct sources per target', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 30 }), fc.nat(1000), fc.boolean(), (size, nRaw, seed, allowSelf) => {
      const n = Math.min(nRaw, allowSelf ? size : size - 1);
      const out = pairs({ type: 'fixed_indegree', n, allow_self: allowSelf }, size, size, seed, true);
      for (let t = 0; t < size; t++) {
        const sources = out.filter(([, tt]) => tt === t).map(([s]) => s);
        expect(sources).toHaveLength(n);
        expect(new Set(sources).size).toBe(n);
        if (!allowSelf) expect(sources).not.toContain(t);
        for (const s of sources) expect(s >= 0 && s < size).toBe(true);
      }
    }), { numRuns: 200, seed: 3 });
  });

  it('fixed_probability connects each ordered pair independently with probability p', () => {
    const n = 400;
    const p = 0.05;
    const out = pairs({ type: 'fixed_probability', p, allow_self: true }, n, n, 11);
    const expected = n * n * p;
    const sd = Math.sqrt(n * n * p * (1 - p));
    expect(Math.abs(out.length - expected)).toBeLessThan(4 * sd);
    expect(new Set(out.map(([s, t]) => s * n + t)).size).toBe(out.length);
    // in-degrees spread like a binomial: mean n·p, variance n·p·(1 − p)
    const indegree = new Array<number>(n).fill(0);
    for (const [, t] of out) indegree[t]!++;
    const mean = indegree.reduce((a, b) => a + b, 0) / n;
    const variance = indegree.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.75);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.25);
  });

  it('is a pure function of the seed', () => {
    const c: Connector = { type: 'fixed_probability', p: 0.1, allow_self: false };
    expect(pairs(c, 100, 100, 5, true)).toEqual(pairs(c, 100, 100, 5, true));
    expect(pairs(c, 100, 100, 5, true)).not.toEqual(pairs(c, 100, 100, 6, true));
  });

  it('compiles the same synapses (as source → target, weight, delay) for any partition count', () => {
    const s = spec({
      seed: 4,
      populations: [{ id: 'a', size: 50, model: { type: 'lif' } }, { id: 'b', size: 70, model: { type: 'lif_cond' } }],
      projections: [
        { id: 'ab', source: 'a', target: 'b', connector: { type: 'fixed_probability', p: 0.2 }, weight: { dist: 'normal', mean: 0.5, sd: 0.2 }, delay_ms: { dist: 'uniform', low: 0.1, high: 2 } },
        { id: 'ba', source: 'b', target: 'a', connector: { type: 'fixed_indegree', n: 7 }, weight: 0.3, receptor: 'inh' },
      ],
    });
    const edges = (partitions: number): string[] => {
      const net = compileNetwork(s, { partitions });
      const out: string[] = [];
      s.projections.forEach((_, k) => forEachCompiledSynapse(net, k, (src, tgt, w, d) => out.push(`${k}:${src}>${tgt}:${w}@${d}`)));
      return out.sort();
    };
    const one = edges(1);
    expect(one.length).toBeGreaterThan(500);
    expect(edges(3)).toEqual(one);
  });
});
