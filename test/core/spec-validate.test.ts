// The spec validator: every problem with a path and a stable code; property-tested with fast-check.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../core/spec/validate.ts';

const valid = {
  version: 1,
  name: 'v',
  populations: [
    { id: 'src', size: 4, model: { type: 'spike_source' } },
    { id: 'a', size: 10, model: { type: 'lif' } },
  ],
  projections: [{ id: 'p', source: 'src', target: 'a', connector: { type: 'all_to_all' }, weight: 0.1 }],
  inputs: [{ id: 'in', population: 'src', channel: 'light', encoder: { type: 'rate', max_rate_hz: 100 } }],
  outputs: [{ id: 'out', population: 'a', sink: 'motor', decoder: { type: 'rate', window_ms: 50 } }],
};

function codes(input: unknown): [string, string][] {
  const result = validateSpec(input);
  return result.issues.map((i) => [i.code, i.path]);
}

describe('spec validation', () => {
  it('accepts the examples and fills in defaults', () => {
    for (const name of ['coba', 'cuba']) {
      const result = validateSpec(JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')));
      expect(result.issues).toEqual([]);
    }
    const result = validateSpec(valid);
    expect(result.ok && result.spec.dt_ms).toBe(0.1);
    expect(result.ok && result.spec.projections[0]!.receptor).toBe('exc');
  });

  it('lists every schema problem, each with its path', () => {
    expect(codes({ ...valid, version: 2, populations: [{ id: '1bad', size: 0, model: { type: 'lif', tau_m_ms: -1, bogus: 1 } }] })).toEqual(expect.arrayContaining([
      ['E_SPEC_VALUE', 'version'],
      ['E_SPEC_FORMAT', 'populations[0].id'],
      ['E_SPEC_RANGE', 'populations[0].size'],
      ['E_SPEC_RANGE', 'populations[0].model.tau_m_ms'],
      ['E_SPEC_UNKNOWN_KEY', 'populations[0].model'],
    ]));
  });

  it('reports a missing field as E_SPEC_REQUIRED', () => {
    expect(codes({ version: 1, populations: valid.populations })).toContainEqual(['E_SPEC_REQUIRED', 'name']);
  });

  it('lists every cross-reference problem, each with its path', () => {
    const bad = {
      ...valid,
      populations: [...valid.populations, { id: 'a', size: 3, model: { type: 'lif_cond', v_reset_mV: -40, v_thresh_mV: -50 } }],
      projections: [
        { id: 'p', source: 'nope', target: 'src', connector: { type: 'one_to_one' }, weight: -1, delay_ms: 0.01 },
        { id: 'p', source: 'src', target: 'a', connector: { type: 'explicit', pairs: [[0, 1], [9, 99]] }, weight: 1 },
        { id: 'q', source: 'src', target: 'a', connector: { type: 'fixed_indegree', n: 50 }, weight: 1 },
      ],
      inputs: [{ id: 'in', population: 'a', channel: 'x', encoder: { type: 'rate', max_rate_hz: 10 } }],
      outputs: [{ id: 'in', population: 'ghost', sink: 'y', decoder: { type: 'rate', window_ms: 10 } }],
    };
    expect(codes(bad)).toEqual([
      ['E_SPEC_DUPLICATE_ID', 'populations[2].id'],
      ['E_SPEC_RESET_ABOVE_THRESHOLD', 'populations[2].model.v_reset_mV'],
      ['E_SPEC_UNKNOWN_POPULATION', 'projections[0].source'],
      ['E_SPEC_TARGET_NOT_NEURON', 'projections[0].target'],
      ['E_SPEC_NEGATIVE_WEIGHT', 'projections[0].weight'],
      ['E_SPEC_DELAY_TOO_SHORT', 'projections[0].delay_ms'],
      ['E_SPEC_DUPLICATE_ID', 'projections[1].id'],
      ['E_SPEC_INDEX_OUT_OF_RANGE', 'projections[1].connector.pairs[1][0]'],
      ['E_SPEC_INDEX_OUT_OF_RANGE', 'projections[1].connector.pairs[1][1]'],
      ['E_SPEC_RANGE', 'projections[2].connector.n'],
      ['E_SPEC_INPUT_NOT_SOURCE', 'inputs[0].population'],
      ['E_SPEC_DUPLICATE_ID', 'outputs[0].id'],
      ['E_SPEC_UNKNOWN_POPULATION', 'outputs[0].population'],
    ]);
  });

  it('checks encoders and decoders against their population (rate above one spike per step)', () => {
    const bad = { ...valid, inputs: [{ id: 'in', population: 'src', channel: 'light', encoder: { type: 'rate', max_rate_hz: 20000 } }] };
    expect(codes(bad)).toContainEqual(['E_CODEC_RATE_ABOVE_STEP', 'inputs[0].encoder.max_rate_hz']);
  });

  it('never throws on arbitrary JSON, and every issue has an E_ code and a path', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const result = validateSpec(value);
      expect(result.ok).toBe(false);
      for (const issue of result.issues) {
        expect(issue.code).toMatch(/^E_[A-Z_]+$/);
        expect(issue.path.length).toBeGreaterThan(0);
      }
    }), { numRuns: 500, seed: 1 });
  });

  it('never throws on mutations of a valid spec, and every issue path names a place in the input', () => {
    const paths = fc.constantFrom(
      ['populations', 0, 'size'], ['populations', 1, 'model', 'tau_m_ms'], ['populations', 1, 'model', 'type'],
      ['projections', 0, 'source'], ['projections', 0, 'weight'], ['projections', 0, 'connector', 'type'],
      ['inputs', 0, 'encoder', 'max_rate_hz'], ['outputs', 0, 'decoder', 'window_ms'], ['dt_ms'], ['seed'],
    );
    fc.assert(fc.property(paths, fc.oneof(fc.jsonValue(), fc.double(), fc.string()), (path, replacement) => {
      const spec = structuredClone(valid) as Record<string, unknown>;
      let at: Record<string | number, unknown> = spec;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[path[path.length - 1]!] = replacement;
      const result = validateSpec(spec);
      for (const issue of result.issues) {
        const root = issue.path.split(/[.[]/)[0];
        expect(['(root)', 'version', 'name', 'dt_ms', 'seed', 'populations', 'projections', 'inputs', 'outputs', 'modules']).toContain(root);
      }
    }), { numRuns: 1000, seed: 2 });
  });
});
