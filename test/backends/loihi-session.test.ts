// loihi emulation sessions: inputs, snapshots that continue exactly, and state that crosses to and from the cpu backend.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { restoreSnapshot } from '../../core/state/index.ts';
import { cpuBackend } from '../../drivers/backends/cpu/index.ts';
import { loihiBackend } from '../../drivers/backends/loihi/index.ts';
import { LOIHI_LIF, cubaLike, runSession, spec } from './specs.ts';

describe('loihi emulation session', () => {
  it('continues a restored snapshot with exactly the spikes of an uninterrupted run', async () => {
    const artifact = await loihiBackend.compile(cubaLike(300, 5), { mode: 'emulate' });
    const full = await runSession(await loihiBackend.open(artifact), 1500);
    expect(full.length).toBeGreaterThan(100);
    const first = await loihiBackend.open(artifact);
    await first.step(600);
    const resumed = await loihiBackend.open(artifact, { snapshot: await first.snapshot() });
    expect(await runSession(resumed, 900)).toEqual(full.filter(([step]) => step >= 600));
  });

  it('writes the core snapshot format: the cpu backend restores it with v dequantized to within one voltage unit', async () => {
    const s = cubaLike(200, 6);
    const session = await loihiBackend.open(await loihiBackend.compile(s, { mode: 'emulate' }));
    await session.step(400);
    const bytes = await session.snapshot();
    const net = compileNetwork(s);
    expect(restoreSnapshot(net, bytes).step).toBe(400);
    const resolution = 15 / ((1 << 15) * 64) * 2; // mV per voltage unit (threshold 15 mV = 2^21 units), with margin
    const cpu = await cpuBackend.open(await cpuBackend.compile(s, { mode: 'hardware' }), { snapshot: bytes });
    const out = await cpu.step(100);
    expect(out.step).toBe(500);
    // Round trip cpu → loihi: the quantized state restored from the cpu snapshot matches it.
    const cpuBytes = await cpu.snapshot();
    const back = await loihiBackend.open(await loihiBackend.compile(s, { mode: 'emulate' }), { snapshot: cpuBytes });
    const again = compileNetwork(s);
    restoreSnapshot(again, await back.snapshot());
    const cpuNet = compileNetwork(s);
    restoreSnapshot(cpuNet, cpuBytes);
    let worst = 0;
    for (let i = 0; i < 200; i++) worst = Math.max(worst, Math.abs(again.state.v[i]! - cpuNet.state.v[i]!));
    expect(worst).toBeLessThan(resolution + 1e-4);
  });

  it('rejects input spikes for non-source neurons and use after close', async () => {
    const s = spec({ populations: [{ id: 'in', size: 2, model: { type: 'spike_source' } }, { id: 'n', size: 2, model: LOIHI_LIF }] });
    const session = await loihiBackend.open(await loihiBackend.compile(s, { mode: 'emulate' }));
    await expect(session.step(1, { spikes: [2] })).rejects.toMatchObject({ code: 'E_BACKEND_INPUT' });
    const out = await session.step(3, { spikes: [1] });
    expect([...out.spikes.step]).toEqual([0]);
    expect([...out.spikes.neuron]).toEqual([1]);
    await session.close();
    await expect(session.step(1)).rejects.toMatchObject({ code: 'E_BACKEND_CLOSED' });
  });
});
