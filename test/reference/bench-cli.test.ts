// `hasn bench coba` end to end on a small network: both simulators run, the JSON report holds both sides and their ratio.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CobaRtfReport } from '../../bench/coba-rtf.ts';

const run = promisify(execFile);
const HASN = fileURLToPath(new URL('../../bin/hasn.mjs', import.meta.url));

describe('hasn bench coba', () => {
  it('runs HASN and Brian2 cpp_standalone on the same COBA size and reports both real-time factors and rates', async () => {
    const { stdout } = await run(process.execPath, [HASN, 'bench', 'coba', '--neurons', '500', '--duration-s', '0.2', '--repeat', '1', '--json'], { timeout: 300_000 });
    const report = JSON.parse(stdout) as CobaRtfReport;
    expect(report.neurons).toBe(500);
    expect(report.hasn.neurons).toBe(500);
    expect(report.brian2.neurons).toBe(500);
    expect(report.brian2.target).toBe('cpp_standalone');
    expect(report.brian2.threads).toBe(1);
    expect(report.hasn.engine).toMatch(/^in-thread\//);
    expect(report.hasn.steps).toBe(2000);
    expect(report.brian2.steps).toBe(2000);
    expect(report.hasn.mean_rate_hz).toBeGreaterThan(0);
    expect(report.brian2.mean_rate_hz).toBeGreaterThan(0);
    expect(report.rtf_ratio).toBeCloseTo(report.hasn.real_time_factor / report.brian2.real_time_factor, 10);
    expect(report.rtf_ratio_cpu).toBeCloseTo(report.hasn.real_time_factor_cpu / report.brian2.real_time_factor, 10);
    expect(report.hasn.cpu_s).toBeGreaterThan(0);
  }, 300_000);

  it('refuses a negative worker count before running anything (bad usage, exit 64)', async () => {
    const err = await run(process.execPath, [HASN, 'bench', 'coba', '--workers', '-1']).then(() => null, (e: { code: number }) => e);
    expect(err?.code).toBe(64);
  });

  it('rejects a non-numeric size as bad usage (exit 64)', async () => {
    const err = await run(process.execPath, [HASN, 'bench', 'coba', '--neurons', 'many']).then(() => null, (e: { code: number }) => e);
    expect(err?.code).toBe(64);
  });
});
