// Every reason the loihi backend rejects a spec, each with its stable code and the path at fault.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loihiBackend } from '../../drivers/backends/loihi/index.ts';
import { LOIHI_LIF, cubaLike, spec } from './specs.ts';

const codes = (s: Parameters<typeof loihiBackend.check>[0]) => loihiBackend.check(s).map((v) => `${v.code} ${v.path}`);

describe('loihi check(): static rejections', () => {
  it('rejects lif_cond, izhikevich and poisson populations with E_LOIHI_MODEL_UNSUPPORTED, each at its path', () => {
    const s = spec({
      populations: [
        { id: 'c', size: 2, model: { type: 'lif_cond' } },
        { id: 'z', size: 2, model: { type: 'izhikevich' } },
        { id: 'p', size: 2, model: { type: 'poisson', rate_hz: 10 } },
        { id: 'ok', size: 2, model: LOIHI_LIF },
      ],
    });
    expect(codes(s)).toEqual([
      'E_LOIHI_MODEL_UNSUPPORTED populations[0].model.type',
      'E_LOIHI_MODEL_UNSUPPORTED populations[1].model.type',
      'E_LOIHI_MODEL_UNSUPPORTED populations[2].model.type',
    ]);
  });

  it('rejects threshold adaptation, refractory periods of 2 steps or more, and mismatched synaptic time constants', () => {
    const s = spec({
      dt_ms: 1,
      populations: [
        { id: 'src', size: 2, model: { type: 'spike_source' } },
        { id: 'a', size: 2, model: { ...LOIHI_LIF, threshold_adaptation: { theta_plus_mV: 1, tau_theta_ms: 100 } } },
        { id: 'r', size: 2, model: { ...LOIHI_LIF, tau_refrac_ms: 2 } },
        { id: 'one', size: 2, model: { ...LOIHI_LIF, tau_refrac_ms: 1 } },
        { id: 't', size: 2, model: { ...LOIHI_LIF, tau_syn_i_ms: 10 } },
        { id: 'tinh', size: 2, model: { ...LOIHI_LIF, tau_syn_i_ms: 10 } },
      ],
      projections: [
        { id: 'e', source: 'src', target: 't', connector: { type: 'all_to_all' }, weight: 1 },
        { id: 'i', source: 'src', target: 't', connector: { type: 'all_to_all' }, weight: 1, receptor: 'inh' },
        { id: 'only_inh', source: 'src', target: 'tinh', connector: { type: 'all_to_all' }, weight: 1, receptor: 'inh' },
      ],
    });
    expect(codes(s)).toEqual([
      'E_LOIHI_THRESHOLD_ADAPTATION_UNSUPPORTED populations[1].model.threshold_adaptation',
      'E_LOIHI_REFRACTORY_UNSUPPORTED populations[2].model.tau_refrac_ms',
      'E_LOIHI_SYNAPSE_TAU_MISMATCH populations[4].model.tau_syn_i_ms',
    ]);
  });

  it('rejects plastic projections and delays other than one step', () => {
    const s = spec({
      dt_ms: 0.1,
      populations: [{ id: 'src', size: 2, model: { type: 'spike_source' } }, { id: 'n', size: 2, model: LOIHI_LIF }],
      projections: [
        { id: 'stdp', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1, plasticity: { rule: 'stdp' } },
        { id: 'slow', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1, delay_ms: 0.5 },
        { id: 'spread', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1, delay_ms: { dist: 'uniform', low: 0.1, high: 0.3 } },
        { id: 'pair', source: 'src', target: 'n', connector: { type: 'explicit', pairs: [[0, 0, 1, 0.2]] }, weight: 1 },
        { id: 'fine', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1, delay_ms: 0.1 },
      ],
    });
    expect(codes(s)).toEqual([
      'E_LOIHI_PLASTICITY_UNSUPPORTED projections[0].plasticity',
      'E_LOIHI_DELAY_UNSUPPORTED projections[1].delay_ms',
      'E_LOIHI_DELAY_UNSUPPORTED projections[2].delay_ms',
      'E_LOIHI_DELAY_UNSUPPORTED projections[3].delay_ms',
    ]);
  });
});

