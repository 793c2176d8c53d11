// Pinned step semantics against Brian2 itself: tiny deterministic networks, spike steps compared exactly, v traces closely.
import { beforeAll, describe, expect, it } from 'vitest';
import { runBrian2Cases, type Brian2Case, type Brian2CaseResult } from '../../bench/brian2-runner.ts';
import { compileNetwork } from '../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { createEngine, type KernelKind } from '../../core/engine/create-engine.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import type { NetworkSpec, NetworkSpecInput } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';

/** Our float32 against Brian2's float64: v may differ by rounding only (observed ~1e-5 mV). */
const V_TOLERANCE_MV = 1e-3;
const DT = 0.1;

function spec(input: Omit<NetworkSpecInput, 'version' | 'name' | 'dt_ms'>): NetworkSpec {
  return parseSpec({ version: 1, name: 'semantics', dt_ms: DT, ...input });
}

const lifDefaults = { cm_nF: 1, tau_m_ms: 20, v_rest_mV: -65, v_reset_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 5 };

/** Every case names the neurons it checks by global index (populations are laid out in order). */
const CASES: Brian2Case[] = [
  {
    // v = v_thresh exactly, and at rest there: `>` never fires; 0.01 mV above fires in step 0.
    // lif_cond (Euler) keeps v = v_rest bit-exact in both simulators; Brian2's symbolic exact
    // solution for lif rounds v = El off by an ulp, which would make the probe test rounding.
    name: 'threshold',
    steps: 300,
    recordV: [0],
    spec: spec({
      populations: [
        { id: 'at', size: 1, model: { type: 'lif_cond', v_rest_mV: -50, v_reset_mV: -60, v_thresh_mV: -50 }, initial: { v_mV: -50 } },
        { id: 'above', size: 1, model: { type: 'lif_cond', v_rest_mV: -50, v_reset_mV: -60, v_thresh_mV: -50 }, initial: { v_mV: -49.99 } },
      ],
    }),
  },
  {
    // Regular firing under constant current: exact integration (lif), forward Euler (lif_cond),
    // and no refractory period at all; first spikes and every ISI depend on the integrator.
    name: 'constant-current',
    steps: 3000,
    recordV: [1],
    spec: spec({
      populations: [
        { id: 'exact', size: 1, model: { type: 'lif', cm_nF: 0.25, tau_m_ms: 20, v_rest_mV: -65, v_reset_mV: -70, v_thresh_mV: -55, tau_refrac_ms: 2, i_offset_nA: 0.2 } },
        { id: 'euler', size: 1, model: { type: 'lif_cond', cm_nF: 0.2, tau_m_ms: 20, v_rest_mV: -60, v_reset_mV: -60, v_thresh_mV: -50, tau_refrac_ms: 5, i_offset_nA: 0.12 } },
        { id: 'no_refractory', size: 1, model: { type: 'lif', ...lifDefaults, v_reset_mV: -60, tau_refrac_ms: 0, i_offset_nA: 2 } },
      ],
    }),
  },
  {
    // A spike in step n moves its target's membrane in step n + delay (delay ≥ 1 step; default 1).
    name: 'one-step-effect-and-delay',
    steps: 40, // a's synaptic current would fire it again once its refractory period ends (step 54)
    inject: [[3, 0]],
    spec: spec({
      populations: [
        { id: 'src', size: 1, model: { type: 'spike_source' } },
        { id: 'a', size: 1, model: { type: 'lif', ...lifDefaults } },
        { id: 'b', size: 1, model: { type: 'lif', ...lifDefaults } },
        { id: 'c', size: 1, model: { type: 'lif', ...lifDefaults } },
      ],
      projections: [
        { id: 'src_a', source: 'src', target: 'a', connector: { type: 'one_to_one' }, weight: 1000 },
        { id: 'a_b', source: 'a', target: 'b', connector: { type: 'one_to_one' }, weight: 1000, delay_ms: 2 },
        { id: 'a_c', source: 'a', target: 'c', connector: { type: 'one_to_one' }, weight: 1000, delay_ms: 0.1 },
      ],
    }),
  },
  {
    // Both neurons start above threshold and fire in step 0; `kicked` gets an input spike in step 2,
    // inside its 5 ms refractory period: v stays at v_reset, ge keeps the kick (decaying), and once
    // v integrates again (step 50) the kept conductance fires it within a few steps.
    name: 'refractory-clamp',
    steps: 400,
    inject: [[2, 0]],
    recordV: [1, 2],
    spec: spec({
      populations: [
        { id: 'src', size: 1, model: { type: 'spike_source' } },
        { id: 'kicked', size: 1, model: { type: 'lif_cond' }, initial: { v_mV: -49 } },
        { id: 'control', size: 1, model: { type: 'lif_cond' }, initial: { v_mV: -49 } },
      ],
      projections: [{ id: 'kick', source: 'src', target: 'kicked', connector: { type: 'one_to_one' }, weight: 0.5 }],
    }),
  },
  {
    // Sub-threshold responses to exc and inh input spikes: the synaptic kernels of both models.
    name: 'synaptic-kernels',
    steps: 400,
    inject: [[10, 0], [12, 0], [50, 0], [51, 0], [52, 0], [30, 1], [80, 1], [81, 1], [120, 0], [200, 1]],
    recordV: [2, 3],
    spec: spec({
      populations: [
        { id: 'drive', size: 2, model: { type: 'spike_source' } },
        { id: 'cur', size: 1, model: { type: 'lif', ...lifDefaults, tau_syn_e_ms: 5, tau_syn_i_ms: 10 } },
        { id: 'cond', size: 1, model: { type: 'lif_cond' }, initial: { v_mV: -60 } },
      ],
      projections: [
        { id: 'cur_e', source: 'drive', target: 'cur', connector: { type: 'explicit', pairs: [[0, 0]] }, weight: 0.5, receptor: 'exc' },
        { id: 'cur_i', source: 'drive', target: 'cur', connector: { type: 'explicit', pairs: [[1, 0]] }, weight: 0.3, receptor: 'inh' },
        { id: 'cond_e', source: 'drive', target: 'cond', connector: { type: 'explicit', pairs: [[0, 0]] }, weight: 0.01, receptor: 'exc' },
        { id: 'cond_i', source: 'drive', target: 'cond', connector: { type: 'explicit', pairs: [[1, 0]] }, weight: 0.02, receptor: 'inh' },
      ],
    }),
  },
];

