// SpiNNaker emulation: sPyNNaker's fixed-point neuron/synapse semantics (near-exact), network rates vs the CPU engine, snapshots.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { encodeSnapshot, restoreSnapshot } from '../../core/state/index.ts';
import { fromAccum } from '../../drivers/backends/spinnaker/accum.ts';
import { SpinnakerEmulator, type SpinnakerPlan } from '../../drivers/backends/spinnaker/emulator.ts';
import { spinnakerBackend } from '../../drivers/backends/spinnaker/index.ts';
import { SPINNAKER_EXTRA } from '../../drivers/backends/spinnaker/snapshot.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { cpuRun, drivenNetwork, rateHz, spec } from './fixtures/spinnaker/networks.ts';

async function plan(s: NetworkSpec): Promise<SpinnakerPlan> {
  return (await spinnakerBackend.compile(s, { mode: 'emulate' })).payload as SpinnakerPlan;
}

const LIF = { type: 'lif' as const, cm_nF: 1, tau_m_ms: 20, v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 0, tau_syn_e_ms: 5, tau_syn_i_ms: 5 };

function oneNeuron(model: Record<string, unknown>): NetworkSpec {
  return spec({ dt_ms: 0.1, populations: [{ id: 'n', size: 1, model: { ...LIF, ...model } as never }] });
}

function spikeSteps(em: SpinnakerEmulator, steps: number, neuron = 0): number[] {
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const step = em.step;
    em.advance();
    for (let j = 0; j < em.spikeCount; j++) if (em.spikes[j] === neuron) out.push(step);
  }
  return out;
}

/** A spike source driving one target through one synapse (weight, delay in ms). */
function sourceToTarget(target: Record<string, unknown>, weight: number, delayMs = 0.1, receptor: 'exc' | 'inh' = 'exc'): NetworkSpec {
  return spec({
    dt_ms: 0.1,
    populations: [{ id: 'src', size: 1, model: { type: 'spike_source' } }, { id: 't', size: 1, model: target as never }],
    projections: [{ id: 'p', source: 'src', target: 't', connector: { type: 'one_to_one' }, weight, delay_ms: delayMs, receptor }],
  });
}