describe('loihi check(): quantization and mapping rejections', () => {
  it('rejects a bias beyond the 13-bit mantissa × 2^7 with E_LOIHI_BIAS_RANGE', () => {
    const s = spec({ dt_ms: 1, populations: [{ id: 'n', size: 1, model: { ...LOIHI_LIF, tau_m_ms: 2, i_offset_nA: 50 } }] });
    expect(codes(s)).toEqual(['E_LOIHI_BIAS_RANGE populations[0].model.i_offset_nA']);
  });

  it('rejects weights that need a weight exponent above 7 with E_LOIHI_WEIGHT_RANGE', () => {
    const s = spec({
      populations: [{ id: 'src', size: 1, model: { type: 'spike_source' } }, { id: 'n', size: 1, model: LOIHI_LIF }],
      projections: [{ id: 'huge', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1e6 }],
    });
    expect(codes(s)).toEqual(['E_LOIHI_WEIGHT_RANGE projections[0].weight']);
  });

  it('rejects a neuron whose fan-in alone exceeds a Loihi 1 core (E_LOIHI_FANIN_TOO_LARGE) but maps it on Loihi 2', async () => {
    const s = spec({
      populations: [{ id: 'src', size: 5000, model: { type: 'spike_source' } }, { id: 'n', size: 1, model: LOIHI_LIF }],
      projections: [{ id: 'wide', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 0.01 }],
    });
    expect(codes(s)).toEqual(['E_LOIHI_FANIN_TOO_LARGE neurons[5000]']);
    const artifact = await loihiBackend.compile(s, { mode: 'emulate', chip: 'loihi2' });
    expect(artifact.report.units).toEqual({ cores: 1, chips: 1 });
  });

  it('rejects a network needing more chips than allowed (E_LOIHI_TOO_MANY_CHIPS)', async () => {
    const s = spec({ populations: [{ id: 'n', size: 130 * 1024, model: LOIHI_LIF }] });
    expect(codes(s)).toEqual([]);
    const err = await loihiBackend.compile(s, { mode: 'emulate', maxChips: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_BACKEND_UNSUPPORTED', issues: [{ code: 'E_LOIHI_TOO_MANY_CHIPS' }] });
  });
});

describe('loihi compile()/open() refusals', () => {
  it('compile throws E_BACKEND_UNSUPPORTED carrying every violation', async () => {
    const s = spec({ populations: [{ id: 'c', size: 2, model: { type: 'lif_cond' } }, { id: 'z', size: 2, model: { type: 'izhikevich' } }] });
    const err = await loihiBackend.compile(s, { mode: 'emulate' }).catch((e: unknown) => e) as { code: string; issues: { code: string }[] };
    expect(err.code).toBe('E_BACKEND_UNSUPPORTED');
    expect(err.issues.map((i) => i.code)).toEqual(['E_LOIHI_MODEL_UNSUPPORTED', 'E_LOIHI_MODEL_UNSUPPORTED']);
  });

  it('refuses hardware mode (E_BACKEND_UNAVAILABLE), export without a directory, bad options, and opening export artifacts', async () => {
    const s = cubaLike(50);
    await expect(loihiBackend.compile(s, { mode: 'hardware' })).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE', path: 'mode' });
    await expect(loihiBackend.compile(s, { mode: 'export' })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'outDir' });
    await expect(loihiBackend.compile(s, { mode: 'emulate', vth: 1 << 17 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'vth' });
    await expect(loihiBackend.compile(s, { mode: 'emulate', numWeightBits: 9 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'numWeightBits' });
    await expect(loihiBackend.compile(s, { mode: 'emulate', chip: 'loihi3' })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'chip' });
    const exported = await loihiBackend.compile(s, { mode: 'export', outDir: join(mkdtempSync(join(tmpdir(), 'hasn-loihi-')), 'out') });
    await expect(loihiBackend.open(exported)).rejects.toMatchObject({ code: 'E_BACKEND_MODE' });
    const emulate = await loihiBackend.compile(s, { mode: 'emulate' });
    await expect(loihiBackend.open({ ...emulate, backend: 'cpu' })).rejects.toMatchObject({ code: 'E_BACKEND_MODE' });
  });

  it('accepts a spec Lava can express with no violations', () => {
    expect(loihiBackend.check(cubaLike(200))).toEqual([]);
  });
});
