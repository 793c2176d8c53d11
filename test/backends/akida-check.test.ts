// Akida check: what maps (layered feed-forward non-leaky IF) and every rejection with its stable code and path.
import { describe, expect, it } from 'vitest';
import { akidaBackend } from '../../drivers/backends/akida/index.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { IF_NEURON, layeredNetwork, spec } from './fixtures/akida/networks.ts';

const dense = { type: 'all_to_all' as const };

function chain(hidden: Record<string, unknown>, extra: Partial<Parameters<typeof spec>[0]> = {}): NetworkSpec {
  return spec({
    dt_ms: 1,
    populations: [
      { id: 'in', size: 4, model: { type: 'spike_source' } },
      { id: 'h', size: 3, model: { ...IF_NEURON, ...hidden } as never },
    ],
    projections: [{ id: 'in_h', source: 'in', target: 'h', connector: dense, weight: 1 }],
    ...extra,
  } as never);
}

function violations(s: NetworkSpec): { code: string; path: string }[] {
  return akidaBackend.check(s).map(({ code, path }) => ({ code, path }));
}

describe('Akida check', () => {
  it('accepts a layered feed-forward network of non-leaky integrate-and-fire neurons, with spike_source or poisson inputs', () => {
    expect(akidaBackend.check(layeredNetwork())).toEqual([]);
    const poissonInput = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 4, model: { type: 'poisson', rate_hz: 10 } }, { id: 'h', size: 2, model: IF_NEURON }],
      projections: [{ id: 'p', source: 'in', target: 'h', connector: dense, weight: 1 }],
    });
    expect(akidaBackend.check(poissonInput)).toEqual([]);
  });

  it('rejects leaky neurons (E_AKIDA_LEAKY_NEURON)', () => {
    expect(violations(chain({ tau_m_ms: 20 }))).toEqual([{ code: 'E_AKIDA_LEAKY_NEURON', path: 'populations[1].model.tau_m_ms' }]);
  });

  it('rejects conductance-based and Izhikevich neurons (E_AKIDA_MODEL_UNSUPPORTED)', () => {
    const withModel = (model: unknown) => spec({
      populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'h', size: 2, model: model as never }],
      projections: [{ id: 'p', source: 'in', target: 'h', connector: dense, weight: 0.01 }],
    });
    expect(violations(withModel({ type: 'lif_cond' }))).toEqual([{ code: 'E_AKIDA_MODEL_UNSUPPORTED', path: 'populations[1].model.type' }]);
    expect(violations(withModel({ type: 'izhikevich' }))).toEqual([{ code: 'E_AKIDA_MODEL_UNSUPPORTED', path: 'populations[1].model.type' }]);
  });

  it('rejects IF features Akida lacks: refractoriness, offset current, adaptation, thresholds at or below rest, initial state (E_AKIDA_MODEL_UNSUPPORTED)', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ tau_refrac_ms: 2 }, 'populations[1].model.tau_refrac_ms'],
      [{ i_offset_nA: 0.1 }, 'populations[1].model.i_offset_nA'],
      [{ threshold_adaptation: { theta_plus_mV: 1, tau_theta_ms: 100 } }, 'populations[1].model.threshold_adaptation'],
      [{ v_rest_mV: 1 }, 'populations[1].model.v_thresh_mV'],
    ];
    for (const [change, path] of cases) expect(violations(chain(change))).toEqual([{ code: 'E_AKIDA_MODEL_UNSUPPORTED', path }]);
    const initial = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 4, model: { type: 'spike_source' } }, { id: 'h', size: 3, model: IF_NEURON, initial: { v_mV: 0.5 } }],
      projections: [{ id: 'in_h', source: 'in', target: 'h', connector: dense, weight: 1 }],
    });
    expect(violations(initial)).toEqual([{ code: 'E_AKIDA_MODEL_UNSUPPORTED', path: 'populations[1].initial' }]);
  });

  it('rejects self-connections and cycles (E_AKIDA_RECURRENT)', () => {
    const self = chain({}, { projections: [
      { id: 'in_h', source: 'in', target: 'h', connector: dense, weight: 1 },
      { id: 'h_h', source: 'h', target: 'h', connector: dense, weight: 1 },
    ] });
    expect(violations(self)).toEqual([{ code: 'E_AKIDA_RECURRENT', path: 'projections[1]' }]);
    const cycle = spec({
      dt_ms: 1,
      populations: [
        { id: 'in', size: 2, model: { type: 'spike_source' } },
        { id: 'a', size: 2, model: IF_NEURON }, { id: 'b', size: 2, model: IF_NEURON },
      ],
      projections: [
        { id: 'in_a', source: 'in', target: 'a', connector: dense, weight: 1 },
        { id: 'a_b', source: 'a', target: 'b', connector: dense, weight: 1 },
        { id: 'b_a', source: 'b', target: 'a', connector: dense, weight: 1, receptor: 'inh' },
      ],
    });
    expect(violations(cycle).map((v) => v.code)).toEqual(['E_AKIDA_RECURRENT', 'E_AKIDA_RECURRENT']);
  });

  it('rejects delays longer than one step, also when drawn or explicit (E_AKIDA_DELAY)', () => {
    const delayed = (delay: unknown, connector: unknown = dense) => chain({}, { projections: [{ id: 'in_h', source: 'in', target: 'h', connector, weight: 1, delay_ms: delay }] } as never);
    expect(violations(delayed(1))).toEqual([]);
    expect(violations(delayed(2))).toEqual([{ code: 'E_AKIDA_DELAY', path: 'projections[0].delay_ms' }]);
    expect(violations(delayed({ dist: 'uniform', low: 1, high: 3 }))).toEqual([{ code: 'E_AKIDA_DELAY', path: 'projections[0].delay_ms' }]);
    expect(violations(delayed(undefined, { type: 'explicit', pairs: [[0, 0, 1, 1], [1, 1, 1, 4]] }))).toEqual([{ code: 'E_AKIDA_DELAY', path: 'projections[0].delay_ms' }]);
  });

  it('rejects graphs that are not a chain of layers (E_AKIDA_NOT_LAYERED)', () => {
    const skip = spec({
      dt_ms: 1,
      populations: [
        { id: 'in', size: 2, model: { type: 'spike_source' } },
        { id: 'a', size: 2, model: IF_NEURON }, { id: 'b', size: 2, model: IF_NEURON },
      ],
      projections: [
        { id: 'in_a', source: 'in', target: 'a', connector: dense, weight: 1 },
        { id: 'a_b', source: 'a', target: 'b', connector: dense, weight: 1 },
        { id: 'in_b', source: 'in', target: 'b', connector: dense, weight: 1 },
      ],
    });
    expect(violations(skip)).toEqual([{ code: 'E_AKIDA_NOT_LAYERED', path: 'projections[2]' }]);
    const orphan = spec({ dt_ms: 1, populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'a', size: 2, model: IF_NEURON }] });
    expect(violations(orphan)).toEqual([{ code: 'E_AKIDA_NOT_LAYERED', path: 'populations[1]' }]);
    const inputsOnly = spec({ populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }] });
    expect(violations(inputsOnly)).toEqual([{ code: 'E_AKIDA_NOT_LAYERED', path: 'projections' }]);
  });

  it('rejects plastic projections (E_AKIDA_PLASTICITY_UNSUPPORTED)', () => {
    const plastic = chain({}, { projections: [{ id: 'in_h', source: 'in', target: 'h', connector: dense, weight: 1, plasticity: { rule: 'stdp' } }] } as never);
    expect(violations(plastic)).toEqual([{ code: 'E_AKIDA_PLASTICITY_UNSUPPORTED', path: 'projections[0].plasticity' }]);
  });

  it('rejects networks beyond 80 NPs or a FullyConnected input of 57 334 (E_AKIDA_TOO_LARGE)', () => {
    const wide = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 8, model: { type: 'spike_source' } }, { id: 'h', size: 128 * 81, model: IF_NEURON }],
      projections: [{ id: 'p', source: 'in', target: 'h', connector: { type: 'fixed_indegree', n: 1 }, weight: 1 }],
    });
    expect(violations(wide)).toEqual([{ code: 'E_AKIDA_TOO_LARGE', path: 'populations' }]);
    const manyInputs = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 57_335, model: { type: 'spike_source' } }, { id: 'h', size: 1, model: IF_NEURON }],
      projections: [{ id: 'p', source: 'in', target: 'h', connector: { type: 'fixed_indegree', n: 1 }, weight: 1 }],
    });
    expect(violations(manyInputs)).toEqual([{ code: 'E_AKIDA_TOO_LARGE', path: 'populations[1]' }]);
  });

  it('lists every problem of a spec at once', () => {
    const bad = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'a', size: 2, model: { type: 'lif' } }],
      projections: [
        { id: 'in_a', source: 'in', target: 'a', connector: dense, weight: 1, delay_ms: 3 },
        { id: 'a_a', source: 'a', target: 'a', connector: dense, weight: 1 },
      ],
    });
    expect(violations(bad).map((v) => v.code).sort()).toEqual(['E_AKIDA_DELAY', 'E_AKIDA_LEAKY_NEURON', 'E_AKIDA_RECURRENT']);
  });

  it('refuses to compile a rejected network, and hardware mode', async () => {
    await expect(akidaBackend.compile(chain({ tau_m_ms: 20 }), { mode: 'emulate' })).rejects.toMatchObject({
      code: 'E_BACKEND_UNSUPPORTED', issues: [expect.objectContaining({ code: 'E_AKIDA_LEAKY_NEURON' })],
    });
    await expect(akidaBackend.compile(layeredNetwork(), { mode: 'hardware' })).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' });
  });
});