describe('SpiNNaker emulation: single neurons (near-exact sPyNNaker semantics)', () => {
  it('relaxes a LIF membrane along the closed form v∞ − (v∞ − v0)·e^(−t/τm) to within 0.01 mV', async () => {
    const em = new SpinnakerEmulator(await plan(oneNeuron({ i_offset_nA: 0.5 })));
    const vInf = -65 + 20 * 0.5;
    for (let k = 1; k <= 2000; k++) {
      em.advance();
      if (k % 250 === 0) expect(Math.abs(fromAccum(em.state.v[0]!) - (vInf - (vInf + 65) * Math.exp(-k * 0.1 / 20)))).toBeLessThan(0.01);
    }
  });

  it('fires first under constant current within one step of the analytic threshold crossing', async () => {
    const em = new SpinnakerEmulator(await plan(oneNeuron({ i_offset_nA: 1 })));
    const crossing = -20 * Math.log((-45 + 50) / (-45 + 65)) / 0.1; // steps
    const first = spikeSteps(em, 400)[0]!;
    expect(Math.abs(first - crossing)).toBeLessThanOrEqual(1);
  });

  it('holds a neuron for exactly ⌈τref/dt⌉ steps after a spike (sPyNNaker counts T steps down; the CPU engine frees it one step earlier, as Brian2)', async () => {
    // 200 nA crosses threshold within one step of being free, so the inter-spike interval is T + 1
    const s = oneNeuron({ i_offset_nA: 200, tau_refrac_ms: 5 });
    const steps = spikeSteps(new SpinnakerEmulator(await plan(s)), 300);
    expect(steps[1]! - steps[0]!).toBe(51);
    const cpu = compileNetwork(s);
    const engine = new ReferenceEngine(cpu);
    const cpuSteps: number[] = [];
    engine.run(300, (step, _list, count) => { if (count > 0) cpuSteps.push(step); });
    expect(cpuSteps[1]! - cpuSteps[0]!).toBe(50);
  });

  it('fires when V equals the threshold exactly (REAL_COMPARE >=), where the CPU engine (strict >) does not', async () => {
    const withRestAtThreshold = spec({ dt_ms: 0.1, populations: [{ id: 'n', size: 1, model: { ...LIF, v_rest_mV: -50, v_reset_mV: -70 }, initial: { v_mV: -50 } }] });
    expect(spikeSteps(new SpinnakerEmulator(await plan(withRestAtThreshold)), 1)).toEqual([0]);
    expect(cpuRun(withRestAtThreshold, 1).spikes.size).toBe(0);
  });

  it('delivers a synaptic charge of weight × τsyn (init spreads each input over its step), decays it by e^(−dt/τ), and loses a little to flooring', async () => {
    const p = await plan(sourceToTarget(LIF, 2));
    const em = new SpinnakerEmulator(p);
    em.inject([0]);
    let charge = 0;
    let previous = 0;
    for (let k = 0; k < 3000; k++) {
      em.advance();
      const current = fromAccum(em.state.synE[1]!);
      if (previous > 1) expect(current / previous).toBeCloseTo(Math.exp(-0.1 / 5), 4);
      previous = current;
      charge += current * 0.1;
    }
    // values after each step's decay sum to w·τ·e^(−dt/τ); decay_s1615 floors every step, which loses ≈ 0.5 LSB
    // per step for the ≈ 400 steps the current lasts: measured 0.3 % of the charge
    const ratio = charge / (2 * 5 * Math.exp(-0.1 / 5));
    expect(ratio).toBeLessThan(1);
    expect(ratio).toBeGreaterThan(0.995);
  });

  it('applies a spike exactly its delay in steps later, also beyond the 16 steps a core holds', async () => {
    for (const delayMs of [0.1, 1.6, 3]) {
      const em = new SpinnakerEmulator(await plan(sourceToTarget(LIF, 1, delayMs)));
      em.inject([0]);
      let arrived = -1;
      for (let k = 0; k < 40 && arrived < 0; k++) {
        const step = em.step;
        em.advance();
        if (em.state.synE[1] !== 0) arrived = step;
      }
      expect(arrived).toBe(Math.round(delayMs / 0.1));
    }
  });

  it('gives the same EPSP peak as the CPU engine within 1 % (current) and 2 % (conductance)', async () => {
    const cases = [
      { model: LIF, weight: 1, tolerance: 0.01 },
      { model: { type: 'lif_cond', v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 0 }, weight: 0.01, tolerance: 0.02 },
    ];
    for (const c of cases) {
      const s = sourceToTarget(c.model, c.weight);
      const em = new SpinnakerEmulator(await plan(s));
      const net = compileNetwork(s);
      const engine = new ReferenceEngine(net);
      em.inject([0]);
      engine.inject([0]);
      let peakEm = -Infinity;
      let peakCpu = -Infinity;
      for (let k = 0; k < 600; k++) {
        em.advance();
        engine.advance();
        peakEm = Math.max(peakEm, fromAccum(em.state.v[1]!));
        peakCpu = Math.max(peakCpu, net.state.v[1]!);
      }
      expect(Math.abs((peakEm + 65) / (peakCpu + 65) - 1)).toBeLessThan(c.tolerance);
    }
  });

  it('runs Izhikevich as sPyNNaker does (RK2 midpoint, 1.85·h after a spike): tonic rate within 0.5 % of the same scheme in float64', async () => {
    const izh = { type: 'izhikevich', a: 0.02, b: 0.2, c_mV: -65, d: 8, i_offset: 10 };
    const s = spec({ dt_ms: 0.1, populations: [{ id: 'n', size: 1, model: izh as never }] });
    const fixed = spikeSteps(new SpinnakerEmulator(await plan(s)), 10000).length;
    let v = -65;
    let u = 0.2 * -65;
    let h = 0.1;
    let float = 0;
    for (let k = 0; k < 10000; k++) {
      const preAlpha = 140 + 10 - u;
      const alpha = preAlpha + (5 + 0.040008544921875 * v) * v;
      const eta = v + 0.5 * h * alpha;
      const beta = 0.5 * h * (0.2 * v - u) * 0.02;
      const vNext = v + h * (preAlpha - beta + (5 + 0.040008544921875 * eta) * eta);
      u += 0.02 * h * (-u - beta + 0.2 * eta);
      v = vNext;
      h = 0.1;
      if (v >= 30) { v = -65; u += 8; h = 0.1 * 1.85; float++; }
    }
    expect(float).toBeGreaterThan(10);
    expect(Math.abs(fixed / float - 1)).toBeLessThan(0.005);
  });

  it('saturates a ring-buffer slot at 0xFFFF and counts it, as sPyNNaker does', async () => {
    const s = spec({
      dt_ms: 0.1,
      populations: [{ id: 'src', size: 2, model: { type: 'spike_source' } }, { id: 't', size: 1, model: LIF }],
      projections: [{ id: 'p', source: 'src', target: 't', connector: { type: 'all_to_all' }, weight: 1 }],
    });
    const p = await plan(s);
    expect(p.synapses.weight.every((w) => w < 0x8000)).toBe(true); // the worst-case shift leaves head-room
    const forced: SpinnakerPlan = { ...p, synapses: { ...p.synapses, weight: Uint16Array.from([40000, 40000]) } };
    const em = new SpinnakerEmulator(forced);
    em.inject([0, 1]);
    em.advance();
    expect(em.state.saturations).toBe(1);
    expect(em.state.ring[(1 % em.state.slots) * 2 * 3 + 2]).toBe(0xffff);
  });
});

