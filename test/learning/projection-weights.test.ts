// Weight matrices, weight normalisation and the rest between stimuli, on small compiled networks and any partition count.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { HasnError } from '../../core/errors.ts';
import { restNetwork, setPoissonRates, setThresholdOffsets, thresholdOffsets } from '../../core/learning/network-state.ts';
import { incomingWeightNorms, normalizeIncomingWeights, projectionWeights, setProjectionWeights } from '../../core/learning/projection-weights.ts';
import { spec } from '../core/helpers.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof HasnError ? err.code : `not a HasnError: ${String(err)}`;
  }
  return undefined;
}

const NETWORK = spec({
  seed: 7,
  populations: [
    { id: 'in', size: 6, model: { type: 'poisson', rate_hz: 200 } },
    { id: 'out', size: 5, model: { type: 'lif_cond', threshold_adaptation: { theta_plus_mV: 1, tau_theta_ms: 1000 } } },
  ],
  projections: [
    {
      id: 'learned', source: 'in', target: 'out', connector: { type: 'fixed_probability', p: 0.7 },
      weight: { dist: 'uniform', low: 0, high: 0.05 }, plasticity: { rule: 'stdp', w_max: 0.1 },
    },
    { id: 'shared', source: 'in', target: 'out', connector: { type: 'all_to_all' }, weight: 0.01 },
  ],
});

describe('projectionWeights / setProjectionWeights', () => {
  it('gives the same target × source matrix for any partition count, 0 where no synapse is', () => {
    const one = projectionWeights(compileNetwork(NETWORK, { partitions: 1 }), 'learned');
    const three = projectionWeights(compileNetwork(NETWORK, { partitions: 3 }), 'learned');
    expect(one.length).toBe(5 * 6);
    expect(Array.from(three)).toEqual(Array.from(one));
    expect(one.some((w) => w === 0)).toBe(true);
    expect(one.some((w) => w > 0)).toBe(true);
  });

  it('reads constant-weight projections but refuses to set them per synapse (E_LEARNING_SHARED_WEIGHT)', () => {
    const net = compileNetwork(NETWORK);
    expect(Array.from(projectionWeights(net, 'shared'))).toEqual(new Array(30).fill(Math.fround(0.01)));
    expect(codeOf(() => setProjectionWeights(net, 'shared', new Float32Array(30)))).toBe('E_LEARNING_SHARED_WEIGHT');
  });

  it('writes a matrix into the synapses that exist, read back unchanged, in another partitioning too', () => {
    const source = compileNetwork(NETWORK, { partitions: 1 });
    const m = projectionWeights(source, 'learned').map((w, k) => (w > 0 ? (k + 1) / 64 : 0));
    const target = compileNetwork(NETWORK, { partitions: 2 });
    setProjectionWeights(target, 'learned', m);
    expect(Array.from(projectionWeights(target, 'learned'))).toEqual(Array.from(m));
  });

  it('rejects unknown projections, wrong matrix sizes and duplicate pairs', () => {
    const net = compileNetwork(NETWORK);
    expect(codeOf(() => projectionWeights(net, 'nope'))).toBe('E_LEARNING_PROJECTION');
    expect(codeOf(() => setProjectionWeights(net, 'learned', new Float32Array(29)))).toBe('E_LEARNING_SHAPE');
    const twice = compileNetwork(spec({
      populations: [{ id: 'a', size: 2, model: { type: 'spike_source' } }, { id: 'b', size: 2, model: { type: 'lif' } }],
      projections: [{ id: 'p', source: 'a', target: 'b', connector: { type: 'explicit', pairs: [[0, 1, 0.5], [0, 1, 0.25]] }, weight: 0 }],
    }));
    expect(projectionWeights(twice, 'p')[1 * 2 + 0]).toBe(0.75);
    expect(codeOf(() => setProjectionWeights(twice, 'p', new Float32Array(4)))).toBe('E_LEARNING_DUPLICATE_PAIR');
  });
});

