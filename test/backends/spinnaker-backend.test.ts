// SpiNNaker backend surface: rejections with their codes, machine mapping, probe on this machine.
import { describe, expect, it } from 'vitest';
import { createSpinnakerBackend, spinnakerBackend } from '../../drivers/backends/spinnaker/index.ts';
import { mapToMachine } from '../../drivers/backends/spinnaker/mapping.ts';
import { ringBufferShift } from '../../drivers/backends/spinnaker/synapses.ts';
import { drivenNetwork, spec } from './fixtures/spinnaker/networks.ts';

const LIF = { type: 'lif' as const };

function codes(s: ReturnType<typeof spec>): string[] {
  return spinnakerBackend.check(s).map((v) => v.code);
}

describe('SpiNNaker check: every rejection has a stable code and path', () => {
  it('accepts the driven CUBA and COBA networks and Izhikevich populations', () => {
    expect(spinnakerBackend.check(drivenNetwork('cuba'))).toEqual([]);
    expect(spinnakerBackend.check(drivenNetwork('coba'))).toEqual([]);
    expect(codes(spec({ populations: [{ id: 'i', size: 3, model: { type: 'izhikevich' } }] }))).toEqual([]);
  });

  it('rejects a time step that is not a whole number of microseconds (E_SPINNAKER_TIMESTEP)', () => {
    const v = spinnakerBackend.check(spec({ dt_ms: 0.0125 / 3, populations: [{ id: 'a', size: 1, model: LIF }] }));
    expect(v).toEqual([expect.objectContaining({ code: 'E_SPINNAKER_TIMESTEP', path: 'dt_ms' })]);
  });

  it('rejects threshold adaptation (E_SPINNAKER_MODEL_UNSUPPORTED)', () => {
    const v = spinnakerBackend.check(spec({ populations: [{ id: 'a', size: 1, model: { type: 'lif', threshold_adaptation: { theta_plus_mV: 1, tau_theta_ms: 100 } } }] }));
    expect(v).toEqual([expect.objectContaining({ code: 'E_SPINNAKER_MODEL_UNSUPPORTED', path: 'populations[0].model.threshold_adaptation' })]);
  });

  it('rejects an Izhikevich peak other than 30 mV (E_SPINNAKER_PARAM_UNSUPPORTED)', () => {
    const v = spinnakerBackend.check(spec({ populations: [{ id: 'a', size: 1, model: { type: 'izhikevich', v_peak_mV: 35 } }] }));
    expect(v).toEqual([expect.objectContaining({ code: 'E_SPINNAKER_PARAM_UNSUPPORTED', path: 'populations[0].model.v_peak_mV' })]);
  });

  it('rejects parameters outside s16.15 (E_SPINNAKER_RANGE)', () => {
    // R = τm/cm = 100 000 MΩ does not fit [−65536, 65536)
    const v = spinnakerBackend.check(spec({ populations: [{ id: 'a', size: 1, model: { type: 'lif', tau_m_ms: 100, cm_nF: 0.001 } }] }));
    expect(v).toEqual([expect.objectContaining({ code: 'E_SPINNAKER_RANGE', path: 'populations[0]' })]);
  });

  it('rejects plastic projections (E_SPINNAKER_PLASTICITY_UNSUPPORTED)', () => {
    const v = spinnakerBackend.check(spec({
      populations: [{ id: 'a', size: 2, model: LIF }],
      projections: [{ id: 'p', source: 'a', target: 'a', connector: { type: 'all_to_all' }, weight: 0.1, plasticity: { rule: 'stdp' } }],
    }));
    expect(v).toEqual([expect.objectContaining({ code: 'E_SPINNAKER_PLASTICITY_UNSUPPORTED', path: 'projections[0].plasticity' })]);
  });

  it('rejects delays beyond 144 steps, including unbounded distributions (E_SPINNAKER_DELAY_TOO_LONG)', () => {
    const net = (delay: unknown) => spec({
      dt_ms: 0.1,
      populations: [{ id: 'a', size: 2, model: LIF }],
      projections: [{ id: 'p', source: 'a', target: 'a', connector: { type: 'all_to_all' }, weight: 0.1, delay_ms: delay as never }],
    });
    expect(codes(net(14.4))).toEqual([]);
    expect(codes(net(14.5))).toEqual(['E_SPINNAKER_DELAY_TOO_LONG']);
    expect(codes(net({ dist: 'exponential', mean: 1 }))).toEqual(['E_SPINNAKER_DELAY_TOO_LONG']);
  });

  it('refuses to compile a rejected network, hardware mode, and export without outDir', async () => {
    const bad = spec({ populations: [{ id: 'a', size: 1, model: { type: 'izhikevich', v_peak_mV: 35 } }] });
    await expect(spinnakerBackend.compile(bad, { mode: 'emulate' })).rejects.toMatchObject({ code: 'E_BACKEND_UNSUPPORTED', issues: [expect.objectContaining({ code: 'E_SPINNAKER_PARAM_UNSUPPORTED' })] });
    const ok = drivenNetwork('cuba');
    await expect(spinnakerBackend.compile(ok, { mode: 'hardware' })).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' });
    await expect(spinnakerBackend.compile(ok, { mode: 'export' })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'outDir' });
    const exported = { backend: 'spinnaker' as const, mode: 'export' as const, spec: ok, report: { neurons: 0, synapses: 0, units: {}, notes: [] }, files: [], payload: null };
    await expect(spinnakerBackend.open(exported)).rejects.toMatchObject({ code: 'E_BACKEND_MODE' });
  });
});

