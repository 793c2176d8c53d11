// Properties of every encoder and decoder over generated specs, values and spike trains (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpikeDecoder, SpikeEncoder } from '../../core/codec/contracts.ts';
import { createDecoder } from '../../core/codec/decoders.ts';
import { createEncoder } from '../../core/codec/encoders.ts';
import type { Decoder, Encoder } from '../../core/spec/schema.ts';

const dtArb = fc.constantFrom(0.1, 0.25, 1, 2);
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const rangeArb = fc.tuple(finite, fc.double({ min: 1e-3, max: 1e6, noNaN: true })).map(([min, width]) => ({ min, max: min + width }));

/** An encoder spec valid at dt_ms, with a size that suits it. */
function encoderCase(dt_ms: number): fc.Arbitrary<{ spec: Encoder; size: number }> {
  const maxRate = fc.double({ min: 1e-3, max: 1000 / dt_ms, noNaN: true });
  const size = fc.integer({ min: 1, max: 40 });
  return fc.oneof(
    fc.record({ spec: fc.record({ type: fc.constant('rate' as const), max_rate_hz: maxRate }).chain((s) => rangeArb.map((r) => ({ ...s, ...r }))), size }),
    fc.record({ spec: fc.record({ type: fc.constant('latency' as const), window_ms: fc.double({ min: dt_ms, max: 40 * dt_ms, noNaN: true }) }).chain((s) => rangeArb.map((r) => ({ ...s, ...r }))), size }),
    fc.record({ spec: fc.record({ type: fc.constant('delta' as const), threshold: fc.double({ min: 1e-3, max: 100, noNaN: true }) }), size: fc.integer({ min: 1, max: 20 }).map((c) => 2 * c) }),
    fc.record({
      spec: fc.record({ type: fc.constant('population' as const), max_rate_hz: maxRate, sigma: fc.option(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { nil: undefined }) })
        .chain((s) => rangeArb.map((r) => ({ ...s, ...r }))),
      size,
    }),
  );
}

/** Per step: nothing, a scalar, or a vector (cut to the encoder's channel count when applied). */
const valueChange = fc.option(fc.oneof(finite, fc.array(finite, { minLength: 40, maxLength: 40 })), { freq: 2 });
const scenario = dtArb.chain((dt_ms) => fc.record({
  dt_ms: fc.constant(dt_ms),
  encoder: encoderCase(dt_ms),
  seed: fc.nat({ max: 0xffffffff }),
  stream: fc.nat({ max: 0xffffffff }),
  firstStep: fc.oneof(fc.constant(0), fc.nat({ max: 1e6 }), fc.constant(2 ** 32 - 3)),
  changes: fc.array(valueChange, { minLength: 1, maxLength: 60 }),
}));

function applyChange(encoder: SpikeEncoder, change: number | number[] | null): void {
  if (change === null) return;
  encoder.setValue(typeof change === 'number' ? change : change.slice(0, encoder.channels));
}

/** Emits one step per change (applying the change first) and returns the spikes per step. */
function drive(encoder: SpikeEncoder, changes: (number | number[] | null)[], firstStep: number): number[][] {
  const out = new Uint32Array(encoder.size);
  return changes.map((change, k) => {
    applyChange(encoder, change);
    return Array.from(out.subarray(0, encoder.emit(firstStep + k, out)));
  });
}