describe('normalizeIncomingWeights', () => {
  it('scales each target\'s incoming weights to the total, keeping their proportions', () => {
    const net = compileNetwork(NETWORK);
    const before = projectionWeights(net, 'learned');
    normalizeIncomingWeights(net, 'learned', 0.3);
    const after = projectionWeights(net, 'learned');
    for (let t = 0; t < 5; t++) {
      const row = after.subarray(t * 6, t * 6 + 6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(0.3, 5);
      const scale = row.reduce((a, b) => a + b, 0) / before.subarray(t * 6, t * 6 + 6).reduce((a, b) => a + b, 0);
      for (let s = 0; s < 6; s++) expect(row[s]).toBeCloseTo(before[t * 6 + s]! * scale, 6);
    }
  });

  it('gives bit-identical weights for 1 and 3 partitions', () => {
    const one = compileNetwork(NETWORK, { partitions: 1 });
    const three = compileNetwork(NETWORK, { partitions: 3 });
    normalizeIncomingWeights(one, 'learned', 0.37);
    normalizeIncomingWeights(three, 'learned', 0.37);
    expect(Array.from(projectionWeights(three, 'learned'))).toEqual(Array.from(projectionWeights(one, 'learned')));
  });

  it('with a target mask, normalises just those targets, bit-identically through the plastic index and the full pass', () => {
    const frozen = spec({ ...NETWORK, projections: [{ ...NETWORK.projections[0]!, plasticity: undefined }] });
    const mask = Uint8Array.of(1, 0, 0, 1, 0);
    const results = [compileNetwork(NETWORK, { partitions: 2 }), compileNetwork(frozen, { partitions: 3 })].map((net) => {
      const before = projectionWeights(net, 'learned');
      normalizeIncomingWeights(net, 'learned', 0.25, { targets: mask });
      const after = projectionWeights(net, 'learned');
      for (let t = 0; t < 5; t++) {
        const row = Array.from(after.subarray(t * 6, t * 6 + 6));
        if (mask[t]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(0.25, 5);
        else expect(row).toEqual(Array.from(before.subarray(t * 6, t * 6 + 6)));
      }
      return Array.from(after);
    });
    expect(results[1]).toEqual(results[0]);
    const full = compileNetwork(NETWORK);
    normalizeIncomingWeights(full, 'learned', 0.25);
    const fullRows = projectionWeights(full, 'learned');
    expect(results[0]!.slice(0, 6)).toEqual(Array.from(fullRows.subarray(0, 6)));
    expect(codeOf(() => normalizeIncomingWeights(full, 'learned', 1, { targets: new Uint8Array(4) }))).toBe('E_LEARNING_SHAPE');
  });

  it('with norm l2, scales each target\'s incoming weights to that Euclidean norm, the same through the plastic index and the full pass', () => {
    const frozen = spec({ ...NETWORK, projections: [{ ...NETWORK.projections[0]!, plasticity: undefined }] });
    const mask = Uint8Array.of(1, 1, 1, 1, 1);
    const nets = [compileNetwork(NETWORK, { partitions: 2 }), compileNetwork(frozen, { partitions: 3 }), compileNetwork(NETWORK)];
    const before = projectionWeights(nets[0]!, 'learned');
    normalizeIncomingWeights(nets[0]!, 'learned', 0.2, { norm: 'l2', targets: mask });
    normalizeIncomingWeights(nets[1]!, 'learned', 0.2, { norm: 'l2', targets: mask });
    normalizeIncomingWeights(nets[2]!, 'learned', 0.2, { norm: 'l2' });
    const after = projectionWeights(nets[0]!, 'learned');
    for (let t = 0; t < 5; t++) {
      const row = after.subarray(t * 6, t * 6 + 6);
      expect(Math.hypot(...row)).toBeCloseTo(0.2, 6);
      const scale = 0.2 / Math.hypot(...before.subarray(t * 6, t * 6 + 6));
      for (let s = 0; s < 6; s++) expect(row[s]).toBeCloseTo(before[t * 6 + s]! * scale, 6);
    }
    expect(Array.from(projectionWeights(nets[1]!, 'learned'))).toEqual(Array.from(after));
    expect(Array.from(projectionWeights(nets[2]!, 'learned'))).toEqual(Array.from(after));
  });

  it('measures each target\'s incoming weights by their sum or their Euclidean norm', () => {
    const net = compileNetwork(NETWORK, { partitions: 2 });
    const w = projectionWeights(net, 'learned');
    const rows = Array.from({ length: 5 }, (_, t) => Array.from(w.subarray(t * 6, t * 6 + 6)));
    Array.from(incomingWeightNorms(net, 'learned')).forEach((sum, t) => expect(sum).toBeCloseTo(rows[t]!.reduce((a, b) => a + b, 0), 6));
    Array.from(incomingWeightNorms(net, 'learned', 'l2')).forEach((norm, t) => expect(norm).toBeCloseTo(Math.hypot(...rows[t]!), 6));
  });

  it('leaves targets without weight alone and rejects a bad total (E_LEARNING_TOTAL)', () => {
    const net = compileNetwork(NETWORK);
    setProjectionWeights(net, 'learned', new Float32Array(30));
    normalizeIncomingWeights(net, 'learned', 1);
    expect(projectionWeights(net, 'learned').every((w) => w === 0)).toBe(true);
    expect(codeOf(() => normalizeIncomingWeights(net, 'learned', Number.NaN))).toBe('E_LEARNING_TOTAL');
    expect(codeOf(() => normalizeIncomingWeights(net, 'learned', -1))).toBe('E_LEARNING_TOTAL');
  });
});

describe('restNetwork', () => {
  it('puts the network where a long rest would: potentials at rest, no conductance, no queued input, no traces, θ decayed', () => {
    const net = compileNetwork(NETWORK);
    const engine = new ReferenceEngine(net);
    let spikes = 0;
    engine.run(400, (_s, _x, count) => { spikes += count; });
    expect(spikes).toBeGreaterThan(0);
    const out = net.populations[1]!;
    const thetaBefore = thresholdOffsets(net, 'out');
    expect(thetaBefore.some((x) => x > 0)).toBe(true);
    const ratesBefore = Array.from(net.state.rate);
    restNetwork(net, 150);
    const range = (a: ArrayLike<number>) => Array.from(a).slice(out.offset, out.offset + out.size);
    expect(range(net.state.v)).toEqual(new Array(5).fill(-60));
    expect(range(net.state.synE).every((x) => x === 0) && range(net.state.synI).every((x) => x === 0)).toBe(true);
    expect(net.state.ring.every((x) => x === 0)).toBe(true);
    expect(net.plastic[0]!.preTrace.every((x) => x === 0) && net.plastic[0]!.postTrace.every((x) => x === 0)).toBe(true);
    const thetaAfter = thresholdOffsets(net, 'out');
    for (let i = 0; i < 5; i++) expect(thetaAfter[i]).toBeCloseTo(thetaBefore[i]! * Math.exp(-150 / 1000), 5);
    expect(Array.from(net.state.rate)).toEqual(ratesBefore);
    expect(codeOf(() => restNetwork(net, -1))).toBe('E_LEARNING_REST');
  });

  it('makes the next stimulus independent of the previous one: the same spikes as a fresh network at the same steps', () => {
    const stateless = spec({
      seed: 3,
      populations: [{ id: 'in', size: 6, model: { type: 'poisson', rate_hz: 0 } }, { id: 'out', size: 5, model: { type: 'lif_cond' } }],
      projections: [{ id: 'p', source: 'in', target: 'out', connector: { type: 'all_to_all' }, weight: { dist: 'uniform', low: 0, high: 0.02 } }],
    });
    const drive = new Array(6).fill(400);
    const show = (engine: ReferenceEngine): number[] => {
      const out: number[] = [];
      setPoissonRates(engine.net, 'in', drive);
      engine.run(200, (step, spikes, count) => { for (let k = 0; k < count; k++) if (spikes[k]! >= 6) out.push(step * 100 + spikes[k]!); });
      setPoissonRates(engine.net, 'in', new Array(6).fill(0));
      restNetwork(engine.net, 150);
      return out;
    };
    const engine = new ReferenceEngine(compileNetwork(stateless));
    expect(show(engine).length).toBeGreaterThan(0);
    const second = show(engine);
    const fresh = show(new ReferenceEngine(compileNetwork(stateless), 200));
    expect(second.length).toBeGreaterThan(0);
    expect(fresh).toEqual(second);
  });
});

describe('population helpers', () => {
  it('set Poisson rates and θ with shape checks', () => {
    const net = compileNetwork(NETWORK);
    setPoissonRates(net, 'in', [1, 2, 3, 4, 5, 6]);
    expect(Array.from(net.state.rate.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(codeOf(() => setPoissonRates(net, 'in', [1]))).toBe('E_LEARNING_SHAPE');
    expect(codeOf(() => setPoissonRates(net, 'in', [1, 2, 3, 4, 5, -6]))).toBe('E_LEARNING_RATE');
    expect(codeOf(() => setPoissonRates(net, 'out', [1, 2, 3, 4, 5]))).toBe('E_LEARNING_POPULATION');
    setThresholdOffsets(net, 'out', [0.5, 1, 1.5, 2, 2.5]);
    expect(Array.from(thresholdOffsets(net, 'out'))).toEqual([0.5, 1, 1.5, 2, 2.5]);
    expect(codeOf(() => setThresholdOffsets(net, 'nope', []))).toBe('E_LEARNING_POPULATION');
  });
});
