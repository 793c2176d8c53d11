// The Diehl & Cook spec generator: a valid spec, the documented layout, training/evaluation/control variants.
import { describe, expect, it } from 'vitest';
import { compileNetwork, partitionBounds } from '../../core/compile/compile.ts';
import { HasnError } from '../../core/errors.ts';
import { diehlCookLayout, diehlCookSpec } from '../../core/learning/diehl-cook-spec.ts';
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
    const ids = diehlCookLayout(2);
    expect(spec.populations.map((p) => p.id)).toEqual(['exc_0', 'input', 'inh', 'exc_1']);
    const net = compileNetwork(spec, { partitions: 2 });
    const [, middle] = partitionBounds(net.neuronCount, 2);
    const [exc0, exc1] = ids.excitatory.map((id) => net.populations.find((p) => p.id === id)!);
    expect(exc0!.offset + exc0!.size).toBeLessThanOrEqual(middle!);
    expect(exc1!.offset).toBeGreaterThanOrEqual(middle!);
    expect(net.plastic.map((p) => p.id)).toEqual(ids.learned);
    expect(() => diehlCookSpec({ neurons: 401, groups: 2 })).toThrow(HasnError);
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
