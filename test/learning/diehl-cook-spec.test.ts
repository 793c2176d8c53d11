// The Diehl & Cook spec generator: a valid spec, the documented layout, training/evaluation/control variants.
import { describe, expect, it } from 'vitest';
import { compileNetwork, partitionBounds } from '../../core/compile/compile.ts';
import { HasnError } from '../../core/errors.ts';
import { diehlCookLayout, diehlCookSpec } from '../../core/learning/diehl-cook-spec.ts';
import { projectionWeights } from '../../core/learning/projection-weights.ts';
import { parseSpec } from '../../core/spec/validate.ts';

describe('diehlCookSpec', () => {
  it('is a valid spec: 784 Poisson inputs, N excitatory with adaptive θ and STDP on their inputs, an inhibitory pool', () => {
    const spec = parseSpec(diehlCookSpec({ neurons: 10 }));
    expect(spec.populations.map((p) => [p.id, p.size, p.model.type])).toEqual([['input', 784, 'poisson'], ['exc', 10, 'lif_cond'], ['inh', 1, 'lif_cond']]);
    const learned = spec.projections.find((p) => p.id === 'input_exc')!;
    expect(learned.plasticity).toMatchObject({ rule: 'stdp', a_plus: 0.005, a_minus: 0.0001, w_max: 1 });
    expect(spec.projections.find((p) => p.id === 'inh_exc')).toMatchObject({ receptor: 'inh', weight: 17 });
    expect(spec.dt_ms).toBe(0.5);
  });

  it('splits the excitatory neurons so that two equal partitions each hold half of them', () => {
    const spec = parseSpec(diehlCookSpec({ neurons: 400, groups: 2 }));
    const ids = diehlCookLayout({ neurons: 400, groups: 2 });
    expect(spec.populations.map((p) => p.id)).toEqual(['exc_0', 'input', 'inh', 'exc_1']);
    const net = compileNetwork(spec, { partitions: 2 });
    const [, middle] = partitionBounds(net.neuronCount, 2);
    const [exc0, exc1] = ids.excitatory.map((id) => net.populations.find((p) => p.id === id)!);
    expect(exc0!.offset + exc0!.size).toBeLessThanOrEqual(middle!);
    expect(exc1!.offset).toBeGreaterThanOrEqual(middle!);
    expect(net.plastic.map((p) => p.id)).toEqual(ids.learned);
    expect(() => diehlCookSpec({ neurons: 401, groups: 2 })).toThrow(HasnError);
  });

  it('receptive fields: one excitatory population and inhibitory pool per patch, fed only by that patch\'s pixels', () => {
    const fields = { size: 16, stride: 12 };
    const ids = diehlCookLayout({ neurons: 40, fields });
    expect(ids.excitatory).toEqual(['exc_f0', 'exc_f1', 'exc_f2', 'exc_f3']);
    expect(ids.sizes).toEqual([10, 10, 10, 10]);
    const spec = parseSpec(diehlCookSpec({ neurons: 40, fields }));
    expect(spec.populations.map((p) => p.id)).toEqual(['exc_f0', 'exc_f1', 'input', 'inh_f0', 'inh_f1', 'inh_f2', 'inh_f3', 'exc_f2', 'exc_f3']);
    expect(spec.projections.find((p) => p.id === 'inh_exc_f3')).toMatchObject({ source: 'inh_f3', target: 'exc_f3', receptor: 'inh', weight: 17 });
    expect(spec.projections.find((p) => p.id === 'exc_f3_inh')).toMatchObject({ source: 'exc_f3', target: 'inh_f3' });
    const net = compileNetwork(spec, { partitions: 2 });
    expect(net.plastic.map((p) => p.id).sort()).toEqual([...ids.learned].sort());
    // Patch 3 is the bottom-right one: rows and columns 12–27.
    const w = projectionWeights(net, 'input_exc_f3');
    for (let t = 0; t < 10; t++) {
      for (let pixel = 0; pixel < 784; pixel++) {
        const inside = Math.floor(pixel / 28) >= 12 && pixel % 28 >= 12;
        if (!inside) expect(w[t * 784 + pixel]).toBe(0);
      }
    }
    expect(w.filter((x) => x > 0).length).toBeGreaterThan(0.9 * 10 * 256);
    // Two partitions each own half of the excitatory neurons.
    const [, middle] = partitionBounds(net.neuronCount, 2);
    const firstHalf = ids.excitatory.map((id) => net.populations.find((p) => p.id === id)!).filter((p) => p.offset + p.size <= middle!);
    expect(firstHalf.map((p) => p.id)).toEqual(['exc_f0', 'exc_f1']);
  });

  it('receptive fields: the last patch row and column sit flush with the edge, neurons split as evenly as they go', () => {
    const ids = diehlCookLayout({ neurons: 400, fields: { size: 12, stride: 8 } });
    expect(ids.sizes).toEqual([45, 45, 45, 45, 44, 44, 44, 44, 44]);
    expect(ids.fieldPixels[8]![0]).toBe(16 * 28 + 16);
    expect(ids.fieldPixels[8]![143]).toBe(27 * 28 + 27);
    const flush = diehlCookLayout({ neurons: 10, fields: { size: 10, stride: 10 } });
    expect(flush.fieldPixels.map((p) => p[0])).toEqual([0, 10, 18, 280, 290, 298, 504, 514, 522]);
    const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as HasnError).code; } return 'none'; };
    expect(code(() => diehlCookLayout({ neurons: 10, inputs: 780, fields: { size: 10, stride: 10 } }))).toBe('E_LEARNING_FIELDS');
    expect(code(() => diehlCookLayout({ neurons: 10, fields: { size: 29, stride: 1 } }))).toBe('E_LEARNING_FIELDS');
    expect(code(() => diehlCookLayout({ neurons: 8, fields: { size: 10, stride: 10 } }))).toBe('E_LEARNING_NEURONS');
  });

  it('evaluation variant: no plasticity, θ never changes (no increment, float32 decay exactly 1)', () => {
    const net = compileNetwork(parseSpec(diehlCookSpec({ neurons: 4, stdp: false, adaptThreshold: false })));
    expect(net.plastic).toEqual([]);
    expect(net.populations.find((p) => p.id === 'exc')!.adaptation).toEqual({ thetaPlus: 0, decay: 1 });
  });

  it('control variant: θ adapts, STDP off', () => {
    const net = compileNetwork(parseSpec(diehlCookSpec({ neurons: 4, stdp: false })));
    expect(net.plastic).toEqual([]);
    expect(net.populations.find((p) => p.id === 'exc')!.adaptation!.thetaPlus).toBeCloseTo(0.05, 6);
  });
});