describe('SpiNNaker emulation: networks against the CPU engine', () => {
  for (const kind of ['cuba', 'coba'] as const) {
    it(`keeps the population rates of the driven ${kind.toUpperCase()} network within 5 % of the CPU engine (measured 0–1.3 %)`, async () => {
      const s = drivenNetwork(kind);
      const steps = 10000;
      const cpu = cpuRun(s, steps);
      const session = await spinnakerBackend.open(await spinnakerBackend.compile(s, { mode: 'emulate' }));
      const out = await session.step(steps);
      const net = compileNetwork(s);
      for (const pop of net.populations) {
        let count = 0;
        for (const g of out.spikes.neuron) if (g >= pop.offset && g < pop.offset + pop.size) count++;
        const emulated = rateHz(count, pop.size, steps, 0.1);
        const reference = rateHz(cpu.counts.get(pop.id)!, pop.size, steps, 0.1);
        expect(reference).toBeGreaterThan(5);
        expect(Math.abs(emulated / reference - 1)).toBeLessThan(0.05);
      }
      expect(out.step).toBe(steps);
    });
  }

  it('draws the same Poisson input spikes as the CPU engine', async () => {
    const s = drivenNetwork('cuba');
    const cpu = cpuRun(s, 500);
    const session = await spinnakerBackend.open(await spinnakerBackend.compile(s, { mode: 'emulate' }));
    const out = await session.step(500);
    const drive = new Set<string>();
    out.spikes.neuron.forEach((g, k) => { if (g < 400) drive.add(`drive:${g}:${out.spikes.step[k]}`); });
    expect([...cpu.spikes].filter((x) => x.startsWith('drive:')).sort()).toEqual([...drive].sort());
  });
});

