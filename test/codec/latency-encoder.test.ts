// Latency encoder: stronger values fire earlier, one spike per neuron per window, values latched per window.
import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../core/codec/encoders.ts';
import { runEncoder } from './spike-helpers.ts';

const spec = { type: 'latency', window_ms: 10, min: 0, max: 1 } as const;
const ctx = { seed: 0, stream: 0, dt_ms: 1 };

describe('latency encoder', () => {
  it('fires each neuron once at offset floor(W·(1 − x)): the strongest first, zero never', () => {
    const encoder = createEncoder(spec, 5, ctx);
    encoder.setValue([0.25, 1, 0, 0.5, 0.75]);
    const trains = runEncoder(encoder, 10);
    expect(trains).toEqual([[1], [], [4], [], [], [3], [], [0], [], []]);
  });

  it('repeats the same pattern in every window while the value holds', () => {
    const encoder = createEncoder(spec, 3, ctx);
    encoder.setValue([0.3, 0.6, 0.9]);
    const trains = runEncoder(encoder, 50);
    for (let w = 1; w < 5; w++) expect(trains.slice(w * 10, w * 10 + 10)).toEqual(trains.slice(0, 10));
    for (let w = 0; w < 5; w++) expect(trains.slice(w * 10, w * 10 + 10).flat().sort()).toEqual([0, 1, 2]);
  });

  it('maps [min, max] onto the window and clamps values outside it', () => {
    const encoder = createEncoder({ type: 'latency', window_ms: 20, min: 100, max: 200 }, 4, { seed: 0, stream: 0, dt_ms: 2 });
    encoder.setValue([50, 150, 200, 300]); // W = 10 steps; x = 0, 0.5, 1, 1
    expect(runEncoder(encoder, 10)).toEqual([[2, 3], [], [], [], [], [1], [], [], [], []]);
  });

  it('applies a value set mid-window from the next window on', () => {
    const encoder = createEncoder(spec, 1, ctx);
    encoder.setValue(0.5);
    const first = runEncoder(encoder, 3);
    encoder.setValue(1);
    const rest = runEncoder(encoder, 17, 3);
    const trains = [...first, ...rest];
    expect(trains.slice(0, 10).flat()).toEqual([0]);
    expect(trains[5]).toEqual([0]);
    expect(trains[10]).toEqual([0]);
    expect(trains.slice(11, 20).flat()).toEqual([]);
  });

  it('aligns windows to step 0, so a window joined midway only sends its remaining spikes', () => {
    const encoder = createEncoder(spec, 2, ctx);
    encoder.setValue([1, 0.5]); // offsets 0 and 5
    const trains = runEncoder(encoder, 17, 13); // steps 13 … 29
    expect(trains[15 - 13]).toEqual([1]);
    expect(trains[20 - 13]).toEqual([0]);
    expect(trains[25 - 13]).toEqual([1]);
    expect(trains.flat()).toEqual([1, 0, 1]);
  });

  it('rounds window_ms/dt_ms to whole steps and rejects a window shorter than a step', () => {
    const encoder = createEncoder({ type: 'latency', window_ms: 2.5, min: 0, max: 1 }, 1, { seed: 0, stream: 0, dt_ms: 0.1 });
    encoder.setValue(1);
    expect(runEncoder(encoder, 75).flatMap((spikes, step) => (spikes.length > 0 ? [step] : []))).toEqual([0, 25, 50]);
    expect(() => createEncoder({ type: 'latency', window_ms: 0.05, min: 0, max: 1 }, 1, { seed: 0, stream: 0, dt_ms: 0.1 }))
      .toThrow(expect.objectContaining({ code: 'E_CODEC_WINDOW' }));
  });
});
