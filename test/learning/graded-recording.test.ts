// The graded variant of a frozen Diehl & Cook network: equal weight norms (directions kept), one θ for every excitatory neuron.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { HasnError } from '../../core/errors.ts';
import { diehlCookLayout, diehlCookSpec } from '../../core/learning/diehl-cook-spec.ts';
import { gradeNetwork } from '../../core/learning/graded-recording.ts';
import { setThresholdOffsets, thresholdOffsets } from '../../core/learning/network-state.ts';
import { projectionWeights, setProjectionWeights } from '../../core/learning/projection-weights.ts';
import { parseSpec } from '../../core/spec/validate.ts';

const OPTIONS = { neurons: 4, inputs: 9, groups: 2 as const, stdp: false, adaptThreshold: false };

function frozenNetwork(partitions: number) {
  const net = compileNetwork(parseSpec(diehlCookSpec(OPTIONS)), { partitions });
  const ids = diehlCookLayout(OPTIONS);
  // Neuron n of group g: weight (n + 1) · (g + 1) on input n + 3g, 1 on input 8: four different norms and directions.
  ids.learned.forEach((id, g) => {
    const w = new Float32Array(2 * 9);
    for (let n = 0; n < 2; n++) {
      w[n * 9 + n + 3 * g] = (n + 1) * (g + 1);
      w[n * 9 + 8] = 1;
    }
    setProjectionWeights(net, id, w);
  });
  setThresholdOffsets(net, 'exc_0', Float32Array.of(1, 4));
  setThresholdOffsets(net, 'exc_1', Float32Array.of(2, 9));
  return { net, ids };
}

const norm = (w: Float32Array, n: number) => Math.hypot(...w.subarray(n * 9, (n + 1) * 9));

describe('gradeNetwork', () => {
  it.each([1, 2])('gives every excitatory neuron the mean weight norm and a fraction of the median θ (%i partitions)', (partitions) => {
    const { net, ids } = frozenNetwork(partitions);
    const before = ids.learned.map((id) => projectionWeights(net, id));
    const norms = before.flatMap((w) => [norm(w, 0), norm(w, 1)]);
    const mean = norms.reduce((a, b) => a + b, 0) / 4;
    gradeNetwork(net, ids, { thetaScale: 0.5 });
    ids.learned.forEach((id, g) => {
      const after = projectionWeights(net, id);
      for (let n = 0; n < 2; n++) {
        expect(norm(after, n)).toBeCloseTo(mean, 5);
        // Same direction: each weight scaled by the same factor.
        const factor = mean / norm(before[g]!, n);
        for (let i = 0; i < 9; i++) expect(after[n * 9 + i]).toBeCloseTo(before[g]![n * 9 + i]! * factor, 5);
      }
    });
    // θ sorted: 1, 2, 4, 9 → the median (upper of the middle two) is 4; half of it everywhere.
    expect(Array.from(thresholdOffsets(net, 'exc_0'))).toEqual([2, 2]);
    expect(Array.from(thresholdOffsets(net, 'exc_1'))).toEqual([2, 2]);
  });

  it('refuses a θ fraction that is not a finite number ≥ 0', () => {
    const { net, ids } = frozenNetwork(1);
    for (const thetaScale of [-0.1, Number.NaN, Infinity]) {
      expect(() => gradeNetwork(net, ids, { thetaScale })).toThrow(HasnError);
      try {
        gradeNetwork(net, ids, { thetaScale });
      } catch (err) {
        expect((err as HasnError).code).toBe('E_LEARNING_GRADED');
      }
    }
  });
});
