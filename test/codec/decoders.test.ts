// Decoders on hand-made spike trains: exact rates, first spikes, population vectors and winners.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../core/codec/decoders.ts';
import { observe } from './spike-helpers.ts';

const ctx = { dt_ms: 1 };

describe('rate decoder', () => {
  it('reports each neuron’s rate and the population mean over the last window_ms', () => {
    const decoder = createDecoder({ type: 'rate', window_ms: 4 }, 4, ctx);
    observe(decoder, 0, [0, 1]);
    observe(decoder, 1, [0]);
    observe(decoder, 2, []);
    observe(decoder, 3, [2, 0]);
    // 3, 1, 1, 0 spikes in 4 ms
    expect(decoder.read()).toEqual({ kind: 'rate', value: 312.5, rates_hz: [750, 250, 250, 0], span_ms: 4 });
    observe(decoder, 4, [3]); // step 0 leaves the window
    expect(decoder.read()).toEqual({ kind: 'rate', value: 250, rates_hz: [500, 0, 250, 250], span_ms: 4 });
  });

  it('measures over the steps observed so far until the window has filled', () => {
    const decoder = createDecoder({ type: 'rate', window_ms: 100 }, 2, { dt_ms: 0.5 });
    observe(decoder, 10, [1]);
    observe(decoder, 11, [1]);
    expect(decoder.read()).toEqual({ kind: 'rate', value: 1000, rates_hz: [0, 2000], span_ms: 1 });
  });

  it('counts skipped steps as silent and forgets everything older than the window', () => {
    const decoder = createDecoder({ type: 'rate', window_ms: 4 }, 2, ctx);
    observe(decoder, 0, [0, 1]);
    observe(decoder, 2, [0]);
    observe(decoder, 5, [1]); // steps 2 … 5 in the window: step 0 has left
    expect(decoder.read()).toMatchObject({ rates_hz: [250, 250] });
    observe(decoder, 100, []);
    expect(decoder.read()).toMatchObject({ value: 0, rates_hz: [0, 0], span_ms: 4 });
  });

  it('adds the spikes of a step observed in several slices', () => {
    const decoder = createDecoder({ type: 'rate', window_ms: 1 }, 3, ctx);
    observe(decoder, 7, [0]);
    observe(decoder, 7, [2]);
    expect(decoder.read()).toMatchObject({ rates_hz: [1000, 0, 1000] });
  });

  it('reads null before any step and after reset', () => {
    const decoder = createDecoder({ type: 'rate', window_ms: 10 }, 2, ctx);
    expect(decoder.read()).toEqual({ kind: 'rate', value: null, rates_hz: [0, 0], span_ms: 0 });
    observe(decoder, 0, [1]);
    decoder.reset();
    expect(decoder.read()).toMatchObject({ value: null, span_ms: 0 });
    observe(decoder, 3, []); // after reset an earlier step is fine again
    expect(decoder.read()).toMatchObject({ value: 0, span_ms: 1 });
  });
});

describe('first-spike decoder', () => {
  it('reports the first neuron to fire in the window (ties: lowest index) and its latency', () => {
    const decoder = createDecoder({ type: 'first_spike', window_ms: 5 }, 5, ctx);
    observe(decoder, 0, []);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: null, latency_ms: null, window_start_step: 0 });
    observe(decoder, 1, []);
    observe(decoder, 2, [3, 1]);
    observe(decoder, 3, [0]);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: 1, latency_ms: 2, window_start_step: 0 });
  });

  it('starts over at each window boundary, windows aligned to step 0', () => {
    const decoder = createDecoder({ type: 'first_spike', window_ms: 5 }, 5, { dt_ms: 0.5 }); // W = 10 steps
    observe(decoder, 4, [4]);
    observe(decoder, 10, []);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: null, latency_ms: null, window_start_step: 10 });
    observe(decoder, 17, [4]);
    observe(decoder, 17, [2]); // a second slice of the same step can still win the tie
    observe(decoder, 18, [0]);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: 2, latency_ms: 3.5, window_start_step: 10 });
    observe(decoder, 33, [3]);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: 3, latency_ms: 1.5, window_start_step: 30 });
  });

  it('reads null before any step', () => {
    const decoder = createDecoder({ type: 'first_spike', window_ms: 5 }, 2, ctx);
    expect(decoder.read()).toEqual({ kind: 'first_spike', value: null, latency_ms: null, window_start_step: null });
  });
});