describe('every encoder', () => {
  it('emits strictly ascending indices within the population, at most size of them', () => {
    fc.assert(fc.property(scenario, ({ dt_ms, encoder: c, seed, stream, firstStep, changes }) => {
      const encoder = createEncoder(c.spec, c.size, { seed, stream, dt_ms });
      for (const spikes of drive(encoder, changes, firstStep)) {
        expect(spikes.length).toBeLessThanOrEqual(c.size);
        spikes.forEach((index, k) => {
          expect(index).toBeLessThan(c.size);
          if (k > 0) expect(index).toBeGreaterThan(spikes[k - 1]);
        });
      }
    }), { numRuns: 300 });
  });

  it('continues after state()/restore() into a fresh encoder exactly as without the interruption', () => {
    fc.assert(fc.property(scenario, fc.nat(), ({ dt_ms, encoder: c, seed, stream, firstStep, changes }, cut) => {
      const at = cut % changes.length;
      const ctx = { seed, stream, dt_ms };
      const whole = drive(createEncoder(c.spec, c.size, ctx), changes, firstStep);
      const before = createEncoder(c.spec, c.size, ctx);
      drive(before, changes.slice(0, at), firstStep);
      const after = createEncoder(c.spec, c.size, ctx);
      after.restore(before.state());
      expect(drive(after, changes.slice(at), firstStep + at)).toEqual(whole.slice(at));
    }), { numRuns: 300 });
  });

  it('behaves after reset() exactly as when new', () => {
    fc.assert(fc.property(scenario, ({ dt_ms, encoder: c, seed, stream, firstStep, changes }) => {
      const ctx = { seed, stream, dt_ms };
      const used = createEncoder(c.spec, c.size, ctx);
      drive(used, changes, firstStep);
      used.reset();
      expect(drive(used, changes, firstStep)).toEqual(drive(createEncoder(c.spec, c.size, ctx), changes, firstStep));
    }), { numRuns: 100 });
  });

  it('rejects a state from another kind or size with E_CODEC_STATE', () => {
    const ctx = { seed: 1, stream: 1, dt_ms: 1 };
    const rate = createEncoder({ type: 'rate', max_rate_hz: 10, min: 0, max: 1 }, 4, ctx);
    const latency = createEncoder({ type: 'latency', window_ms: 5, min: 0, max: 1 }, 4, ctx);
    const smaller = createEncoder({ type: 'rate', max_rate_hz: 10, min: 0, max: 1 }, 2, ctx);
    expect(() => rate.restore(latency.state())).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
    expect(() => smaller.restore(rate.state())).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
    const corrupt = rate.state();
    corrupt[3] = 0.5; // above max_rate·dt = 0.01
    expect(() => rate.restore(corrupt)).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
  });
});

describe('latency encoder ordering', () => {
  it('never fires a larger value later than a smaller one within a window', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 200 }), (a, b, w) => {
      const encoder = createEncoder({ type: 'latency', window_ms: w, min: 0, max: 1 }, 2, { seed: 0, stream: 0, dt_ms: 1 });
      encoder.setValue([a, b]);
      const firing = [Infinity, Infinity];
      const out = new Uint32Array(2);
      for (let s = 0; s < w; s++) {
        const n = encoder.emit(s, out);
        for (let k = 0; k < n; k++) firing[out[k]] = s;
      }
      if (a > b) expect(firing[0]).toBeLessThanOrEqual(firing[1]);
      if (b > a) expect(firing[1]).toBeLessThanOrEqual(firing[0]);
      if (a > 0) expect(firing[0]).toBe(Math.min(w - 1, Math.floor(w * (1 - a))));
      else expect(firing[0]).toBe(Infinity);
    }), { numRuns: 300 });
  });
});

const decoderSpecArb: fc.Arbitrary<Decoder> = fc.integer({ min: 1, max: 30 }).chain((windowSteps) => fc.oneof(
  fc.constant({ type: 'rate' as const, window_ms: windowSteps }),
  fc.constant({ type: 'first_spike' as const, window_ms: windowSteps }),
  rangeArb.map((r) => ({ type: 'population_vector' as const, window_ms: windowSteps, ...r })),
  fc.nat({ max: 5 }).map((min_spikes) => ({ type: 'winner_take_all' as const, window_ms: windowSteps, min_spikes })),
));

/** Observations: a step gap (0 = another slice of the same step) and a spike list, any order, duplicates allowed. */
const trainArb = fc.integer({ min: 1, max: 40 }).chain((size) => fc.record({
  size: fc.constant(size),
  observations: fc.array(fc.record({
    gap: fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 50 })),
    spikes: fc.array(fc.nat({ max: size - 1 }), { maxLength: 2 * size }),
  }), { maxLength: 80 }),
}));

function feed(decoder: SpikeDecoder, observations: { gap: number; spikes: number[] }[], startStep: number): unknown[] {
  let step = startStep;
  return observations.map(({ gap, spikes }) => {
    step += gap;
    decoder.observe(step, Uint32Array.from(spikes), spikes.length);
    return decoder.read();
  });
}

