// The Brian2 runner's failures: a missing interpreter or brian2, refused input and timeouts each give their own HasnError.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBrian2, runBrian2Cases, runBrian2Seeds } from '../../bench/brian2-runner.ts';
import { HasnError } from '../../core/errors.ts';
import { parseSpec } from '../../core/spec/validate.ts';

async function failure(promise: Promise<unknown>): Promise<HasnError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HasnError);
  return err as HasnError;
}

describe('Brian2 runner errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasn-brian2-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('E_BRIAN2_MISSING names the Debian package when the interpreter does not exist', async () => {
    const err = await failure(runBrian2({ model: 'coba', python: join(dir, 'no-such-python3') }));
    expect(err.code).toBe('E_BRIAN2_MISSING');
    expect(err.message).toContain('python3-brian');
  });

  it('E_BRIAN2_MISSING when the interpreter runs but cannot import brian2 (here: site-packages switched off)', async () => {
    const python = join(dir, 'python3-without-site');
    writeFileSync(python, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(python, 0o755);
    const err = await failure(runBrian2({ model: 'cuba', python }));
    expect(err.code).toBe('E_BRIAN2_MISSING');
    expect(err.message).toContain('python3-brian');
    expect(err.message).toContain('brian2 is not importable');
  });

  it('E_BRIAN2_OPTIONS before starting Python: several seeds need a runtime target, neurons must be ≥ 5', async () => {
    expect((await failure(runBrian2Seeds({ model: 'coba', seeds: [1, 2], target: 'cpp_standalone' }))).path).toBe('target');
    expect((await failure(runBrian2({ model: 'coba', neurons: 3 }))).path).toBe('neurons');
  });

  it('E_BRIAN2_OPTIONS quoting the script when a case cannot be compared spike by spike (random connector)', async () => {
    const spec = parseSpec({
      version: 1, name: 'random',
      populations: [{ id: 'a', size: 10, model: { type: 'lif' } }],
      projections: [{ id: 'p', source: 'a', target: 'a', connector: { type: 'fixed_probability', p: 0.5 }, weight: 0.1 }],
    });
    const err = await failure(runBrian2Cases([{ name: 'random', spec, steps: 10 }]));
    expect(err.code).toBe('E_BRIAN2_OPTIONS');
    expect(err.message).toContain('connector fixed_probability is random');
  });

  it('E_BRIAN2_TIMEOUT when the script outlives timeoutMs, with the stderr tail', async () => {
    const err = await failure(runBrian2({ model: 'coba', target: 'numpy', durationS: 1000, timeoutMs: 1500 }));
    expect(err.code).toBe('E_BRIAN2_TIMEOUT');
    expect(err.message).toContain('coba.py did not finish within 1500 ms');
  });
});