interface OurRun {
  spikes: [number, number][];
  v: Record<string, number[]>;
}

/** What the tests need of an engine: the closed-loop surface shared by ReferenceEngine and createEngine's engines. */
interface Stepper {
  readonly step: number;
  readonly spikes: Uint32Array;
  readonly spikeCount: number;
  inject(globalIndices: ArrayLike<number>): void;
  advance(): void;
}

/** Steps one at a time, injecting before each step and reading spikes and v after it. */
function runOn(c: Brian2Case, net: CompiledNetwork, engine: Stepper): OurRun {
  const due = new Map<number, number[]>();
  for (const [step, neuron] of c.inject ?? []) due.set(step, [...(due.get(step) ?? []), neuron]);
  const spikes: [number, number][] = [];
  const v: Record<string, number[]> = Object.fromEntries((c.recordV ?? []).map((i) => [String(i), []]));
  for (let k = 0; k < c.steps; k++) {
    const inject = due.get(engine.step);
    if (inject) engine.inject(inject);
    const step = engine.step;
    engine.advance();
    for (let j = 0; j < engine.spikeCount; j++) spikes.push([step, engine.spikes[j]!]);
    for (const i of c.recordV ?? []) v[String(i)]!.push(net.state.v[i]!);
  }
  return { spikes, v };
}

function runReference(c: Brian2Case): OurRun {
  const net = compileNetwork(c.spec);
  return runOn(c, net, new ReferenceEngine(net));
}

/** The engine the CLI and the agent use, in this thread, with the given kernels. */
async function runProduction(c: Brian2Case, kernels: KernelKind): Promise<OurRun> {
  const net = compileNetwork(c.spec, { memory: kernels === 'ts' ? 'shared' : 'wasm' });
  const engine = await createEngine(net, { workers: 0, kernels });
  try {
    return runOn(c, net, engine);
  } finally {
    await engine.close();
  }
}

