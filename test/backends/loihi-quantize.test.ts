// Quantizing a float spec to Lava fixed point: exact register values, bounded errors, and behaviour close to the float run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRates } from '../../drivers/backends/compare.ts';
import { LoihiEmulator } from '../../drivers/backends/loihi/emulate.ts';
import { loihiBackend } from '../../drivers/backends/loihi/index.ts';
import type { LoihiLif } from '../../drivers/backends/loihi/network.ts';
import { WEIGHT_EXP_MIN, quantizeSpec } from '../../drivers/backends/loihi/quantize.ts';
import { cpuBackend } from '../../drivers/backends/cpu/index.ts';
import { LOIHI_LIF, cubaLike, runSession, spec } from './specs.ts';

const single = (model: Record<string, unknown>, dt = 1) => spec({ dt_ms: dt, populations: [{ id: 'n', size: 1, model: { ...LOIHI_LIF, ...model } }] });

describe('loihi quantization', () => {
  it('rounds decays to the nearest 12-bit value (du counts Lava ds_offset = 1) and makes the threshold exact', () => {
    const q = quantizeSpec(single({}), {});
    const lif = q.network.populations[0] as LoihiLif;
    // dt = 1 ms: 4096 (1 − e^(−1/20)) = 199.77 → dv 200; 4096 (1 − e^(−1/5)) = 742.48 → du + 1 = 742.
    expect(lif.dv).toBe(200);
    expect(lif.du).toBe(741);
    expect(lif.vth).toBe(1 << 15);
    expect(lif.unitsPerMv).toBeCloseTo(((1 << 15) * 64) / 15, 9);
    expect(q.errors.thresholds.max).toBeLessThan(1e-15);
    expect(q.errors.decays.max).toBeLessThan(0.5 / 199);
    expect(q.errors.decays.count).toBe(2);
  });

  it('gives the steady-state potential of the float model under a constant current (bias uses the quantized decay)', () => {
    // v_inf = −65 + 20 MΩ · 0.6 nA = −53 mV, below threshold: the neuron settles there.
    const q = quantizeSpec(single({ i_offset_nA: 0.6 }, 0.1), {});
    const lif = q.network.populations[0] as LoihiLif;
    const emulator = new LoihiEmulator(q.network);
    emulator.run(40_000);
    const v = lif.zeroMv + emulator.lifState(0)!.v[0]! / lif.unitsPerMv;
    expect(v).toBeCloseTo(-53, 2);
    expect(q.errors.biases.max).toBeLessThan(1 / 4096);
  });

  it('keeps every weight within half a mantissa step: the largest mantissa is ≥ 128, so weights spanning a factor 2 have relative error ≤ 0.5/64 (property)', () => {
    fc.assert(fc.property(
      fc.double({ min: 1e-3, max: 50, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1000 }),
      (w, spread, seed) => {
        const s = spec({
          dt_ms: 0.1, seed,
          populations: [{ id: 'src', size: 20, model: { type: 'spike_source' } }, { id: 'n', size: 20, model: LOIHI_LIF }],
          projections: [{ id: 'p', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: { dist: 'uniform', low: w * spread, high: w } }],
        });
        const q = quantizeSpec(s, {});
        if (q.issues.length > 0) return true; // out of the 2^7 exponent range: reported, tested elsewhere
        const d = q.network.dense[0]!;
        const largest = Math.max(...d.weight);
        if (d.weightExp === WEIGHT_EXP_MIN && largest < 128) {
          // Too small for the exponent range: fewer mantissa bits, and a note says so.
          expect(q.notes.some((n) => n.includes('at the smallest weight exponent'))).toBe(true);
          return true;
        }
        expect(largest).toBeGreaterThanOrEqual(128);
        expect(largest).toBeLessThanOrEqual(255);
        expect(q.errors.weights.max).toBeLessThanOrEqual(0.5 / 64 + 1e-12);
        return true;
      },
    ), { seed: 42, numRuns: 60 });
  });

  it('truncates to fewer weight bits by rounding to the coarser grid (Lava truncation then changes nothing)', () => {
    const s = spec({
      populations: [{ id: 'src', size: 10, model: { type: 'spike_source' } }, { id: 'n', size: 10, model: LOIHI_LIF }],
      projections: [{ id: 'p', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: { dist: 'uniform', low: 0.1, high: 1 } }],
    });
    const q = quantizeSpec(s, { numWeightBits: 4 });
    expect(q.network.dense[0]!.weight.every((w) => w % 16 === 0)).toBe(true);
    expect(q.errors.weights.max).toBeGreaterThan(quantizeSpec(s, {}).errors.weights.max);
  });

  it('reports its errors in the compile report, with cores, chips and the honest-claim note', async () => {
    const artifact = await loihiBackend.compile(cubaLike(300), { mode: 'emulate' });
    const q = artifact.report.quantization!;
    expect(Object.keys(q).sort()).toEqual([
      'biases.maxRelError', 'biases.meanRelError', 'decays.maxRelError', 'decays.meanRelError',
      'thresholds.maxRelError', 'thresholds.meanRelError', 'weights.maxRelError', 'weights.meanRelError',
    ]);
    expect(q['weights.maxRelError']).toBeGreaterThan(0);
    expect(q['weights.maxRelError']).toBeLessThan(0.01);
    expect(artifact.report.units).toEqual({ cores: 1, chips: 1 });
    expect(artifact.report.notes[0]).toMatch(/bit-exact with Lava's fixed-point CPU model.*not run on Loihi silicon/);
  });
});

describe('loihi emulation vs the float cpu run of the same spec', () => {
  it('delivers an input spike one step later, like the cpu engine: the first output spike comes at the same step', async () => {
    const s = spec({
      dt_ms: 0.1,
      populations: [{ id: 'in', size: 1, model: { type: 'spike_source' } }, { id: 'n', size: 1, model: LOIHI_LIF }],
      projections: [{ id: 'p', source: 'in', target: 'n', connector: { type: 'all_to_all' }, weight: 40 }],
    });
    const first = async (backend: typeof cpuBackend, mode: 'hardware' | 'emulate') => {
      const spikes = await runSession(await backend.open(await backend.compile(s, { mode })), 50, { 3: [0] });
      return spikes.find(([, n]) => n === 1)?.[0];
    };
    const cpu = await first(cpuBackend, 'hardware');
    expect(cpu).toBeGreaterThan(3);
    expect(await first(loihiBackend, 'emulate')).toBe(cpu);
  });

  it('fires a bias-driven neuron at the float rate within 2 % (dt 0.1 ms and 1 ms)', async () => {
    for (const dt of [0.1, 1]) {
      const s = spec({ dt_ms: dt, populations: [{ id: 'n', size: 1, model: { ...LOIHI_LIF, i_offset_nA: 1.2 } }] });
      const [r] = await compareRates(s, loihiBackend, 'emulate', Math.round(2000 / dt));
      expect(r!.cpuHz).toBeGreaterThan(10);
      expect(Math.abs(r!.relativeDifference), `dt ${dt}`).toBeLessThan(0.02);
    }
  });

  it('keeps the population rates of a recurrent E/I network within 10 % of the float run', async () => {
    const rates = await compareRates(cubaLike(500, 3), loihiBackend, 'emulate', 5000);
    for (const r of rates) {
      expect(r.cpuHz, r.population).toBeGreaterThan(2);
      expect(Math.abs(r.relativeDifference), `${r.population}: cpu ${r.cpuHz} Hz, loihi ${r.backendHz} Hz`).toBeLessThan(0.1);
    }
  });
});