describe('SpiNNaker mapping: cores, chips, boards, delay extensions', () => {
  it('puts 255 neurons on a core, 16 application cores on a chip and 48 chips on a board', () => {
    const s = spec({ populations: [{ id: 'a', size: 255, model: LIF }, { id: 'b', size: 256, model: LIF }, { id: 'c', size: 100_000, model: LIF }] });
    const m = mapToMachine(s, new Map());
    expect(m.populations.map((p) => p.cores)).toEqual([1, 2, 393]);
    expect(m.cores).toBe(396);
    expect(m.chips).toBe(25);
    expect(m.boards).toBe(1);
    expect(mapToMachine(spec({ populations: [{ id: 'a', size: 255 * 16 * 48 + 1, model: LIF }] }), new Map()).boards).toBe(2);
  });

  it('adds delay-extension cores for a source whose delays exceed 16 steps', async () => {
    const s = spec({
      dt_ms: 0.1,
      populations: [{ id: 'a', size: 300, model: LIF }, { id: 'b', size: 10, model: LIF }],
      projections: [
        { id: 'long', source: 'a', target: 'b', connector: { type: 'all_to_all' }, weight: 0.1, delay_ms: 5 },
        { id: 'short', source: 'b', target: 'a', connector: { type: 'all_to_all' }, weight: 0.1, delay_ms: 1.6 },
      ],
    });
    const { report } = await spinnakerBackend.compile(s, { mode: 'emulate' });
    expect(report.units).toMatchObject({ cores: 3 + 2, delayExtensionCores: 2, chips: 1, boards: 1 });
    expect(report.notes.join('\n')).toMatch(/a: 300 neurons on 2 core\(s\) \+ 2 delay-extension core\(s\) \(3 block\(s\) of 16 steps\)/);
    expect(report.notes.join('\n')).toMatch(/near-exact/);
  });

  it('honours a neuronsPerCore option and reports the weight quantization error', async () => {
    const { report } = await spinnakerBackend.compile(drivenNetwork('cuba'), { mode: 'emulate', neuronsPerCore: 100 });
    expect(report.units.cores).toBe(4 + 4 + 1);
    expect(report.quantization!.maxRelativeWeightError).toBeGreaterThan(0);
    expect(report.quantization!.maxRelativeWeightError).toBeLessThan(0.01);
  });

  it('refuses a network whose worst-case input per step would overflow s16.15 after scaling (E_SPINNAKER_RANGE)', async () => {
    const s = spec({
      populations: [{ id: 'in', size: 1000, model: { type: 'spike_source' } }, { id: 'g', size: 2, model: { type: 'lif_cond' } }],
      projections: [{ id: 'p', source: 'in', target: 'g', connector: { type: 'all_to_all' }, weight: 0.05 }],
    });
    // 1000 × 0.05 µS × 1024 = 51 200 > 2^15
    await expect(spinnakerBackend.compile(s, { mode: 'emulate' })).rejects.toMatchObject({ code: 'E_SPINNAKER_RANGE', path: 'populations.g' });
  });

  it('chooses ring-buffer shifts as sPyNNaker does (⌈log2 max⌉, one more at a power of two)', () => {
    expect(ringBufferShift(0)).toBe(0);
    expect(ringBufferShift(0.3)).toBe(0);
    expect(ringBufferShift(1)).toBe(1);
    expect(ringBufferShift(3)).toBe(2);
    expect(ringBufferShift(4)).toBe(3);
  });
});

describe('SpiNNaker probe on this machine', () => {
  it('reports emulate and export, and the SDK/board as absent with the reason', async () => {
    const status = await spinnakerBackend.probe();
    expect(status.id).toBe('spinnaker');
    expect(status.modes).toEqual(['emulate', 'export']);
    expect(status.reasons.join('\n')).toMatch(/hardware: python module spynnaker not importable/);
    expect(status.versions.pyNN).toBeDefined(); // Debian python3-pynn, installed by test/setup.sh
  });

  it('never throws, even when the Python interpreter does not exist', async () => {
    const status = await createSpinnakerBackend({ python: '/nonexistent/python3' }).probe();
    expect(status.modes).toEqual(['emulate', 'export']);
    expect(status.reasons.join('\n')).toMatch(/\/nonexistent\/python3 did not run/);
  });
});