function stepsOf(spikes: readonly [number, number][], neuron: number): number[] {
  return spikes.filter(([, n]) => n === neuron).map(([s]) => s);
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, k) => Math.max(m, Math.abs(x - b[k]!)), 0);
}

/**
 * Float64 spike steps of one neuron under constant drive relaxing towards vInf with time constant tau,
 * integrated exactly or by forward Euler, with HASN/Brian2's threshold, reset and refractory rules.
 */
function constantDriveSpikes(method: 'exact' | 'euler', p: { tau: number; vInf: number; v0: number; vReset: number; vThresh: number; refracSteps: number; steps: number }): number[] {
  const factor = method === 'exact' ? Math.exp(-DT / p.tau) : 1 - DT / p.tau;
  let v = p.v0;
  let last = -1e9;
  const out: number[] = [];
  for (let n = 0; n < p.steps; n++) {
    const free = n - last >= p.refracSteps;
    if (free) v = p.vInf + (v - p.vInf) * factor;
    if (free && v > p.vThresh) {
      v = p.vReset;
      last = n;
      out.push(n);
    }
  }
  return out;
}

describe('step semantics pinned against Brian2 2.5.1 (tiny deterministic networks)', () => {
  const brian = new Map<string, Brian2CaseResult>();
  const ours = new Map<string, OurRun>();
  const production = new Map<string, OurRun>();

  beforeAll(async () => {
    const results = await runBrian2Cases(CASES, { timeoutMs: 240_000 });
    for (const r of results) brian.set(r.name, r);
    for (const c of CASES) ours.set(c.name, runReference(c));
    for (const kernels of ['wasm', 'ts'] as const) {
      for (const c of CASES) production.set(`${c.name}/${kernels}`, await runProduction(c, kernels));
    }
    for (const c of CASES) {
      console.log(`${c.name}: HASN spikes ${JSON.stringify(ours.get(c.name)!.spikes.slice(0, 12))}${ours.get(c.name)!.spikes.length > 12 ? ' …' : ''}`);
      console.log(`${c.name}: Brian2 spikes ${JSON.stringify(brian.get(c.name)!.spikes.slice(0, 12))}${brian.get(c.name)!.spikes.length > 12 ? ' …' : ''}`);
    }
  }, 300_000);

  it('every case gives exactly the same spikes (step, neuron) in HASN and in Brian2', () => {
    for (const c of CASES) expect({ case: c.name, spikes: ours.get(c.name)!.spikes }).toEqual({ case: c.name, spikes: brian.get(c.name)!.spikes });
  });

  it('the production engine (createEngine in this thread, wasm and ts kernels) gives the same spikes and v as Brian2 too', () => {
    for (const kernels of ['wasm', 'ts']) {
      for (const c of CASES) {
        const run = production.get(`${c.name}/${kernels}`)!;
        expect({ case: c.name, kernels, spikes: run.spikes }).toEqual({ case: c.name, kernels, spikes: brian.get(c.name)!.spikes });
        for (const neuron of c.recordV ?? []) expect(maxAbsDiff(run.v[String(neuron)]!, brian.get(c.name)!.v[String(neuron)]!)).toBeLessThan(V_TOLERANCE_MV);
      }
    }
  });

  it('threshold is strict: v equal to v_thresh never fires, 0.01 mV above fires in step 0', () => {
    const spikes = brian.get('threshold')!.spikes;
    expect(stepsOf(spikes, 0)).toEqual([]);
    expect(stepsOf(spikes, 1)).toEqual([0]);
    for (const v of [brian.get('threshold')!.v['0']!, ours.get('threshold')!.v['0']!]) expect(v.every((x) => x === -50)).toBe(true);
  });

  it('constant drive: lif matches exact integration and lif_cond forward Euler, and the two integrators disagree', () => {
    const spikes = brian.get('constant-current')!.spikes;
    const exactLif = { tau: 20, vInf: -65 + (20 / 0.25) * 0.2, v0: -65, vReset: -70, vThresh: -55, refracSteps: 20, steps: 3000 };
    const eulerCond = { tau: 20, vInf: -60 + 0.12 / 0.01, v0: -60, vReset: -60, vThresh: -50, refracSteps: 50, steps: 3000 };
    expect(stepsOf(spikes, 0)).toEqual(constantDriveSpikes('exact', exactLif));
    expect(stepsOf(spikes, 1)).toEqual(constantDriveSpikes('euler', eulerCond));
    // The comparison can tell the integrators apart: the other method gives other spike steps.
    expect(constantDriveSpikes('euler', exactLif)).not.toEqual(constantDriveSpikes('exact', exactLif));
    expect(constantDriveSpikes('exact', eulerCond)).not.toEqual(constantDriveSpikes('euler', eulerCond));
    expect(stepsOf(spikes, 0).length).toBeGreaterThan(5);
    expect(stepsOf(spikes, 1).length).toBeGreaterThan(5);
  });

  it('refractory period: ISIs are never shorter than τ_ref, and with τ_ref = 0 integration alone sets them', () => {
    const spikes = brian.get('constant-current')!.spikes;
    const isis = (n: number): number[] => stepsOf(spikes, n).slice(1).map((s, k) => s - stepsOf(spikes, n)[k]!);
    expect(Math.min(...isis(0))).toBeGreaterThanOrEqual(20);
    expect(Math.min(...isis(1))).toBeGreaterThanOrEqual(50);
    const free = { tau: 20, vInf: -65 + 20 * 2, v0: -65, vReset: -60, vThresh: -50, refracSteps: 0, steps: 3000 };
    expect(stepsOf(spikes, 2)).toEqual(constantDriveSpikes('exact', free));
    expect(stepsOf(spikes, 2).length).toBeGreaterThan(10);
  });

  it('a spike in step n moves its target in step n + delay: one step by default, 20 steps for 2 ms', () => {
    const spikes = brian.get('one-step-effect-and-delay')!.spikes;
    expect(spikes).toEqual([[3, 0], [4, 1], [5, 3], [24, 2]]);
  });

  it('refractory clamp: v holds v_reset through the refractory period while input accumulates, then the kept input fires', () => {
    const b = brian.get('refractory-clamp')!;
    const o = ours.get('refractory-clamp')!;
    const kicked = stepsOf(b.spikes, 1);
    expect(stepsOf(b.spikes, 2)).toEqual([0]);
    expect(kicked[0]).toBe(0);
    // Steps 0 … 49: the reset value, exactly, in both simulators (step 50 is the first integrated again).
    for (const v of [b.v['1']!, o.v['1']!]) expect(v.slice(0, 50).every((x) => x === -60)).toBe(true);
    expect(b.v['1']![50]).toBeGreaterThan(-60);
    expect(kicked[1]).toBeGreaterThanOrEqual(50);
    expect(kicked[1]).toBeLessThan(60);
  });

  it('v traces agree to float32 rounding in every recorded neuron (exact kernel for lif, Euler for lif_cond)', () => {
    for (const c of CASES) {
      for (const neuron of c.recordV ?? []) {
        const diff = maxAbsDiff(ours.get(c.name)!.v[String(neuron)]!, brian.get(c.name)!.v[String(neuron)]!);
        console.log(`${c.name} neuron ${neuron}: max |v_HASN − v_Brian2| = ${diff.toExponential(2)} mV`);
        expect(diff).toBeLessThan(V_TOLERANCE_MV);
      }
    }
  });

  it('synaptic input moves v up for exc and down for inh, in both simulators alike', () => {
    const v = brian.get('synaptic-kernels')!.v;
    for (const neuron of ['2', '3']) {
      const trace = v[neuron]!;
      expect(Math.max(...trace.slice(10, 30))).toBeGreaterThan(trace[9]! + 0.1);   // exc spikes at 10, 12
      expect(Math.min(...trace.slice(200, 260))).toBeLessThan(trace[199]! - 0.05);  // inh spike at 200
    }
  });
});
