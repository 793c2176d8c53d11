// The backend registry and selection: lookup by id, probes on this machine (every vendor SDK absent, with a reason), fallbacks logged with reasons.
import { describe, expect, it } from 'vitest';
import { BACKENDS, getBackend, probeAll } from '../../drivers/backends/registry.ts';
import { selectBackend, type FallbackEvent } from '../../drivers/backends/select.ts';
import type { Backend } from '../../drivers/backends/types.ts';
import { cubaLike, spec } from './specs.ts';

const condSpec = () => spec({ populations: [{ id: 'c', size: 4, model: { type: 'lif_cond' } }] });

describe('backend registry', () => {
  it('looks backends up by id and rejects unknown ids with E_BACKEND_UNKNOWN', () => {
    expect(getBackend('loihi').id).toBe('loihi');
    expect(() => getBackend('truenorth')).toThrow(expect.objectContaining({ code: 'E_BACKEND_UNKNOWN', path: 'backend' }));
    expect(BACKENDS.map((b) => b.id).slice(0, 2)).toEqual(['cpu', 'loihi']);
  });

  it('probes every backend on this machine without throwing; vendor hardware is reported absent with the reason', async () => {
    const statuses = await probeAll();
    expect(statuses.map((s) => s.id)).toEqual(BACKENDS.map((b) => b.id));
    for (const s of statuses) {
      if (s.id === 'cpu') continue;
      expect(s.modes, s.id).not.toContain('hardware');
      const hardware = s.reasons.filter((r) => r.startsWith('hardware:'));
      expect(hardware.length, `${s.id} says why hardware is unavailable`).toBeGreaterThan(0);
    }
    const loihi = statuses.find((s) => s.id === 'loihi')!;
    expect(loihi.modes).toEqual(['emulate', 'export']);
    expect(loihi.reasons.join('\n')).toMatch(/lava-loihi .*not importable/);
  });

  it('reports a probe that throws as a status with no modes instead of failing', async () => {
    const broken: Backend = { ...BACKENDS[0]!, id: 'akida', probe: () => Promise.reject(new Error('driver exploded')) };
    const [status] = await probeAll([broken]);
    expect(status).toEqual({ id: 'akida', modes: [], versions: {}, reasons: ['probe failed: driver exploded'] });
  });
});

describe('backend selection', () => {
  it('uses the first preference that is available and fits, with no fallback', async () => {
    const chosen = await selectBackend(cubaLike(100), [{ backend: 'loihi', mode: 'emulate' }]);
    expect([chosen.backend.id, chosen.mode, chosen.fallbacks]).toEqual(['loihi', 'emulate', []]);
  });

  it('falls back to cpu and logs each reason: a mode not available here, then a spec that does not fit', async () => {
    const events: FallbackEvent[] = [];
    const chosen = await selectBackend(condSpec(), [{ backend: 'loihi', mode: 'hardware' }, { backend: 'loihi', mode: 'emulate' }], { log: (e) => events.push(e) });
    expect([chosen.backend.id, chosen.mode]).toEqual(['cpu', 'hardware']);
    expect(events.map((e) => `${e.backend}/${e.mode}`)).toEqual(['loihi/hardware', 'loihi/emulate']);
    expect(events[0]!.reason).toMatch(/^mode "hardware" is not available here \(hardware: lava-loihi/);
    expect(events[1]!.reason).toBe('the spec does not fit (E_LOIHI_MODEL_UNSUPPORTED at populations[0].model.type)');
    expect(events[1]!.msg).toBe(`backend loihi/emulate not used: ${events[1]!.reason}`);
    expect(chosen.fallbacks).toEqual(events);
  });

  it('names an unregistered backend as the reason, and fails with E_BACKEND_UNAVAILABLE listing every reason when nothing fits', async () => {
    const events: FallbackEvent[] = [];
    const tooLong = spec({
      populations: [{ id: 'c', size: 1, model: { type: 'lif_cond' } }],
      projections: [{ id: 'p', source: 'c', target: 'c', connector: { type: 'one_to_one' }, weight: 1, delay_ms: 100 }],
    });
    const err = await selectBackend(tooLong, [{ backend: 'akida-x', mode: 'emulate' }], { log: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' });
    expect((err as { issues: { path: string; message: string }[] }).issues.map((i) => i.path)).toEqual(['akida-x/emulate', 'cpu/hardware']);
    expect(events[0]!.reason).toBe('no backend "akida-x" is registered');
    expect(events[1]!.reason).toMatch(/E_CPU_DELAY_TOO_LONG/);
  });
});
