// `hasn validate`: exit 0 for a valid spec, exit 2 with every problem (code + path) for an invalid one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/hasn.mjs', import.meta.url).pathname;
const hasn = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('hasn validate', () => {
  it('accepts the COBA example with exit code 0', () => {
    const r = hasn('validate', new URL('../../examples/coba.json', import.meta.url).pathname);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/valid/);
  });

  it('lists every problem with its code and path and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-validate-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({
      version: 1, name: 'bad',
      populations: [{ id: 'a', size: 5, model: { type: 'lif' } }],
      projections: [{ id: 'p', source: 'a', target: 'b', connector: { type: 'explicit', pairs: [[7, 0]] }, weight: 1 }],
    }));
    const r = hasn('validate', file, '--json');
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout) as { valid: boolean; issues: { code: string; path: string }[] };
    expect(out.valid).toBe(false);
    expect(out.issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'E_SPEC_UNKNOWN_POPULATION projections[0].target',
    ]);
    const text = hasn('validate', file);
    expect(text.status).toBe(2);
    expect(text.stderr).toContain('E_SPEC_UNKNOWN_POPULATION  projections[0].target');
  });

  it('reports malformed JSON as E_SPEC_JSON with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-validate-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"version": 1,');
    const r = hasn('validate', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_SPEC_JSON');
  });

  it('exits 64 on unknown commands', () => {
    expect(hasn('frobnicate').status).toBe(64);
  });
});
