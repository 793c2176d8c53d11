// The cpu backend: our engine behind the Backend interface, with the same spikes as running the engine directly.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { cpuBackend } from '../../drivers/backends/cpu/index.ts';
import { cubaLike, runSession, spec } from './specs.ts';

const withInput = () => spec({
  dt_ms: 0.1, seed: 5,
  populations: [
    { id: 'in', size: 4, model: { type: 'spike_source' } },
    { id: 'out', size: 3, model: { type: 'lif', tau_refrac_ms: 2 } },
  ],
  projections: [{ id: 'p', source: 'in', target: 'out', connector: { type: 'all_to_all' }, weight: 2.5, delay_ms: 0.3 }],
});

describe('cpu backend', () => {
  it('probe reports hardware mode, the node version and the core count, and says why emulate/export do not apply', async () => {
    const status = await cpuBackend.probe();
    expect(status.modes).toEqual(['hardware']);
    expect(status.versions.node).toBe(process.versions.node);
    expect(Number(status.versions.cpus)).toBeGreaterThan(0);
    expect(status.reasons.map((r) => r.split(':')[0])).toEqual(['emulate', 'export']);
  });

  it('gives exactly the spikes of the reference engine run directly, across step() calls', async () => {
    const s = cubaLike(300, 9);
    const direct: [number, number][] = [];
    const engine = new ReferenceEngine(compileNetwork(s));
    engine.run(1500, (step, spikes, count) => { for (let k = 0; k < count; k++) direct.push([step, spikes[k]!]); });
    const session = await cpuBackend.open(await cpuBackend.compile(s, { mode: 'hardware' }));
    const a = await session.step(700);
    const b = await session.step(800);
    expect(b.step).toBe(1500);
    const ours = [...a.spikes.step].map((st, k) => [st, a.spikes.neuron[k]!]).concat([...b.spikes.step].map((st, k) => [st, b.spikes.neuron[k]!]));
    expect(direct.length).toBeGreaterThan(100);
    expect(ours).toEqual(direct);
  });

  it('gives identical spikes in this thread and with 1 and 2 worker threads', async () => {
    const s = cubaLike(300, 4);
    const run = async (workers: number) => {
      const session = await cpuBackend.open(await cpuBackend.compile(s, { mode: 'hardware', workers }));
      try {
        return await runSession(session, 1000);
      } finally {
        await session.close();
      }
    };
    const inThread = await run(0);
    expect(inThread.length).toBeGreaterThan(50);
    expect(await run(1)).toEqual(inThread);
    expect(await run(2)).toEqual(inThread);
  });

  it('injects input spikes into spike_source neurons and delivers them after the projection delay', async () => {
    const session = await cpuBackend.open(await cpuBackend.compile(withInput(), { mode: 'hardware' }));
    const spikes = await runSession(session, 40, { 5: [0, 1, 2, 3] });
    expect(spikes.slice(0, 4)).toEqual([[5, 0], [5, 1], [5, 2], [5, 3]]);
    const outSpikes = spikes.filter(([, n]) => n >= 4);
    expect(outSpikes.length).toBe(3);
    expect(outSpikes.every(([step]) => step >= 8)).toBe(true); // 0.3 ms = 3 steps of delay
  });

  it('restores a snapshot and continues with exactly the spikes of an uninterrupted run', async () => {
    const s = cubaLike(200, 2);
    const artifact = await cpuBackend.compile(s, { mode: 'hardware' });
    const full = await runSession(await cpuBackend.open(artifact), 1200);
    const first = await cpuBackend.open(artifact);
    await first.step(500);
    const bytes = await first.snapshot();
    const resumed = await cpuBackend.open(artifact, { snapshot: bytes, workers: 2 });
    const rest = await runSession(resumed, 700);
    await resumed.close();
    expect(rest).toEqual(full.filter(([step]) => step >= 500));
  });

  it('rejects bad step arguments, foreign input indices and use after close with stable codes', async () => {
    const session = await cpuBackend.open(await cpuBackend.compile(withInput(), { mode: 'hardware' }));
    await expect(session.step(-1)).rejects.toMatchObject({ code: 'E_BACKEND_STEPS' });
    await expect(session.step(1.5)).rejects.toMatchObject({ code: 'E_BACKEND_STEPS' });
    await expect(session.step(1, { spikes: [4] })).rejects.toMatchObject({ code: 'E_BACKEND_INPUT', path: 'inputs.spikes[0]' });
    await expect(session.step(1, { spikes: [99] })).rejects.toMatchObject({ code: 'E_BACKEND_INPUT' });
    await session.close();
    await expect(session.step(1)).rejects.toMatchObject({ code: 'E_BACKEND_CLOSED' });
    await expect(session.snapshot()).rejects.toMatchObject({ code: 'E_BACKEND_CLOSED' });
  });

  it('rejects modes other than hardware, bad worker counts and foreign artifacts', async () => {
    await expect(cpuBackend.compile(withInput(), { mode: 'emulate' })).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE', path: 'mode' });
    await expect(cpuBackend.compile(withInput(), { mode: 'hardware', workers: -1 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'workers' });
    await expect(cpuBackend.compile(withInput(), { mode: 'hardware', workers: 1.5 })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'workers' });
    const artifact = await cpuBackend.compile(withInput(), { mode: 'hardware' });
    await expect(cpuBackend.open({ ...artifact, backend: 'loihi' })).rejects.toMatchObject({ code: 'E_BACKEND_MODE' });
  });

  it('reports delays the engine would clip (over 255 steps, or unbounded) as E_CPU_DELAY_TOO_LONG', async () => {
    const long = spec({
      dt_ms: 0.1,
      populations: [{ id: 'a', size: 2, model: { type: 'lif' } }],
      projections: [
        { id: 'ok', source: 'a', target: 'a', connector: { type: 'one_to_one' }, weight: 1, delay_ms: 25.5 },
        { id: 'far', source: 'a', target: 'a', connector: { type: 'one_to_one' }, weight: 1, delay_ms: 25.6 },
        { id: 'open', source: 'a', target: 'a', connector: { type: 'one_to_one' }, weight: 1, delay_ms: { dist: 'exponential', mean: 1 } },
      ],
    });
    expect(cpuBackend.check(long).map((v) => `${v.code} ${v.path}`)).toEqual([
      'E_CPU_DELAY_TOO_LONG projections[1].delay_ms',
      'E_CPU_DELAY_TOO_LONG projections[2].delay_ms',
    ]);
    await expect(cpuBackend.compile(long, { mode: 'hardware' })).rejects.toMatchObject({ code: 'E_BACKEND_UNSUPPORTED' });
    expect(cpuBackend.check(cubaLike(100))).toEqual([]);
  });

  it('reports neurons, synapses and partitions in the compile report', async () => {
    const s = cubaLike(100, 1);
    const artifact = await cpuBackend.compile(s, { mode: 'hardware', workers: 2 });
    const net = compileNetwork(s);
    expect(artifact.report).toMatchObject({ neurons: 100, synapses: net.synapseCount, units: { partitions: 2, threads: 2 } });
  });
});
