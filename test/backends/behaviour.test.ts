// One behavioural suite on every backend that can run: the same networks, inputs and expectations, each within its stated tolerance.
//
// The reference is the cpu backend in the caller's thread. Tolerances (stated per target, and why):
//   cpu, in-thread     exact (it is the reference)
//   cpu, 1 worker      exact: one worker thread; spike trains are bit-identical for every worker count by design
//   cpu, 2 workers     exact: two worker threads on two partitions (this machine has two cores)
//   loihi emulate      spike latencies within 3 % (at least 1 step), rates within 5 % (single neurons) /
//                      10 % (networks): 12-bit decays and 8-bit weights, bit-exact with Lava's
//                      fixed-point CPU model (a 2 % coarser membrane decay at dt = 0.1 ms shows here)
//   spinnaker emulate  the same bounds: s16.15 arithmetic with 16-bit weights (near-exact, its adapter says)
//   akida emulate      runs where check() accepts the network (layered feed-forward, non-leaky
//                      integrate-and-fire); spike counts as the reference, timing not compared: an Akida
//                      inference covers a frame and all its layers spike in the next frame. Elsewhere it
//                      must decline with stable codes, which the suite asserts
// Every backend registered in drivers/backends/registry.ts with an emulate or hardware mode is a target.
// A behaviour a backend declines (check() violations) is asserted as declined, with codes: never skipped silently.
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { BACKENDS } from '../../drivers/backends/registry.ts';
import type { Backend, BackendMode } from '../../drivers/backends/types.ts';
import { LOIHI_LIF, cubaLike, runSession, spec } from './specs.ts';

/** Latency: relative error of a spike's delay after its input (at least one step when > 0); null: not compared. */
interface Tolerance { latency: number | null; neuronRate: number; networkRate: number }
interface Target { name: string; backend: Backend; mode: BackendMode; workers?: number; tolerance: Tolerance }

const EXACT: Tolerance = { latency: 0, neuronRate: 0, networkRate: 0 };
const STATED: Record<string, Tolerance> = {
  loihi: { latency: 0.03, neuronRate: 0.05, networkRate: 0.1 },
  spinnaker: { latency: 0.03, neuronRate: 0.05, networkRate: 0.1 },
  akida: { latency: null, neuronRate: 0.05, networkRate: 0.1 },
};

const cpu = BACKENDS.find((b) => b.id === 'cpu')!;
const TARGETS: Target[] = [
  { name: 'cpu, in-thread', backend: cpu, mode: 'hardware', workers: 0, tolerance: EXACT },
  { name: 'cpu, 1 worker', backend: cpu, mode: 'hardware', workers: 1, tolerance: EXACT },
  { name: 'cpu, 2 workers', backend: cpu, mode: 'hardware', workers: 2, tolerance: EXACT },
  ...BACKENDS.filter((b) => b.id !== 'cpu').map((backend): Target => ({
    name: `${backend.id} emulate`, backend, mode: 'emulate', tolerance: STATED[backend.id] ?? { latency: 0.03, neuronRate: 0.05, networkRate: 0.1 },
  })),
];

type Spikes = [number, number][];
interface Behaviour {
  name: string;
  spec: NetworkSpec;
  steps: number;
  inject?: Record<number, number[]>;
  /** Checks a run against the reference run, within the target's tolerance. */
  expect(ours: Spikes, reference: Spikes, tol: Tolerance): void;
}

const firstSpike = (spikes: Spikes, from: number, to: number): number | undefined => spikes.find(([, n]) => n >= from && n < to)?.[0];
const count = (spikes: Spikes, from: number, to: number): number => spikes.filter(([, n]) => n >= from && n < to).length;
/** |t − r| within the latency tolerance of r's delay after the input at `from` (at least one step unless exact). */
const closeTime = (t: number | undefined, r: number, from: number, tol: Tolerance, what: string): void => {
  expect(t, what).toBeDefined();
  if (tol.latency === null) return;
  const allowed = tol.latency === 0 ? 0 : Math.max(1, Math.ceil(tol.latency * (r - from)));
  expect(Math.abs(t! - r), `${what}: step ${t} vs ${r}`).toBeLessThanOrEqual(allowed);
};
const closeRate = (ours: number, reference: number, tol: number, what: string): void => {
  expect(reference, `${what}: the reference is active`).toBeGreaterThan(0);
  expect(Math.abs(ours - reference) / reference, `${what}: ${ours} vs ${reference} spikes`).toBeLessThanOrEqual(tol);
};

/** Integrate-and-fire without leak (τm = 10^6 ms), as Akida layers compute. */
const NON_LEAKY = { ...LOIHI_LIF, tau_m_ms: 1e6 };

