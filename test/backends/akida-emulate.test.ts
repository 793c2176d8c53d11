// Akida compile and emulation: quantization (1/2/4/8-bit weights), the integer model, its report against the float model, sessions.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { encodeSnapshot } from '../../core/state/index.ts';
import { akidaBackend, type AkidaPayload } from '../../drivers/backends/akida/index.ts';
import { activation, activationBuffers, forward } from '../../drivers/backends/akida/model.ts';
import { AKIDA_EXTRA } from '../../drivers/backends/akida/session.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { FRAME_OPTIONS, IF_NEURON, layeredNetwork, spec } from './fixtures/akida/networks.ts';

/** in0 → unit (+0.5 mV per spike), in1 → unit (−1 mV per spike); T = 1 mV, s = 1 mV. */
function twoInputs(): NetworkSpec {
  return spec({
    dt_ms: 1,
    populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'u', size: 1, model: IF_NEURON }],
    projections: [
      { id: 'exc', source: 'in', target: 'u', connector: { type: 'explicit', pairs: [[0, 0, 0.5]] }, weight: 0.5 },
      { id: 'inh', source: 'in', target: 'u', connector: { type: 'explicit', pairs: [[1, 0, 1]] }, weight: 1, receptor: 'inh' },
    ],
  });
}

async function payload(s: NetworkSpec, opts: Record<string, unknown> = {}): Promise<AkidaPayload> {
  return (await akidaBackend.compile(s, { mode: 'emulate', ...opts })).payload as AkidaPayload;
}

describe('Akida integer model', () => {
  it('activates as Akida documents: T + n·s < p ≤ T + (n+1)·s gives n + 1, clipped to 2^bits − 1', () => {
    expect(activation(7, 7, 7, 15)).toBe(0);
    expect(activation(8, 7, 7, 15)).toBe(1);
    expect(activation(14, 7, 7, 15)).toBe(1);
    expect(activation(15, 7, 7, 15)).toBe(2);
    expect(activation(1000, 7, 7, 15)).toBe(15);
    expect(activation(1000, 7, 7, 1)).toBe(1);
    expect(activation(-3, 7, 7, 15)).toBe(0);
  });

  it('quantizes weights per layer to signed 2^(b−1) − 1 levels and the threshold to an integer, for 2, 4 and 8 bits', async () => {
    const cases = [
      { bits: 2, weights: [1, -1], threshold: 1 },
      { bits: 4, weights: [4, -7], threshold: 7 },
      { bits: 8, weights: [64, -127], threshold: 127 },
    ];
    for (const c of cases) {
      const { model } = await payload(twoInputs(), { weightBits: c.bits });
      const layer = model.layers[0]!;
      expect(Array.from(layer.weightQ), `${c.bits} bits`).toEqual(c.weights);
      expect(layer.scale).toBeCloseTo(1 / (2 ** (c.bits - 1) - 1), 12);
      expect(Array.from(layer.thresholdQ)).toEqual([c.threshold]);
      expect(layer.stepQ[0]).toBeCloseTo(c.threshold, 5);
      expect(Array.from(layer.weight)).toEqual([0.5, -1]);
    }
  });

  it('uses unsigned {0, 1} for 1-bit weights and refuses 1 bit where a layer has inhibition (E_AKIDA_BITS_UNSUPPORTED)', async () => {
    await expect(akidaBackend.compile(twoInputs(), { mode: 'emulate', weightBits: 1 })).rejects.toMatchObject({ code: 'E_AKIDA_BITS_UNSUPPORTED' });
    const excitatory = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 8, model: { type: 'spike_source' } }, { id: 'u', size: 4, model: IF_NEURON }],
      projections: [{ id: 'p', source: 'in', target: 'u', connector: { type: 'all_to_all' }, weight: { dist: 'uniform', low: 0.1, high: 1 } }],
    });
    const { model } = await payload(excitatory, { weightBits: 1 });
    expect(new Set(model.layers[0]!.weightQ)).toEqual(new Set([0, 1]));
  });

  it('infers with integer potentials: p = Σ counts · w_q against the integer threshold', async () => {
    const { model } = await payload(twoInputs(), { weightBits: 4, actBits: 4, inputBits: 4, windowSteps: 15 });
    const { out, potential } = activationBuffers(model);
    forward(model, [2, 1], true, out, potential); // 2·4 − 7 = 1 ≤ 7
    expect(out[0]![0]).toBe(0);
    forward(model, [4, 0], true, out, potential); // 16: ⌈(16 − 7)/7⌉ = 2
    expect(out[0]![0]).toBe(2);
    forward(model, [20, 0], true, out, potential); // inputs clip at 15: 60 → ⌈53/7⌉ = 8
    expect(out[0]![0]).toBe(8);
    forward(model, [4, 0], false, out, potential); // float: 2 mV → ⌈(2 − 1)/1⌉ = 1
    expect(out[0]![0]).toBe(1);
  });

  it('reports the quantization cost against the float model, growing as bits shrink (8 bits: rate within 1 %, ≥ 99 % of outputs identical)', async () => {
    const results = new Map<number, Record<string, number>>();
    for (const weightBits of [8, 4, 2]) {
      const { report } = await akidaBackend.compile(layeredNetwork(), { mode: 'emulate', weightBits, ...FRAME_OPTIONS, testWindows: 100 });
      results.set(weightBits, report.quantization!);
      expect(report.units).toMatchObject({ layers: 2, inputs: 64, nps: 2 });
      expect(report.notes.join('\n')).toMatch(/fc1: hidden \(48\) ← 64 inputs/);
    }
    const q8 = results.get(8)!;
    expect(q8.floatRateHz).toBeGreaterThan(20);
    expect(Math.abs(q8.rateChange)).toBeLessThan(0.01);
    expect(q8.outputAgreement).toBeGreaterThan(0.99);
    expect(results.get(4)!.outputAgreement).toBeLessThanOrEqual(q8.outputAgreement);
    expect(results.get(2)!.outputAgreement).toBeLessThan(results.get(4)!.outputAgreement);
    expect(results.get(2)!.zeroedWeightFraction).toBeGreaterThan(results.get(8)!.zeroedWeightFraction);
    expect(q8.spikingRateHz).toBeGreaterThan(0);
  });

  it('refuses options outside Akida\'s ranges (E_BACKEND_OPTION)', async () => {
    await expect(akidaBackend.compile(layeredNetwork(), { mode: 'emulate', weightBits: 3 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'weightBits' });
    await expect(akidaBackend.compile(layeredNetwork(), { mode: 'emulate', actBits: 4, windowSteps: 10 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'windowSteps' });
  });
});

