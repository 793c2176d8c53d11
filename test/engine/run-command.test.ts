// `hasn run`: one JSON object on stdout with the documented fields, logs on stderr, the reference engine's spike hash, a raster file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSpec } from '../../cli/commands/run.ts';
import { coba } from './networks.ts';
import { runReference } from './run-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'hasn-run-'));
const specFile = join(dir, 'coba.json');
writeFileSync(specFile, JSON.stringify(coba()));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hasn run', () => {
  it('prints one JSON object with counts, rates, timing and the spike hash of the reference engine; logs go to stderr', () => {
    const bin = new URL('../../bin/hasn.mjs', import.meta.url).pathname;
    const stdout = execFileSync(process.execPath, [bin, 'run', specFile, '--duration-ms', '20', '--workers', '2', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown> & { populations: Record<string, { spikes: number; rate_hz: number }> };
    const reference = runReference(coba(), 200);
    expect(out).toMatchObject({ neurons: 2000, steps: 200, workers: 2, spikes: reference.total, spike_hash: reference.spikes });
    expect(out.synapses).toBeGreaterThan(150_000);
    expect(out.populations.exc!.spikes + out.populations.inh!.spikes).toBe(reference.total);
    expect(out.mean_rate_hz).toBeCloseTo(reference.total / (2000 * 0.02), 6);
    for (const key of ['wall_s', 'rt_factor', 'compile_s']) expect(out[key]).toBeGreaterThan(0);
  });

  it('writes the raster as step,neuron lines, and --seed changes the network', async () => {
    const raster = join(dir, 'raster.csv');
    const a = await runSpec(specFile, { durationMs: 10, workers: 0, raster });
    const lines = readFileSync(raster, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('step,neuron');
    expect(lines).toHaveLength(a.spikes + 1);
    const [step, neuron] = lines[1]!.split(',').map(Number);
    expect(step).toBeGreaterThanOrEqual(0);
    expect(neuron).toBeLessThan(2000);
    const b = await runSpec(specFile, { durationMs: 10, workers: 0, seed: 99 });
    expect(b.seed).toBe(99);
    expect(b.spike_hash).not.toBe(a.spike_hash);
  });
});