const feedForward = (weight: number) => spec({
  dt_ms: 0.1,
  populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'n', size: 1, model: LOIHI_LIF }],
  projections: [
    { id: 'exc', source: 'in', target: 'n', connector: { type: 'explicit', pairs: [[0, 0]] }, weight },
    { id: 'inh', source: 'in', target: 'n', connector: { type: 'explicit', pairs: [[1, 0]] }, weight, receptor: 'inh' },
  ],
});

const BEHAVIOURS: Behaviour[] = [
  {
    name: 'a strong input spike makes a LIF neuron fire a few steps later (one-step synaptic delay)',
    spec: feedForward(6), steps: 300, inject: { 5: [0] },
    expect(ours, ref, tol) {
      const r = firstSpike(ref, 2, 3)!;
      expect(r).toBeGreaterThan(6);
      closeTime(firstSpike(ours, 2, 3), r, 5, tol, 'output spike');
      expect(count(ours, 2, 3)).toBe(1);
    },
  },
  {
    name: 'a weak input spike stays below threshold: no output spike',
    spec: feedForward(4), steps: 300, inject: { 5: [0] },
    expect(ours) { expect(count(ours, 2, 3)).toBe(0); },
  },
  {
    name: 'inhibition arriving with the excitation cancels it',
    spec: feedForward(6), steps: 300, inject: { 5: [0, 1] },
    expect(ours) {
      expect(count(ours, 0, 2)).toBe(2); // the inputs themselves
      expect(count(ours, 2, 3)).toBe(0);
    },
  },
  {
    name: 'a volley crosses a three-layer feed-forward chain, one layer after the other',
    spec: spec({
      dt_ms: 0.1,
      populations: [
        { id: 'in', size: 4, model: { type: 'spike_source' } },
        { id: 'a', size: 4, model: LOIHI_LIF }, { id: 'b', size: 4, model: LOIHI_LIF }, { id: 'c', size: 4, model: LOIHI_LIF },
      ],
      projections: [
        { id: 'in_a', source: 'in', target: 'a', connector: { type: 'all_to_all' }, weight: 1.6 },
        { id: 'a_b', source: 'a', target: 'b', connector: { type: 'all_to_all' }, weight: 1.6 },
        { id: 'b_c', source: 'b', target: 'c', connector: { type: 'all_to_all' }, weight: 1.6 },
      ],
    }),
    steps: 300, inject: { 10: [0, 1, 2, 3] },
    expect(ours, ref, tol) {
      const layers = [[4, 8], [8, 12], [12, 16]] as const;
      const times = layers.map(([a, b]) => firstSpike(ours, a, b));
      const refTimes = layers.map(([a, b]) => firstSpike(ref, a, b)!);
      expect(refTimes[0]! < refTimes[1]! && refTimes[1]! < refTimes[2]!).toBe(true);
      times.forEach((t, k) => closeTime(t, refTimes[k]!, 10, tol, `layer ${k}`));
      layers.forEach(([a, b]) => expect(count(ours, a, b)).toBe(4)); // one spike per neuron per layer
    },
  },
  {
    name: 'a layered network of non-leaky integrate-and-fire neurons passes each input volley on, one spike per neuron and layer',
    spec: spec({
      dt_ms: 0.1,
      populations: [
        { id: 'in', size: 4, model: { type: 'spike_source' } },
        { id: 'a', size: 4, model: NON_LEAKY }, { id: 'b', size: 4, model: NON_LEAKY },
      ],
      projections: [
        { id: 'in_a', source: 'in', target: 'a', connector: { type: 'all_to_all' }, weight: 1 },
        { id: 'a_b', source: 'a', target: 'b', connector: { type: 'all_to_all' }, weight: 1 },
      ],
    }),
    steps: 1500, inject: { 10: [0, 1, 2, 3], 400: [0, 1, 2, 3], 800: [0, 1, 2, 3] },
    expect(ours, ref, tol) {
      // Four input spikes bring 20 mV of charge, the threshold is 15 mV above reset: one spike, 5 mV left over.
      expect(count(ref, 4, 8)).toBe(12);
      expect(count(ours, 4, 8)).toBe(12);
      expect(count(ours, 8, 12)).toBe(12);
      closeTime(firstSpike(ours, 4, 8), firstSpike(ref, 4, 8)!, 10, tol, 'layer a');
      closeTime(firstSpike(ours, 8, 12), firstSpike(ref, 8, 12)!, 10, tol, 'layer b');
    },
  },
  {
    name: 'a constant offset current makes a neuron fire regularly at the float rate',
    spec: spec({ dt_ms: 0.1, populations: [{ id: 'n', size: 1, model: { ...LOIHI_LIF, i_offset_nA: 1.5 } }] }),
    steps: 20_000,
    expect(ours, ref, tol) {
      expect(count(ref, 0, 1)).toBeGreaterThan(20);
      closeRate(count(ours, 0, 1), count(ref, 0, 1), tol.neuronRate, 'rate');
      const isi = ours.slice(1).map(([t], k) => t - ours[k]![0]);
      expect(Math.max(...isi) - Math.min(...isi)).toBeLessThanOrEqual(tol.latency === 0 ? 1 : 3); // regular
    },
  },
  {
    name: 'a recurrent excitatory/inhibitory network keeps its population rates',
    spec: cubaLike(400, 7), steps: 5000,
    expect(ours, ref, tol) {
      closeRate(count(ours, 0, 320), count(ref, 0, 320), tol.networkRate, 'excitatory');
      closeRate(count(ours, 320, 400), count(ref, 320, 400), tol.networkRate, 'inhibitory');
    },
  },
];