describe('every decoder', () => {
  it('never throws on valid spike lists and always reads JSON-safe output with a finite or null value', () => {
    fc.assert(fc.property(decoderSpecArb, trainArb, (spec, { size, observations }) => {
      const decoder = createDecoder(spec, size, { dt_ms: 1 });
      for (const output of feed(decoder, observations, 0)) {
        expect(JSON.parse(JSON.stringify(output))).toEqual(output);
        const value = (output as { value: number | null }).value;
        if (value !== null) expect(Number.isFinite(value)).toBe(true);
      }
    }), { numRuns: 300 });
  });

  it('continues after state()/restore() into a fresh decoder with the same readings', () => {
    fc.assert(fc.property(decoderSpecArb, trainArb, fc.nat(), (spec, { size, observations }, cut) => {
      const at = observations.length === 0 ? 0 : cut % observations.length;
      const whole = feed(createDecoder(spec, size, { dt_ms: 1 }), observations, 0);
      const before = createDecoder(spec, size, { dt_ms: 1 });
      feed(before, observations.slice(0, at), 0);
      const after = createDecoder(spec, size, { dt_ms: 1 });
      after.restore(before.state());
      const stepAtCut = observations.slice(0, at).reduce((s, o) => s + o.gap, 0);
      expect(feed(after, observations.slice(at), stepAtCut)).toEqual(whole.slice(at));
    }), { numRuns: 300 });
  });

  it('rate decoder counts equal a recount of the last W steps', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), trainArb, (w, { size, observations }) => {
      const decoder = createDecoder({ type: 'rate', window_ms: w }, size, { dt_ms: 1 });
      const history: { step: number; spikes: number[] }[] = [];
      let step = 0;
      for (const { gap, spikes } of observations) {
        step += gap;
        history.push({ step, spikes });
        decoder.observe(step, Uint32Array.from(spikes), spikes.length);
        const first = history[0].step;
        const span = Math.min(step - first + 1, w);
        const counts = new Array<number>(size).fill(0);
        for (const h of history) if (h.step > step - w) for (const i of h.spikes) counts[i]++;
        const read = decoder.read() as { rates_hz: number[]; span_ms: number };
        expect(read.span_ms).toBe(span);
        expect(read.rates_hz).toEqual(counts.map((c) => (c * 1000) / span));
      }
    }), { numRuns: 300 });
  });

  it('first-spike decoder agrees with a direct search of the current window', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), trainArb, (w, { size, observations }) => {
      const decoder = createDecoder({ type: 'first_spike', window_ms: w }, size, { dt_ms: 1 });
      const history: { step: number; spikes: number[] }[] = [];
      let step = 0;
      for (const { gap, spikes } of observations) {
        step += gap;
        history.push({ step, spikes });
        decoder.observe(step, Uint32Array.from(spikes), spikes.length);
        const start = Math.floor(step / w) * w;
        const inWindow = history.filter((h) => h.step >= start && h.spikes.length > 0);
        const firstStep = inWindow.length === 0 ? null : inWindow[0].step;
        const firstNeuron = firstStep === null ? null : Math.min(...inWindow.filter((h) => h.step === firstStep).flatMap((h) => h.spikes));
        expect(decoder.read()).toEqual({
          kind: 'first_spike',
          value: firstNeuron,
          latency_ms: firstStep === null ? null : firstStep - start,
          window_start_step: start,
        });
      }
    }), { numRuns: 300 });
  });

  it('rejects a state from another kind, or a corrupted one, with E_CODEC_STATE and keeps its own', () => {
    const rate = createDecoder({ type: 'rate', window_ms: 3 }, 3, { dt_ms: 1 });
    const wta = createDecoder({ type: 'winner_take_all', window_ms: 3, min_spikes: 1 }, 3, { dt_ms: 1 });
    rate.observe(0, Uint32Array.of(1, 2), 2);
    const before = rate.read();
    expect(() => rate.restore(wta.state())).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
    const corrupt = rate.state();
    corrupt[corrupt.length - 1] = 7; // a spike index outside the population
    expect(() => rate.restore(corrupt)).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
    const truncated = rate.state().subarray(0, 6);
    expect(() => rate.restore(truncated)).toThrow(expect.objectContaining({ code: 'E_CODEC_STATE' }));
    expect(rate.read()).toEqual(before);
  });
});
