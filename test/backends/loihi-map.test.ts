// Mapping quantized networks onto Loihi cores: neuron, input-axon and synaptic-memory limits per core, chips per 128 cores.
import { describe, expect, it } from 'vitest';
import { LOIHI1, LOIHI2, mapToCores } from '../../drivers/backends/loihi/map.ts';
import { quantizeSpec } from '../../drivers/backends/loihi/quantize.ts';
import { LOIHI_LIF, spec } from './specs.ts';

const mapped = (s: ReturnType<typeof spec>, chip = LOIHI1) => mapToCores(quantizeSpec(s).network, chip);

describe('loihi core mapping', () => {
  it('puts at most 1024 neurons on a Loihi 1 core and 8192 on a Loihi 2 core; host inputs take no core', () => {
    const s = spec({ populations: [{ id: 'in', size: 500, model: { type: 'spike_source' } }, { id: 'n', size: 2049, model: LOIHI_LIF }] });
    const one = mapped(s);
    expect(one.cores).toBe(3);
    expect(one.peak.neurons).toBe(1024);
    expect([...one.coreOf.subarray(0, 500)].every((c) => c === -1)).toBe(true);
    expect(one.coreOf[500]).toBe(0);
    expect(one.coreOf[500 + 2048]).toBe(2);
    expect(mapped(s, LOIHI2).cores).toBe(1);
  });

  it('counts chips as 128 cores each', () => {
    const s = spec({ populations: [{ id: 'n', size: 129 * 1024, model: LOIHI_LIF }] });
    expect(mapped(s)).toMatchObject({ cores: 129, chips: 2 });
  });

  it('splits cores on synaptic memory: 3000 shared inputs per neuron fit 19 neurons per core (18 bits per synapse)', () => {
    const s = spec({
      populations: [{ id: 'in', size: 3000, model: { type: 'spike_source' } }, { id: 'n', size: 100, model: LOIHI_LIF }],
      projections: [{ id: 'all', source: 'in', target: 'n', connector: { type: 'all_to_all' }, weight: 0.01 }],
    });
    const m = mapped(s);
    // 8 weight bits + 10 bits to address one of 1024 neurons = 18 bits; 2^20 / (3000 · 18) = 19.4.
    expect(m.peak.neurons).toBe(19);
    expect(m.cores).toBe(6);
    expect(m.peak.inputAxons).toBe(3000); // the same 3000 sources on every core: axons are shared
    expect(m.issues).toEqual([]);
  });

  it('splits cores on input axons: neurons with 1500 private inputs each fit 2 to a core (4096 axons)', () => {
    const pairs: [number, number][] = [];
    for (let t = 0; t < 6; t++) for (let k = 0; k < 1500; k++) pairs.push([t * 1500 + k, t]);
    const s = spec({
      populations: [{ id: 'in', size: 9000, model: { type: 'spike_source' } }, { id: 'n', size: 6, model: LOIHI_LIF }],
      projections: [{ id: 'private', source: 'in', target: 'n', connector: { type: 'explicit', pairs }, weight: 0.01 }],
    });
    const m = mapped(s);
    expect(m.peak.inputAxons).toBe(3000);
    expect(m.cores).toBe(3);
  });

  it('counts one output axon per (neuron, destination core) pair', () => {
    const s = spec({
      populations: [{ id: 'a', size: 10, model: LOIHI_LIF }, { id: 'b', size: 2048, model: LOIHI_LIF }],
      // Each neuron of a reaches b[0], b[1] (core 0) and b[2000] (core 2): 2 destination cores.
      projections: [{ id: 'p', source: 'a', target: 'b', connector: { type: 'explicit', pairs: Array.from({ length: 10 }, (_, s) => [[s, 0], [s, 1], [s, 2000]] as [number, number][]).flat() }, weight: 0.1 }],
    });
    const m = mapped(s);
    expect(m.cores).toBe(3);
    expect(m.peak.outputAxons).toBe(20);
  });

  it('halves the neurons per core until every core has enough output axons (4000 neurons, 80 random targets each)', () => {
    const s = spec({
      populations: [{ id: 'n', size: 4000, model: LOIHI_LIF }],
      projections: [{ id: 'rec', source: 'n', target: 'n', connector: { type: 'fixed_probability', p: 0.02 }, weight: 0.1 }],
    });
    const m = mapped(s);
    // With 1024 per core a neuron reaches all 4 cores: 4096 + output axons on a full core; 512 per core fits.
    expect(m.issues).toEqual([]);
    expect(m.peak.neurons).toBe(512);
    expect(m.cores).toBe(8);
    expect(m.peak.outputAxons).toBeLessThanOrEqual(4096);
  });

  it('reports E_LOIHI_FANOUT_TOO_LARGE when even one neuron per core needs more output axons than a core has', () => {
    // A small made-up chip (3 output axons per core) keeps the network tiny; the code path is the same.
    const tiny = { ...LOIHI1, neuronsPerCore: 4, outputAxonsPerCore: 3 };
    const s = spec({
      populations: [{ id: 'a', size: 1, model: LOIHI_LIF }, { id: 'b', size: 16, model: LOIHI_LIF }],
      projections: [{ id: 'p', source: 'a', target: 'b', connector: { type: 'all_to_all' }, weight: 0.1 }],
    });
    const m = mapped(s, tiny);
    expect(m.peak.neurons).toBe(1); // halved 4 → 2 → 1 before giving up
    expect(m.issues.map((i) => `${i.code} ${i.path}`)).toEqual(['E_LOIHI_FANOUT_TOO_LARGE cores[0]']);
    expect(m.issues[0]!.message).toBe('core 0 needs 16 output axons; a loihi1 core has 3');
  });
});
