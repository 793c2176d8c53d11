// Delta encoder: one up/down spike per threshold crossed, counted exactly, one spike per neuron per step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../core/codec/encoders.ts';
import { runEncoder } from './spike-helpers.ts';

const UP = 0;
const DOWN = 1;
const ctx = { seed: 0, stream: 0, dt_ms: 1 };

describe('delta encoder', () => {
  it('sends an up spike per threshold risen and a down spike per threshold fallen, following the emitted level', () => {
    const encoder = createEncoder({ type: 'delta', threshold: 0.5 }, 2, ctx);
    const sent: number[][] = [];
    for (const value of [0, 0.4, 0.5, 0.9, 2.0, 2.0, 2.0, 1.2, 1.2, 1.6]) {
      encoder.setValue(value);
      sent.push(...runEncoder(encoder, 1, sent.length));
    }
    // level: 0 (anchor) → 0 → 0.5 → 0.5 → 1.0 → 1.5 → 2.0 → 1.5 → 1.5 (1.2 > 1.0) → 1.5 (1.6 < 2.0)
    expect(sent).toEqual([[], [], [UP], [], [UP], [UP], [UP], [DOWN], [], []]);
  });

  it('anchors at the first value set, so a large first reading sends nothing', () => {
    const encoder = createEncoder({ type: 'delta', threshold: 1 }, 2, ctx);
    encoder.setValue(1000);
    expect(runEncoder(encoder, 5).flat()).toEqual([]);
    encoder.setValue(1002);
    expect(runEncoder(encoder, 5, 5)).toEqual([[UP], [UP], [], [], []]);
  });

  it('sends a jump of k thresholds as k spikes on k successive steps', () => {
    const encoder = createEncoder({ type: 'delta', threshold: 0.25 }, 2, ctx);
    encoder.setValue(0);
    encoder.setValue(-1.75);
    expect(runEncoder(encoder, 9)).toEqual([[DOWN], [DOWN], [DOWN], [DOWN], [DOWN], [DOWN], [DOWN], [], []]);
  });

  it('encodes channel c of a vector on neurons 2c (up) and 2c + 1 (down)', () => {
    const encoder = createEncoder({ type: 'delta', threshold: 1 }, 6, ctx);
    expect(encoder.channels).toBe(3);
    encoder.setValue([0, 0, 0]);
    encoder.setValue([1, -1, 0.5]);
    expect(runEncoder(encoder, 2)).toEqual([[0, 3], []]);
  });

  /** Feeds each value and lets the backlog drain; returns ups − downs after each value. */
  function levelsAfter(values: number[], threshold: number): number[] {
    const encoder = createEncoder({ type: 'delta', threshold }, 2, ctx);
    const levels: number[] = [];
    let level = 0;
    let step = 0;
    for (const value of values) {
      encoder.setValue(value);
      const drain = Math.ceil(Math.abs(value - values[0]) / threshold) + Math.ceil(Math.abs(level)) + 2;
      for (const spikes of runEncoder(encoder, drain, step)) for (const i of spikes) level += i === UP ? 1 : -1;
      step += drain;
      levels.push(level);
    }
    return levels;
  }

  it('counts crossings exactly: on a grid of thresholds, ups − downs is the number of thresholds from the anchor', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -400, max: 400 }), { minLength: 1, maxLength: 20 }), (eighths) => {
      // threshold 1/8 and values k/8 are exact in binary, so every crossing is decided without rounding.
      const levels = levelsAfter(eighths.map((e) => e / 8), 0.125);
      expect(levels).toEqual(eighths.map((e) => e - eighths[0]));
    }), { numRuns: 100 });
  });

  it('keeps any value within one threshold of the emitted level once the backlog has drained', () => {
    const value = fc.double({ min: -50, max: 50, noNaN: true });
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), fc.double({ min: 0.05, max: 5, noNaN: true }), (values, threshold) => {
      const levels = levelsAfter(values, threshold);
      values.forEach((v, i) => {
        const rise = v - values[0];
        expect(rise).toBeLessThan((levels[i] + 1) * threshold);
        expect(rise).toBeGreaterThan((levels[i] - 1) * threshold);
      });
    }), { numRuns: 100 });
  });

  it('rejects an odd population size', () => {
    expect(() => createEncoder({ type: 'delta', threshold: 1 }, 3, { ...ctx, path: 'inputs[1].encoder' }))
      .toThrow(expect.objectContaining({ code: 'E_CODEC_DELTA_SIZE', path: 'inputs[1].encoder' }));
  });
});