describe('population-vector decoder', () => {
  it('decodes the spike-weighted mean of preferred values evenly spaced over [min, max]', () => {
    const decoder = createDecoder({ type: 'population_vector', window_ms: 10, min: 0, max: 4 }, 5, ctx); // μ = 0 … 4
    observe(decoder, 0, [1, 2, 3]);
    observe(decoder, 1, [2]);
    expect(decoder.read()).toEqual({ kind: 'population_vector', value: 2, spikes: 4, span_ms: 2 });
    observe(decoder, 2, [4, 4, 4]);
    expect(decoder.read()).toMatchObject({ value: (1 + 2 + 3 + 2 + 12) / 7, spikes: 7 });
  });

  it('puts a single neuron’s preferred value at the middle of the range', () => {
    const decoder = createDecoder({ type: 'population_vector', window_ms: 10, min: -3, max: 5 }, 1, ctx);
    observe(decoder, 0, [0]);
    expect(decoder.read()).toMatchObject({ value: 1 });
  });

  it('reads null when the window holds no spike', () => {
    const decoder = createDecoder({ type: 'population_vector', window_ms: 2, min: 0, max: 1 }, 3, ctx);
    observe(decoder, 0, [1]);
    observe(decoder, 5, []);
    expect(decoder.read()).toEqual({ kind: 'population_vector', value: null, spikes: 0, span_ms: 2 });
  });
});

describe('winner-take-all decoder', () => {
  it('picks the neuron with most spikes in the window, the lowest index on a tie', () => {
    const decoder = createDecoder({ type: 'winner_take_all', window_ms: 3, min_spikes: 2 }, 4, ctx);
    observe(decoder, 0, [3, 3]);
    observe(decoder, 1, [1, 2, 0]);
    observe(decoder, 2, [1, 2]);
    expect(decoder.read()).toEqual({ kind: 'winner_take_all', value: 1, winner_spikes: 2, total_spikes: 7, span_ms: 3 });
    observe(decoder, 3, [2]); // step 0 leaves: neuron 3 drops out, neuron 2 leads
    expect(decoder.read()).toEqual({ kind: 'winner_take_all', value: 2, winner_spikes: 3, total_spikes: 6, span_ms: 3 });
  });

  it('reads null while the leader has fewer than min_spikes', () => {
    const decoder = createDecoder({ type: 'winner_take_all', window_ms: 3, min_spikes: 2 }, 3, ctx);
    observe(decoder, 0, [2, 0]);
    expect(decoder.read()).toEqual({ kind: 'winner_take_all', value: null, winner_spikes: 1, total_spikes: 2, span_ms: 1 });
  });

  it('with min_spikes 0 names neuron 0 in a silent window, but nothing before any step', () => {
    const decoder = createDecoder({ type: 'winner_take_all', window_ms: 3, min_spikes: 0 }, 3, ctx);
    expect(decoder.read()).toMatchObject({ value: null });
    observe(decoder, 0, []);
    expect(decoder.read()).toMatchObject({ value: 0, winner_spikes: 0 });
  });
});

describe('decoder input checks', () => {
  it.each(['rate', 'first_spike', 'population_vector', 'winner_take_all'] as const)('%s rejects bad input with a code and records none of it', (type) => {
    const spec = type === 'population_vector' ? { type, window_ms: 5, min: 0, max: 1 } : type === 'winner_take_all' ? { type, window_ms: 5, min_spikes: 1 } : { type, window_ms: 5 };
    const decoder = createDecoder(spec, 3, { dt_ms: 1, path: 'outputs[0].decoder' });
    observe(decoder, 4, [0, 1]);
    const before = decoder.read();
    expect(() => observe(decoder, 3, [0])).toThrow(expect.objectContaining({ code: 'E_CODEC_STEP', path: 'outputs[0].decoder' }));
    expect(() => observe(decoder, 4, [0, 3])).toThrow(expect.objectContaining({ code: 'E_CODEC_SPIKES' }));
    expect(() => decoder.observe(4, Uint32Array.of(0), 2)).toThrow(expect.objectContaining({ code: 'E_CODEC_SPIKES' }));
    expect(() => decoder.observe(4.5, Uint32Array.of(0), 1)).toThrow(expect.objectContaining({ code: 'E_CODEC_STEP' }));
    expect(decoder.read()).toEqual(before);
  });
});
