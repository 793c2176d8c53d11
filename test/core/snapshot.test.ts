// Brain-state snapshots: continuation in a fresh process is identical to an uninterrupted run; bad snapshots are refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { HasnError } from '../../core/errors.ts';
import { encodeSnapshot, readSnapshot, restoreSnapshot, snapshotFromJson, snapshotToJson } from '../../core/state/index.ts';
import { spec } from './helpers.ts';

const fixture = new URL('./fixtures/run-segment.ts', import.meta.url).pathname;

/** A small network with every kind of state: Poisson drive, delays up to 3 ms, STDP and reward-STDP, adaptation. */
const plasticSpec = spec({
  seed: 7,
  populations: [
    { id: 'in', size: 40, model: { type: 'poisson', rate_hz: { dist: 'uniform', low: 5, high: 40 } } },
    { id: 'exc', size: 60, model: { type: 'lif', tau_refrac_ms: 2, v_rest_mV: -65, v_thresh_mV: -52, threshold_adaptation: { theta_plus_mV: 0.2, tau_theta_ms: 50 } }, initial: { v_mV: { dist: 'uniform', low: -65, high: -55 } } },
    { id: 'inh', size: 20, model: { type: 'lif_cond', v_rest_mV: -60, v_thresh_mV: -50 } },
  ],
  projections: [
    { id: 'in_exc', source: 'in', target: 'exc', connector: { type: 'fixed_probability', p: 0.3 }, weight: { dist: 'uniform', low: 0.2, high: 0.8 }, delay_ms: { dist: 'uniform', low: 0.1, high: 3 }, plasticity: { rule: 'stdp', a_plus: 0.02, a_minus: 0.021, w_max: 1 } },
    { id: 'exc_inh', source: 'exc', target: 'inh', connector: { type: 'fixed_indegree', n: 10 }, weight: 0.02 },
    { id: 'inh_exc', source: 'inh', target: 'exc', connector: { type: 'all_to_all' }, weight: 0.3, receptor: 'inh', delay_ms: 1 },
    { id: 'exc_exc', source: 'exc', target: 'exc', connector: { type: 'fixed_probability', p: 0.1, allow_self: false }, weight: 0.1, plasticity: { rule: 'reward_stdp', learning_rate: 0.01 } },
  ],
});

function hashOf(spikes: number[][]): string {
  return createHash('sha256').update(JSON.stringify(spikes)).digest('hex');
}

function runFixture(specFile: string, steps: number, restore?: string, save?: string): { spikes: number[][]; step: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, specFile, String(steps), restore ?? '-', ...(save ? [save] : [])], { encoding: 'utf8' });
  return JSON.parse(out) as { spikes: number[][]; step: number };
}

describe('snapshot and restore', () => {
  it('T steps, snapshot, restore in a fresh process, T more steps = the uninterrupted 2T run, plastic weights included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-snap-'));
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(plasticSpec));
    const T = 1500;
    const whole = runFixture(specFile, 2 * T, undefined, join(dir, 'whole.snap'));
    const first = runFixture(specFile, T, undefined, join(dir, 'half.snap'));
    const second = runFixture(specFile, T, join(dir, 'half.snap'), join(dir, 'end.snap'));
    expect(whole.spikes.length).toBeGreaterThan(300);
    expect(second.step).toBe(2 * T);
    expect(hashOf([...first.spikes, ...second.spikes])).toBe(hashOf(whole.spikes));
    // The full states agree too: same plastic weights, traces, eligibility, ring, neuron state.
    const a = snapshotToJson(readFileSync(join(dir, 'whole.snap')));
    const b = snapshotToJson(readFileSync(join(dir, 'end.snap')));
    expect(b).toEqual(a);
    const weights = a.sections.find((s) => s.name === 'plastic.in_exc.weight')!;
    const initial = snapshotToJson(encodeSnapshot(compileNetwork(plasticSpec), 0)).sections.find((s) => s.name === 'plastic.in_exc.weight')!;
    expect(weights.values).not.toEqual(initial.values); // learning happened and was carried over
  });

  it('restores into a network compiled with a different partition count', () => {
    const net1 = compileNetwork(plasticSpec, { partitions: 1 });
    new ReferenceEngine(net1).run(500);
    const bytes = encodeSnapshot(net1, 500);
    const net3 = compileNetwork(plasticSpec, { partitions: 3 });
    expect(restoreSnapshot(net3, bytes).step).toBe(500);
    expect(encodeSnapshot(net3, 500)).toEqual(bytes);
  });

  it('round-trips through the portable JSON form byte for byte', () => {
    const net = compileNetwork(plasticSpec);
    new ReferenceEngine(net).run(200);
    const bytes = encodeSnapshot(net, 200, { encoders: new Uint8Array([1, 2, 3]) });
    expect(snapshotFromJson(JSON.parse(JSON.stringify(snapshotToJson(bytes))))).toEqual(bytes);
    expect(restoreSnapshot(compileNetwork(plasticSpec), bytes).extra.encoders).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses a snapshot of another network with E_SNAPSHOT_SPEC_MISMATCH and leaves the network untouched', () => {
    const other = compileNetwork({ ...plasticSpec, seed: 8 });
    const bytes = encodeSnapshot(compileNetwork(plasticSpec), 0);
    const before = encodeSnapshot(other, 0);
    expect(() => restoreSnapshot(other, bytes)).toThrowError(expect.objectContaining({ code: 'E_SNAPSHOT_SPEC_MISMATCH' }) as Error);
    expect(encodeSnapshot(other, 0)).toEqual(before);
  });

  it('refuses any corrupted or truncated snapshot with E_SNAPSHOT_CORRUPT, never a partial restore', () => {
    const net = compileNetwork(plasticSpec);
    new ReferenceEngine(net).run(100);
    const good = encodeSnapshot(net, 100);
    const target = compileNetwork(plasticSpec);
    const pristine = encodeSnapshot(target, 0);
    fc.assert(fc.property(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: good.length - 1 }), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: good.length - 1 }), bit: fc.constant(0) }),
      ),
      ({ kind, at, bit }) => {
        const bad = kind === 'flip' ? good.slice() : good.slice(0, at);
        if (kind === 'flip') bad[at]! ^= 1 << bit;
        let error: unknown;
        try { restoreSnapshot(target, bad); } catch (err) { error = err; }
        expect(error).toBeInstanceOf(HasnError);
        expect(['E_SNAPSHOT_CORRUPT', 'E_SNAPSHOT_VERSION']).toContain((error as HasnError).code);
        expect(encodeSnapshot(target, 0)).toEqual(pristine);
      },
    ), { numRuns: 120, seed: 42 });
  });

  it('reads the header: format version, spec hash, step and section list', () => {
    const net = compileNetwork(plasticSpec);
    const { header } = readSnapshot(encodeSnapshot(net, 12345));
    expect(header).toMatchObject({ formatVersion: 1, specHash: net.specHash, step: 12345 });
    expect(header.sections.map((s) => s.name)).toContain('plastic.exc_exc.eligibility');
  });
});