describe('Akida emulation sessions', () => {
  it('emits each frame\'s integer activations as that many spikes at the start of the next frame', async () => {
    const s = layeredNetwork();
    const artifact = await akidaBackend.compile(s, { mode: 'emulate', ...FRAME_OPTIONS });
    const { model } = artifact.payload as AkidaPayload;
    const session = await akidaBackend.open(artifact);
    const W = FRAME_OPTIONS.windowSteps;
    const { out, potential } = activationBuffers(model);
    let checkedActive = 0;
    for (let frame = 0; frame < 6; frame++) {
      const counts = new Float64Array(64);
      const emitted = new Map<number, number[]>();
      for (let k = 0; k < W; k++) {
        const inputs = Array.from({ length: 64 }, (_, i) => i).filter((i) => (i * 7 + k * 3 + frame) % 11 === 0);
        for (const i of inputs) counts[i]++;
        const res = await session.step(1, { spikes: inputs });
        res.spikes.neuron.forEach((g) => { if (g >= 64) emitted.set(g, [...(emitted.get(g) ?? []), k]); });
        expect(Array.from(res.spikes.neuron)).toEqual([...res.spikes.neuron].sort((a, b) => a - b));
      }
      // the spikes of this frame are the previous frame's activations
      if (frame > 0) {
        model.layers.forEach((layer, l) => {
          for (let j = 0; j < layer.units; j++) {
            const a = out[l]![j]!;
            expect(emitted.get(model.globalOfUnit[l]![j]!) ?? []).toEqual(Array.from({ length: a }, (_, k) => k));
            if (a > 0) checkedActive++;
          }
        });
      }
      forward(model, counts, true, out, potential);
    }
    expect(checkedActive).toBeGreaterThan(20);
  });

  it('relays suprathreshold one-to-one input at exactly the CPU engine\'s steps (one frame = one step = one delay)', async () => {
    const s = spec({
      dt_ms: 1,
      populations: [{ id: 'in', size: 5, model: { type: 'spike_source' } }, { id: 'out', size: 5, model: { ...IF_NEURON, tau_syn_e_ms: 0.01 } }],
      projections: [{ id: 'p', source: 'in', target: 'out', connector: { type: 'one_to_one' }, weight: 150 }],
    });
    const session = await akidaBackend.open(await akidaBackend.compile(s, { mode: 'emulate' }));
    const engine = new ReferenceEngine(compileNetwork(s));
    const ours: string[] = [];
    const cpu: string[] = [];
    for (let step = 0; step < 40; step++) {
      const inputs = [0, 1, 2, 3, 4].filter((i) => (step * (i + 2)) % 7 === 0);
      const res = await session.step(1, { spikes: inputs });
      res.spikes.neuron.forEach((g, k) => ours.push(`${res.spikes.step[k]}:${g}`));
      engine.inject(inputs);
      engine.run(1, (st, list, count) => { for (let k = 0; k < count; k++) cpu.push(`${st}:${list[k]}`); });
    }
    expect(ours.filter((x) => +x.split(':')[1]! >= 5).length).toBeGreaterThan(10);
    expect(ours).toEqual(cpu);
  });

  it('feeds poisson input populations the same spikes as the CPU engine', async () => {
    const s = spec({
      dt_ms: 1, seed: 4,
      populations: [{ id: 'in', size: 30, model: { type: 'poisson', rate_hz: 40 } }, { id: 'u', size: 3, model: IF_NEURON }],
      projections: [{ id: 'p', source: 'in', target: 'u', connector: { type: 'all_to_all' }, weight: 0.4 }],
    });
    const out = await (await akidaBackend.open(await akidaBackend.compile(s, { mode: 'emulate' }))).step(500);
    const engine = new ReferenceEngine(compileNetwork(s));
    const cpu: string[] = [];
    engine.run(500, (st, list, count) => { for (let k = 0; k < count; k++) if (list[k]! < 30) cpu.push(`${st}:${list[k]}`); });
    const ours = Array.from(out.spikes.neuron, (g, k) => `${out.spikes.step[k]}:${g}`).filter((x) => +x.split(':')[1]! < 30);
    expect(ours.length).toBeGreaterThan(400);
    expect(ours).toEqual(cpu);
  });

  it('continues from a snapshot taken mid-frame with exactly the spikes of an uninterrupted run', async () => {
    const s = layeredNetwork(2);
    const artifact = await akidaBackend.compile(s, { mode: 'emulate', ...FRAME_OPTIONS });
    const drive = (step: number): number[] => Array.from({ length: 64 }, (_, i) => i).filter((i) => (i * 13 + step * 5) % 17 === 0);
    const run = async (session: Awaited<ReturnType<typeof akidaBackend.open>>, from: number, to: number): Promise<string[]> => {
      const out: string[] = [];
      for (let step = from; step < to; step++) {
        const res = await session.step(1, { spikes: drive(step) });
        res.spikes.neuron.forEach((g, k) => out.push(`${res.spikes.step[k]}:${g}`));
      }
      return out;
    };
    const whole = await run(await akidaBackend.open(artifact), 0, 100);
    const first = await akidaBackend.open(artifact);
    await run(first, 0, 47);
    const bytes = await first.snapshot();
    const rest = await run(await akidaBackend.open(artifact, { snapshot: bytes }), 47, 100);
    expect(rest).toEqual(whole.filter((x) => +x.split(':')[0]! >= 47));
  });

  it('resumes at the step of a CPU snapshot with an empty frame, and rejects a damaged Akida section', async () => {
    const s = layeredNetwork();
    const artifact = await akidaBackend.compile(s, { mode: 'emulate', ...FRAME_OPTIONS });
    const cpu = compileNetwork(s);
    new ReferenceEngine(cpu, 0).run(30);
    const session = await akidaBackend.open(artifact, { snapshot: encodeSnapshot(cpu, 30) });
    expect((await session.step(5)).step).toBe(35);
    const damaged = encodeSnapshot(compileNetwork(s), 30, { [AKIDA_EXTRA]: new Uint8Array([9, 9, 9]) });
    await expect(akidaBackend.open(artifact, { snapshot: damaged })).rejects.toMatchObject({ code: 'E_SNAPSHOT_CORRUPT' });
  });

  it('takes input spikes only for spike_source neurons, refuses a closed session and artifacts of other modes', async () => {
    const artifact = await akidaBackend.compile(layeredNetwork(), { mode: 'emulate', ...FRAME_OPTIONS });
    const session = await akidaBackend.open(artifact);
    await expect(session.step(1, { spikes: [64] })).rejects.toMatchObject({ code: 'E_BACKEND_INPUT' });
    await expect(session.step(-1)).rejects.toMatchObject({ code: 'E_BACKEND_STEPS' });
    await session.close();
    await expect(session.step(1)).rejects.toMatchObject({ code: 'E_BACKEND_CLOSED' });
    await expect(akidaBackend.open({ ...artifact, mode: 'export' })).rejects.toMatchObject({ code: 'E_BACKEND_MODE' });
  });
});