describe('SpiNNaker emulation: sessions and snapshots', () => {
  it('continues from a snapshot in a fresh session with exactly the spikes of an uninterrupted run', async () => {
    const s = drivenNetwork('coba', 3);
    const artifact = await spinnakerBackend.compile(s, { mode: 'emulate' });
    const whole = await (await spinnakerBackend.open(artifact)).step(1200);
    const first = await spinnakerBackend.open(artifact);
    await first.step(700);
    const bytes = await first.snapshot();
    await first.close();
    const resumed = await spinnakerBackend.open(artifact, { snapshot: bytes });
    const rest = await resumed.step(500);
    const tail = (o: typeof whole, from: number): string[] => Array.from(o.spikes.step, (st, k) => `${st}:${o.spikes.neuron[k]}`).filter((x) => +x.split(':')[0]! >= from);
    expect(tail(rest, 0)).toEqual(tail(whole, 700));
    expect(rest.step).toBe(1200);
  });

  it('writes the core snapshot format: a CPU network restores it, with v within one s16.15 step', async () => {
    const s = drivenNetwork('cuba');
    const session = await spinnakerBackend.open(await spinnakerBackend.compile(s, { mode: 'emulate' }));
    await session.step(300);
    const bytes = await session.snapshot();
    const cpu = compileNetwork(s);
    const { step, extra } = restoreSnapshot(cpu, bytes);
    expect(step).toBe(300);
    expect(extra[SPINNAKER_EXTRA]!.length).toBeGreaterThan(0);
    const resumedCpu = new ReferenceEngine(cpu, step);
    resumedCpu.run(100);
    expect(resumedCpu.step).toBe(400);
  });

  it('resumes from a CPU snapshot (no exact section) by rebuilding the fixed-point state from the floats', async () => {
    const s = drivenNetwork('cuba');
    const cpu = compileNetwork(s);
    new ReferenceEngine(cpu).run(300);
    const bytes = encodeSnapshot(cpu, 300);
    const session = await spinnakerBackend.open(await spinnakerBackend.compile(s, { mode: 'emulate' }), { snapshot: bytes });
    const round = restoreSnapshot(compileNetwork(s), await session.snapshot());
    expect(round.step).toBe(300);
    const staged = compileNetwork(s);
    restoreSnapshot(staged, await session.snapshot());
    for (let i = 400; i < 800; i += 37) expect(Math.abs(staged.state.v[i]! - cpu.state.v[i]!)).toBeLessThanOrEqual(1 / 32768);
    const out = await session.step(1000);
    expect(out.step).toBe(1300);
    expect(out.spikes.neuron.length).toBeGreaterThan(1000);
  });

  it('rejects a snapshot whose SpiNNaker section is damaged, and one of another network', async () => {
    const s = drivenNetwork('cuba');
    const artifact = await spinnakerBackend.compile(s, { mode: 'emulate' });
    const session = await spinnakerBackend.open(artifact);
    await session.step(10);
    const cpu = compileNetwork(s);
    const wrong = encodeSnapshot(cpu, 10, { [SPINNAKER_EXTRA]: new Uint8Array([1, 2, 3]) });
    await expect(spinnakerBackend.open(artifact, { snapshot: wrong })).rejects.toMatchObject({ code: 'E_SNAPSHOT_CORRUPT' });
    const other = await spinnakerBackend.compile(drivenNetwork('cuba', 9), { mode: 'emulate' });
    await expect(spinnakerBackend.open(other, { snapshot: await session.snapshot() })).rejects.toMatchObject({ code: 'E_SNAPSHOT_SPEC_MISMATCH' });
  });

  it('takes input spikes only for spike_source neurons and refuses to run once closed', async () => {
    const session = await spinnakerBackend.open(await spinnakerBackend.compile(sourceToTarget(LIF, 1), { mode: 'emulate' }));
    await expect(session.step(1, { spikes: [1] })).rejects.toMatchObject({ code: 'E_BACKEND_INPUT' });
    const out = await session.step(3, { spikes: [0] });
    expect(Array.from(out.spikes.neuron)).toEqual([0]);
    expect(Array.from(out.spikes.step)).toEqual([0]);
    await session.close();
    await expect(session.step(1)).rejects.toMatchObject({ code: 'E_BACKEND_CLOSED' });
  });
});
