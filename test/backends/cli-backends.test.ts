// `hasn backends`, `hasn check --backend`, `hasn export --target`, `hasn import --from nir` as a user runs them.
// One test spawns the real `hasn` binary; the others call the same main() in-process (each spawn costs seconds).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { LOIHI_LIF } from './specs.ts';

const bin = new URL('../../bin/hasn.mjs', import.meta.url).pathname;

/** Runs the CLI in this process with stdout/stderr captured; returns the exit code main() gives. */
async function hasn(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  try {
    const status = await main(['node', 'hasn', ...args]);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => { process.exitCode = undefined; });

function specFile(spec: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hasn-cli-')), 'spec.json');
  writeFileSync(file, JSON.stringify({ version: 1, name: 'cli-net', dt_ms: 0.1, seed: 2, ...spec }));
  return file;
}

const fits = () => specFile({
  populations: [
    { id: 'in', size: 10, model: { type: 'spike_source' } },
    { id: 'n', size: 20, model: { ...LOIHI_LIF, i_offset_nA: 1 } },
  ],
  projections: [{ id: 'p', source: 'in', target: 'n', connector: { type: 'fixed_probability', p: 0.5 }, weight: { dist: 'uniform', low: 0.5, high: 2 } }],
});

describe('hasn backends / check / export / import', () => {
  it('`hasn backends --json` (the real binary) lists every backend with its probe; exit 0', async () => {
    const r = spawnSync(process.execPath, [bin, 'backends', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const statuses = JSON.parse(r.stdout) as { id: string; modes: string[]; reasons: string[] }[];
    expect(statuses.map((s) => s.id)).toContain('loihi');
    expect(statuses.find((s) => s.id === 'cpu')!.modes).toEqual(['hardware']);
    const text = await hasn('backends');
    expect(text.stdout).toMatch(/^loihi: modes emulate, export$/m);
    expect(text.stdout).toMatch(/- hardware: lava-loihi/);
  });

  it('`hasn check --backend loihi` lists every violation with its code and path and exits 2', async () => {
    const file = specFile({
      populations: [{ id: 'c', size: 2, model: { type: 'lif_cond' } }, { id: 'n', size: 2, model: { ...LOIHI_LIF, tau_refrac_ms: 2 } }],
      projections: [{ id: 'p', source: 'c', target: 'n', connector: { type: 'all_to_all' }, weight: 1, delay_ms: 1 }],
    });
    const r = await hasn('check', '--backend', 'loihi', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('3 violations on loihi');
    expect(r.stderr).toContain('E_LOIHI_MODEL_UNSUPPORTED  populations[0].model.type');
    expect(r.stderr).toContain('E_LOIHI_REFRACTORY_UNSUPPORTED  populations[1].model.tau_refrac_ms');
    expect(r.stderr).toContain('E_LOIHI_DELAY_UNSUPPORTED  projections[0].delay_ms');
    const json = JSON.parse((await hasn('check', '--backend', 'loihi', file, '--json')).stdout) as { fits: boolean; violations: { code: string }[] };
    expect(json.fits).toBe(false);
    expect(json.violations).toHaveLength(3);
  });

  it('`hasn check` prints the resource and quantization report of a fitting spec, and the rate comparison with --rates', async () => {
    const r = await hasn('check', '--backend', 'loihi', fits(), '--rates', '2000', '--set', 'chip=loihi2');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fits loihi \(emulate\)/);
    expect(r.stdout).toMatch(/cores 1, chips 1/);
    expect(r.stdout).toMatch(/quantization weights\.maxRelError = \d/);
    expect(r.stdout).toMatch(/note: loihi2: 1 core/);
    expect(r.stdout).toMatch(/rate n: cpu [\d.]+ Hz, loihi [\d.]+ Hz \(-?[\d.]+ %\)/);
  });

  it('`hasn check` on an unknown backend or an invalid spec exits 2 with the code', async () => {
    const unknown = await hasn('check', '--backend', 'truenorth', fits());
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('E_BACKEND_UNKNOWN');
    const bad = specFile({ populations: [] });
    const invalid = await hasn('check', '--backend', 'cpu', bad);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('E_SPEC_INVALID');
  });

  it('`hasn export --target nir|lava|pynn|akida` dispatches to each exporter (warnings for what NIR drops); unknown targets exit 2', async () => {
    const file = fits();
    const dir = mkdtempSync(join(tmpdir(), 'hasn-export-'));
    const nir = await hasn('export', '--target', 'nir', file, '-o', join(dir, 'nir'));
    expect(nir.status).toBe(0);
    expect(existsSync(join(dir, 'nir', 'cli-net.nir'))).toBe(true);
    expect(nir.stderr).toContain('warning: population "n": offset current 1 nA folded into v_leak');
    const lava = await hasn('export', '--target', 'lava', file, '-o', join(dir, 'lava'));
    expect(lava.status).toBe(0);
    expect(lava.stdout).toContain(`wrote ${join(dir, 'lava', 'cli_net_lava.py')}`);
    expect(lava.stdout).toContain(`wrote ${join(dir, 'lava', 'cli_net.nir')}`);
    const pynn = await hasn('export', '--target', 'pynn', file, '-o', join(dir, 'pynn'));
    expect(pynn.status).toBe(0);
    expect(pynn.stdout).toMatch(/wrote .*\.py/);
    // akida dispatches to the akida backend, which rejects this leaky network with its codes.
    const akida = await hasn('export', '--target', 'akida', file, '-o', join(dir, 'akida'));
    expect(akida.status).toBe(2);
    expect(akida.stderr).toContain('E_BACKEND_UNSUPPORTED');
    expect(akida.stderr).toContain('E_AKIDA_LEAKY_NEURON');
    const nope = await hasn('export', '--target', 'truenorth', file, '-o', dir);
    expect(nope.status).toBe(2);
    expect(nope.stderr).toContain('E_CLI_OPTION');
  });

  it('`hasn import --from nir` turns an exported file back into a spec (dt required)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-import-'));
    expect((await hasn('export', '--target', 'nir', fits(), '-o', dir)).status).toBe(0);
    const r = await hasn('import', '--from', 'nir', join(dir, 'cli-net.nir'), '--dt', '0.1');
    expect(r.status).toBe(0);
    const spec = JSON.parse(r.stdout) as { dt_ms: number; populations: { id: string }[]; projections: { id: string }[] };
    expect(spec.dt_ms).toBe(0.1);
    expect(spec.populations.map((p) => p.id)).toEqual(['in', 'n']);
    expect(spec.projections.map((p) => p.id)).toEqual(['p']);
    expect((await hasn('import', '--from', 'nir', join(dir, 'cli-net.nir'))).status).toBe(64); // --dt missing: usage error
  });
});
