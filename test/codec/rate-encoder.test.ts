// Rate encoder: firing statistics, determinism from (seed, stream, neuron, step), per-neuron vector values.
import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../core/codec/encoders.ts';
import { uniform32 } from '../../core/random.ts';
import { countPerNeuron, runEncoder } from './spike-helpers.ts';

const dt_ms = 1;
const spec = { type: 'rate', max_rate_hz: 100, min: 0, max: 1 } as const;

describe('rate encoder', () => {
  it.each([0.1, 0.5, 1])('fires at max_rate·x on average (x = %s), within 4 standard errors over 200 000 draws', (x) => {
    const encoder = createEncoder(spec, 100, { seed: 7, stream: 3, dt_ms });
    encoder.setValue(x);
    const steps = 2000;
    const total = runEncoder(encoder, steps).reduce((sum, step) => sum + step.length, 0);
    const trials = steps * 100;
    const p = (spec.max_rate_hz * x * dt_ms) / 1000;
    const standardError = Math.sqrt(trials * p * (1 - p));
    expect(Math.abs(total - trials * p)).toBeLessThan(4 * standardError);
  });

  it('maps the value linearly between min and max and clamps outside it', () => {
    const encoder = createEncoder({ type: 'rate', max_rate_hz: 200, min: -10, max: 10 }, 4, { seed: 1, stream: 1, dt_ms: 1 });
    encoder.setValue([-50, -10, 10, 50]);
    const counts = countPerNeuron(runEncoder(encoder, 3000), 4);
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBe(0);
    // p = 0.2 for both saturated neurons: 600 expected, standard error √(3000·0.2·0.8) ≈ 22.
    expect(Math.abs(counts[2] - 600)).toBeLessThan(90);
    expect(Math.abs(counts[3] - 600)).toBeLessThan(90);
  });

  it('gives each neuron its own rate when the value is a vector (image pixels)', () => {
    const encoder = createEncoder(spec, 3, { seed: 2, stream: 9, dt_ms });
    encoder.setValue(Float32Array.of(0, 0.25, 1));
    const counts = countPerNeuron(runEncoder(encoder, 20000), 3);
    expect(counts[0]).toBe(0);
    // expected 500 and 2000 spikes; standard errors ≈ 22 and 42.
    expect(Math.abs(counts[1] - 500)).toBeLessThan(90);
    expect(Math.abs(counts[2] - 2000)).toBeLessThan(170);
  });

  it('fires neuron i in step s exactly when uniform32(seed, stream, i, s) < rate·dt', () => {
    const encoder = createEncoder(spec, 50, { seed: 11, stream: 22, dt_ms });
    encoder.setValue(0.4);
    const trains = runEncoder(encoder, 300);
    for (let s = 0; s < 300; s++) {
      const expected: number[] = [];
      for (let i = 0; i < 50; i++) if (uniform32(11, 22, i, s) < 0.04) expected.push(i);
      expect(trains[s]).toEqual(expected);
    }
  });

  it('emits the same spikes for a step whatever steps were emitted before, and in a fresh encoder', () => {
    const a = createEncoder(spec, 64, { seed: 5, stream: 6, dt_ms });
    const b = createEncoder(spec, 64, { seed: 5, stream: 6, dt_ms });
    a.setValue(0.7);
    b.setValue(0.7);
    const forward = runEncoder(a, 100);
    const out = new Uint32Array(64);
    for (let s = 99; s >= 0; s--) {
      const n = b.emit(s, out);
      expect(Array.from(out.subarray(0, n))).toEqual(forward[s]);
    }
  });

  it('draws independently on different streams: coincidences match p² within 5 standard errors', () => {
    const a = createEncoder(spec, 100, { seed: 5, stream: 1, dt_ms: 5 });
    const b = createEncoder(spec, 100, { seed: 5, stream: 2, dt_ms: 5 });
    a.setValue(1);
    b.setValue(1); // p = 0.5 per step
    const ta = runEncoder(a, 200);
    const tb = runEncoder(b, 200);
    let both = 0;
    for (let s = 0; s < 200; s++) {
      const inB = new Set(tb[s]);
      for (const i of ta[s]) if (inB.has(i)) both++;
    }
    const trials = 20000;
    expect(Math.abs(both - trials * 0.25)).toBeLessThan(5 * Math.sqrt(trials * 0.25 * 0.75));
    expect(ta).not.toEqual(tb);
  });

  it('does not repeat its draws 2³² steps later (steps past 32 bits get a derived stream)', () => {
    const encoder = createEncoder(spec, 200, { seed: 3, stream: 4, dt_ms: 10 });
    encoder.setValue(0.5); // p = 0.5
    const early = runEncoder(encoder, 20, 1000);
    const late = runEncoder(encoder, 20, 2 ** 32 + 1000);
    expect(late).not.toEqual(early);
    expect(runEncoder(encoder, 20, 2 ** 32 + 1000)).toEqual(late);
  });

  it('is silent until a value is set and after reset', () => {
    const encoder = createEncoder(spec, 10, { seed: 1, stream: 1, dt_ms });
    expect(runEncoder(encoder, 200).flat()).toEqual([]);
    encoder.setValue(1);
    expect(runEncoder(encoder, 200).flat().length).toBeGreaterThan(0);
    encoder.reset();
    expect(runEncoder(encoder, 200).flat()).toEqual([]);
  });

  it('rejects a non-finite value or a vector of the wrong length with E_CODEC_VALUE and keeps the old value', () => {
    const encoder = createEncoder(spec, 3, { seed: 1, stream: 1, dt_ms, path: 'inputs[0].encoder' });
    encoder.setValue([0, 0.5, 1]);
    const before = encoder.state();
    expect(() => encoder.setValue(Number.NaN)).toThrow(expect.objectContaining({ code: 'E_CODEC_VALUE', path: 'inputs[0].encoder.value' }));
    expect(() => encoder.setValue([1, 1])).toThrow(expect.objectContaining({ code: 'E_CODEC_VALUE' }));
    expect(() => encoder.setValue([1, Infinity, 1])).toThrow(expect.objectContaining({ code: 'E_CODEC_VALUE', path: 'inputs[0].encoder.value[1]' }));
    expect(encoder.state()).toEqual(before);
  });

  it('rejects a negative or fractional step and an output buffer smaller than the population', () => {
    const encoder = createEncoder(spec, 3, { seed: 1, stream: 1, dt_ms });
    expect(() => encoder.emit(-1, new Uint32Array(3))).toThrow(expect.objectContaining({ code: 'E_CODEC_STEP' }));
    expect(() => encoder.emit(1.5, new Uint32Array(3))).toThrow(expect.objectContaining({ code: 'E_CODEC_STEP' }));
    expect(() => encoder.emit(0, new Uint32Array(2))).toThrow(expect.objectContaining({ code: 'E_CODEC_OUT' }));
  });
});