async function run(target: Target, b: Behaviour): Promise<Spikes> {
  const artifact = await target.backend.compile(b.spec, { mode: target.mode, workers: target.workers });
  const session = await target.backend.open(artifact, { workers: target.workers });
  try {
    return await runSession(session, b.steps, b.inject);
  } finally {
    await session.close();
  }
}

const references = new Map<string, Promise<Spikes>>();
const reference = (b: Behaviour): Promise<Spikes> => {
  if (!references.has(b.name)) references.set(b.name, run(TARGETS[0]!, b));
  return references.get(b.name)!;
};

describe.each(TARGETS)('behaviour on $name', (target) => {
  it('is a registered backend whose probe offers this mode', async () => {
    expect((await target.backend.probe()).modes).toContain(target.mode);
  });

  for (const b of BEHAVIOURS) {
    it(b.name, async () => {
      const violations = target.backend.check(b.spec);
      if (violations.length > 0) {
        // Declined: every reason carries a stable code and a path; compile refuses with them.
        for (const v of violations) expect(v.code).toMatch(/^E_[A-Z0-9_]+$/);
        await expect(target.backend.compile(b.spec, { mode: target.mode })).rejects.toMatchObject({ issues: violations });
        return;
      }
      b.expect(await run(target, b), await reference(b), target.tolerance);
    });
  }

  /** The first of the busy networks (recurrent E/I, else the non-leaky chain) this backend accepts. */
  const busy = (): Behaviour | undefined =>
    BEHAVIOURS.filter((x) => x.name.startsWith('a recurrent') || x.name.startsWith('a layered')).find((x) => target.backend.check(x.spec).length === 0);

  it('returns spikes in canonical order (step, then neuron ascending) and the next step number', async () => {
    const b = busy();
    expect(b, 'a network this backend accepts').toBeDefined();
    const session = await target.backend.open(await target.backend.compile(b!.spec, { mode: target.mode, workers: target.workers }));
    await session.step(100);
    const out = await session.step(1400, { spikes: b!.inject?.[10] });
    expect(out.step).toBe(1500);
    expect(out.spikes.step.length).toBeGreaterThan(0);
    for (let k = 1; k < out.spikes.step.length; k++) {
      const ordered = out.spikes.step[k - 1]! < out.spikes.step[k]! || (out.spikes.step[k - 1] === out.spikes.step[k] && out.spikes.neuron[k - 1]! < out.spikes.neuron[k]!);
      expect(ordered).toBe(true);
    }
    expect(out.spikes.step[0]).toBeGreaterThanOrEqual(100);
    await session.close();
  });

  it('continues from its own snapshot exactly as an uninterrupted run', async () => {
    const b = busy()!;
    const artifact = await target.backend.compile(b.spec, { mode: target.mode, workers: target.workers });
    const inject = b.inject ?? {};
    const later = Object.fromEntries(Object.entries(inject).filter(([step]) => Number(step) >= 600).map(([step, n]) => [Number(step) - 600, n]));
    const whole = await target.backend.open(artifact);
    const all = await runSession(whole, 1500, inject);
    const first = await target.backend.open(artifact);
    await runSession(first, 600, inject);
    const resumed = await target.backend.open(artifact, { snapshot: await first.snapshot() });
    const rest = await runSession(resumed, 900, later);
    await Promise.all([whole.close(), first.close(), resumed.close()]);
    expect(all.filter(([step]) => step >= 600).length).toBeGreaterThan(0);
    expect(rest).toEqual(all.filter(([step]) => step >= 600));
  });
});
