// Which encoder/decoder specs can work at a population size and step length, reported as issues with paths.
import { describe, expect, it } from 'vitest';
import { createDecoder, decoderIssues } from '../../core/codec/decoders.ts';
import { createEncoder, encoderIssues } from '../../core/codec/encoders.ts';
import { HasnError } from '../../core/errors.ts';

const ctx = { seed: 0, stream: 0, dt_ms: 1, path: 'inputs[3].encoder' };

describe('encoder spec checks', () => {
  it('accepts every kind at a workable size and step', () => {
    expect(encoderIssues({ type: 'rate', max_rate_hz: 1000, min: 0, max: 1 }, 10, 1)).toEqual([]);
    expect(encoderIssues({ type: 'latency', window_ms: 1, min: -1, max: 1 }, 10, 1)).toEqual([]);
    expect(encoderIssues({ type: 'delta', threshold: 0.1 }, 2, 1)).toEqual([]);
    expect(encoderIssues({ type: 'population', max_rate_hz: 50, min: 0, max: 180, sigma: 10 }, 1, 0.1)).toEqual([]);
  });

  it('rejects a max_rate that would need more than one spike per step, naming the field and the limit', () => {
    const call = () => createEncoder({ type: 'rate', max_rate_hz: 2000, min: 0, max: 1 }, 4, ctx);
    expect(call).toThrow(expect.objectContaining({ code: 'E_CODEC_RATE_ABOVE_STEP', path: 'inputs[3].encoder.max_rate_hz' }));
    expect(call).toThrow(/≤ 1000/);
    expect(encoderIssues({ type: 'population', max_rate_hz: 20000, min: 0, max: 1 }, 4, 0.1)[0].code).toBe('E_CODEC_RATE_ABOVE_STEP');
  });

  it('rejects an empty or inverted range', () => {
    expect(() => createEncoder({ type: 'latency', window_ms: 5, min: 1, max: 1 }, 4, ctx))
      .toThrow(expect.objectContaining({ code: 'E_CODEC_RANGE', path: 'inputs[3].encoder.max' }));
    expect(encoderIssues({ type: 'population', max_rate_hz: 10, min: 5, max: -5 }, 4, 1)[0].code).toBe('E_CODEC_RANGE');
  });

  it('reports every problem at once, the first one as the error code', () => {
    const issues = encoderIssues({ type: 'rate', max_rate_hz: 5000, min: 2, max: 1 }, 4, 1, 'inputs[0].encoder');
    expect(issues.map((issue) => issue.code)).toEqual(['E_CODEC_RANGE', 'E_CODEC_RATE_ABOVE_STEP']);
    try {
      createEncoder({ type: 'rate', max_rate_hz: 5000, min: 2, max: 1 }, 4, { ...ctx, path: 'inputs[0].encoder' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HasnError);
      expect((error as HasnError).code).toBe('E_CODEC_RANGE');
      expect((error as HasnError).issues).toEqual(issues);
    }
  });

  it('rejects a bad size, step length, seed or stream', () => {
    const rate = { type: 'rate', max_rate_hz: 10, min: 0, max: 1 } as const;
    expect(() => createEncoder(rate, 0, ctx)).toThrow(expect.objectContaining({ code: 'E_CODEC_SIZE' }));
    expect(() => createEncoder(rate, 2.5, ctx)).toThrow(expect.objectContaining({ code: 'E_CODEC_SIZE' }));
    expect(() => createEncoder(rate, 4, { ...ctx, dt_ms: 0 })).toThrow(expect.objectContaining({ code: 'E_CODEC_DT' }));
    expect(() => createEncoder(rate, 4, { ...ctx, seed: -1 })).toThrow(expect.objectContaining({ code: 'E_CODEC_SEED' }));
    expect(() => createEncoder(rate, 4, { ...ctx, stream: 2 ** 32 })).toThrow(expect.objectContaining({ code: 'E_CODEC_SEED' }));
  });
});

describe('decoder spec checks', () => {
  it('rejects a window shorter than one step', () => {
    expect(() => createDecoder({ type: 'winner_take_all', window_ms: 0.5, min_spikes: 1 }, 4, { dt_ms: 1, path: 'outputs[1].decoder' }))
      .toThrow(expect.objectContaining({ code: 'E_CODEC_WINDOW', path: 'outputs[1].decoder.window_ms' }));
  });

  it('rejects an inverted population_vector range and a bad size', () => {
    expect(decoderIssues({ type: 'population_vector', window_ms: 5, min: 1, max: 0 }, 4, 1)[0].code).toBe('E_CODEC_RANGE');
    expect(decoderIssues({ type: 'rate', window_ms: 5 }, -3, 1)[0].code).toBe('E_CODEC_SIZE');
  });

  it('accepts each kind at a workable size and step', () => {
    expect(decoderIssues({ type: 'rate', window_ms: 0.1 }, 1, 0.1)).toEqual([]);
    expect(decoderIssues({ type: 'first_spike', window_ms: 20 }, 10, 0.1)).toEqual([]);
    expect(decoderIssues({ type: 'population_vector', window_ms: 5, min: -1, max: 1 }, 10, 1)).toEqual([]);
    expect(decoderIssues({ type: 'winner_take_all', window_ms: 5, min_spikes: 0 }, 10, 1)).toEqual([]);
  });
});
