// Population encoder (Gaussian receptive fields) and its inverse, the population-vector decoder, end to end.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../core/codec/decoders.ts';
import { createEncoder } from '../../core/codec/encoders.ts';
import { preferredValues } from '../../core/codec/preferred-values.ts';
import { countPerNeuron, runEncoder } from './spike-helpers.ts';

const size = 21;
const range = { min: 0, max: 1 } as const; // preferred values 0, 0.05, …, 1; σ defaults to the spacing 0.05
const sigma = 0.05;
const maxRate = 200;
const dt_ms = 1;
const encoderSpec = { type: 'population', ...range, max_rate_hz: maxRate } as const;

/** Expected spike counts per neuron over `seconds` for value x, from the tuning curves. */
function expectedCounts(x: number, seconds: number): number[] {
  return Array.from(preferredValues(size, range.min, range.max), (mu) => maxRate * seconds * Math.exp(-((x - mu) ** 2) / (2 * sigma * sigma)));
}

/**
 * The population vector's expectation (ratio of expected sums) and standard error (delta method for a ratio of
 * Poisson-like counts: Var ≈ Σ λᵢ(μᵢ − m)² / (Σ λᵢ)²).
 */
function populationVectorPrediction(x: number, seconds: number): { mean: number; standardError: number } {
  const lambda = expectedCounts(x, seconds);
  const mu = preferredValues(size, range.min, range.max);
  const total = lambda.reduce((a, b) => a + b, 0);
  const mean = lambda.reduce((a, l, i) => a + l * mu[i], 0) / total;
  const variance = lambda.reduce((a, l, i) => a + l * (mu[i] - mean) ** 2, 0) / (total * total);
  return { mean, standardError: Math.sqrt(variance) };
}

function decodeOneWindow(x: number, stream: number): number | null {
  const encoder = createEncoder(encoderSpec, size, { seed: 42, stream, dt_ms });
  const decoder = createDecoder({ type: 'population_vector', window_ms: 1000, ...range }, size, { dt_ms });
  encoder.setValue(x);
  const out = new Uint32Array(size);
  for (let step = 0; step < 1000; step++) decoder.observe(step, out, encoder.emit(step, out));
  return decoder.read().value;
}

describe('population encoder', () => {
  it('fires each neuron at max_rate·exp(−(x − μᵢ)²/2σ²): within 4 standard errors per neuron over 20 s', () => {
    const encoder = createEncoder(encoderSpec, size, { seed: 1, stream: 2, dt_ms });
    encoder.setValue(0.5);
    const counts = countPerNeuron(runEncoder(encoder, 20000), size);
    const expected = expectedCounts(0.5, 20);
    counts.forEach((count, i) => {
      const p = expected[i] / 20000;
      expect(Math.abs(count - expected[i])).toBeLessThanOrEqual(4 * Math.sqrt(20000 * p * (1 - p)) + 1);
    });
    expect(counts[10]).toBeGreaterThan(counts[9]); // the neuron preferring 0.5 leads
  });

  it('clamps values outside [min, max] to the edge neuron rather than silencing the population', () => {
    const encoder = createEncoder(encoderSpec, size, { seed: 1, stream: 3, dt_ms });
    encoder.setValue(7);
    const counts = countPerNeuron(runEncoder(encoder, 2000), size);
    expect(counts[20]).toBeGreaterThan(300); // expected 400
    expect(counts.indexOf(Math.max(...counts))).toBe(20);
  });

  it('uses the given sigma: a wider field drives a far neuron harder', () => {
    const narrow = createEncoder(encoderSpec, size, { seed: 1, stream: 4, dt_ms });
    const wide = createEncoder({ ...encoderSpec, sigma: 0.2 }, size, { seed: 1, stream: 4, dt_ms });
    narrow.setValue(0.5);
    wide.setValue(0.5);
    const far = 16; // μ = 0.8: 6σ away with the default σ, 1.5σ with σ = 0.2
    expect(countPerNeuron(runEncoder(narrow, 2000), size)[far]).toBe(0);
    expect(countPerNeuron(runEncoder(wide, 2000), size)[far]).toBeGreaterThan(80); // expected 130
  });
});

describe('population encoder → population-vector decoder', () => {
  // Tolerance: away from the edges (≥ 3σ) the tuning curves are symmetric around x, so the bias is < 3e-5 and the
  // error is sampling noise, about 0.0022 for ~500 spikes in a 1 s window. 4 standard errors + 1e-4 → ≈ 0.009.
  it.each([0.15, 0.2, 0.333, 0.41, 0.5, 0.6, 0.77, 0.85])('recovers %s within 4 standard errors from a 1 s window', (x) => {
    const { mean, standardError } = populationVectorPrediction(x, 1);
    expect(Math.abs(mean - x)).toBeLessThan(1e-4);
    const decoded = decodeOneWindow(x, Math.round(x * 1000));
    expect(decoded).not.toBeNull();
    expect(Math.abs((decoded as number) - x)).toBeLessThan(4 * standardError + 1e-4);
  });

  // At an edge the receptive fields are cut off on one side, so the estimate is pulled inward by ≈ 0.52σ (0.026).
  it.each([[0, 1], [1, -1]])('decodes the edge value %s biased inward by the truncated fields, as predicted', (x, inward) => {
    const { mean, standardError } = populationVectorPrediction(x, 1);
    expect((mean - x) * inward).toBeGreaterThan(0.02);
    const decoded = decodeOneWindow(x, 900 + x) as number;
    expect(Math.abs(decoded - mean)).toBeLessThan(4 * standardError);
  });
});
