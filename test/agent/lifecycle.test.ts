// The agent's lifecycle: start order, READY, graceful stop with a shutdown snapshot, resuming where it stopped, one agent per data dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specHash } from '../../core/spec/hash.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import { readFileSync } from 'node:fs';
import { storedBrainFile } from '../../agent/brain/brain-source.ts';
import type { AgentContext, AgentExtension } from '../../agent/extensions.ts';
import { lockDataDir } from '../../agent/lifecycle/data-dir-lock.ts';
import { openStore } from '../../agent/store/index.ts';
import { FakeHardware, SENSORIMOTOR, startTestAgent, tempDir, testConfig, waitFor, type StartedAgent } from './helpers.ts';

let dir: ReturnType<typeof tempDir>;
const running: StartedAgent[] = [];
beforeEach(() => {
  dir = tempDir('hasn-lifecycle-');
});
afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
  dir.remove();
});

async function start(...args: Parameters<typeof startTestAgent>): Promise<StartedAgent> {
  const started = await startTestAgent(...args);
  running.push(started);
  return started;
}

describe('agent lifecycle', () => {
  it('starts, reports READY=1 once the engine ticks, runs the brain in real time, and stops with STOPPING=1', async () => {
    const a = await start(testConfig(dir.path));
    await waitFor(() => a.notifier.messages.some((m) => m.READY === '1'), 3000, 'READY');
    await waitFor(() => a.agent.status().brain!.step > 200, 3000, 'steps');
    const status = a.agent.status();
    expect(status).toMatchObject({ state: 'running', device: { id: 'test-agent' }, backend: { requested: 'cpu', active: 'cpu', engine: expect.stringMatching(/^in-thread\//) }, brain: { name: 'sensorimotor', dt_ms: 1 } });
    expect(status.sensors.map((s) => s.state)).toEqual(['running', 'running', 'running']);
    expect(a.agent.readiness()).toEqual({ ready: true, reasons: [] });
    expect(a.agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await a.agent.stop('test');
    expect(a.notifier.messages.at(-1)).toMatchObject({ STOPPING: '1' });
    expect(a.agent.status().state).toBe('stopped');
  });

  it('takes a shutdown snapshot and the next start resumes the brain where it stopped', async () => {
    const first = await start(testConfig(dir.path));
    await waitFor(() => first.agent.status().brain!.step > 300, 3000, 'steps');
    await first.agent.stop('restart');
    running.splice(0);
    const store = openStore(dir.path);
    const [shutdown] = store.snapshots.list();
    store.close();
    expect(shutdown).toMatchObject({ reason: 'shutdown' });
    expect(shutdown!.step).toBeGreaterThan(300);

    const second = await start(testConfig(dir.path));
    const status = second.agent.status();
    expect(status.brain!.restored_from).toEqual({ snapshot: shutdown!.id, step: shutdown!.step });
    expect(status.brain!.step).toBeGreaterThanOrEqual(shutdown!.step);
  });

  it('falls back to an older snapshot, with an error logged, when the newest cannot be restored', async () => {
    const first = await start(testConfig(dir.path));
    await waitFor(() => first.agent.status().brain!.step > 100, 3000, 'steps');
    await first.agent.stop();
    running.splice(0);
    const spec = parseSpecJson(readFileSync(SENSORIMOTOR, 'utf8'));
    const store = openStore(dir.path);
    const good = store.snapshots.list()[0]!;
    store.snapshots.save(Uint8Array.of(1, 2, 3), { specHash: specHash(spec), step: 999_999, reason: 'manual' });
    store.close();
    const a = await start(testConfig(dir.path), { captureLog: true });
    expect(a.agent.status().brain!.restored_from).toEqual({ snapshot: good.id, step: good.step });
    expect(a.lines.some((l) => l.level === 'error' && String(l.msg).includes('could not be restored'))).toBe(true);
  });

  it('starts fresh when no snapshot of this brain restores', async () => {
    const spec = parseSpecJson(readFileSync(SENSORIMOTOR, 'utf8'));
    const store = openStore(dir.path);
    store.snapshots.save(Uint8Array.of(1, 2, 3), { specHash: specHash(spec), step: 5, reason: 'manual' });
    store.snapshots.save(Uint8Array.of(4, 5, 6), { specHash: 'another-brain', step: 5, reason: 'manual' });
    store.close();
    const a = await start(testConfig(dir.path));
    expect(a.agent.status().brain).toMatchObject({ restored_from: null });
    expect(a.agent.status().brain!.step).toBeLessThan(1000);
  });

  it('refuses a second agent on the same data directory, and frees it at stop', async () => {
    const a = await start(testConfig(dir.path));
    await expect(startTestAgent(testConfig(dir.path, { http: { port: 0 } }))).rejects.toMatchObject({ code: 'E_DATA_DIR_LOCKED' });
    expect(a.agent.status().state).toBe('running');
    await a.agent.stop();
    running.splice(0);
    const release = lockDataDir(dir.path);
    release();
  });

  it('takes over a lock left by an agent that no longer runs', () => {
    writeFileSync(join(dir.path, 'agent.lock'), '999999999\n');
    const release = lockDataDir(dir.path);
    release();
  });

  it('starts extensions after the I/O and before HTTP, and stops them after the shutdown snapshot', async () => {
    const calls: string[] = [];
    let context: AgentContext | undefined;
    const extension: AgentExtension = {
      name: 'probe',
      async start(ctx) {
        context = ctx;
        const status = ctx.status();
        calls.push(`start sensors=${status.sensors.map((s) => s.state).join(',')} http=${a?.agent.url ?? 'none'}`);
      },
      async stop() {
        calls.push(`stop snapshots=${context!.store.snapshots.list().map((s) => s.reason).join(',')}`);
      },
      health: () => ({ ok: false, detail: 'broker unreachable' }),
    };
    let a: StartedAgent | undefined;
    a = await start(testConfig(dir.path), { extensions: [extension] });
    expect(a.agent.status()).toMatchObject({ state: 'degraded', reasons: ['probe: broker unreachable'] });
    expect(a.agent.readiness().ready).toBe(false);
    await a.agent.stop();
    expect(calls).toEqual(['start sensors=running,running,running http=none', 'stop snapshots=shutdown']);
  });

  it('runs idle without a brain (nothing configured, nothing deployed) and picks up a deployed one at the next start', async () => {
    const idle = await start(testConfig(dir.path, { brain: {}, simulation: false, sensors: [], actuators: [], reward: { rules: [] } }));
    await waitFor(() => idle.notifier.messages.some((m) => m.READY === '1'), 3000, 'READY');
    expect(idle.notifier.messages[0]).toMatchObject({ READY: '1', STATUS: 'idle: no brain deployed' });
    expect(idle.agent.status()).toMatchObject({ state: 'idle', brain: null });
    expect(idle.agent.readiness()).toEqual({ ready: false, reasons: ['no brain deployed'] });
    expect(() => idle.agent.spec()).toThrow(expect.objectContaining({ code: 'E_NO_BRAIN' }));
    await idle.agent.stop();
    running.splice(0);
    mkdirSync(join(dir.path, 'brain'), { recursive: true });
    writeFileSync(storedBrainFile(dir.path), readFileSync(SENSORIMOTOR));
    const deployed = await start(testConfig(dir.path, { brain: {}, simulation: false, sensors: [], actuators: [], reward: { rules: [] } }));
    expect(deployed.agent.status().brain).toMatchObject({ name: 'sensorimotor', file: storedBrainFile(dir.path) });
  });

  it('is degraded, not stopped, when a sensor cannot be opened', async () => {
    const hardware = new FakeHardware();
    hardware.brokenLines.add(5);
    const a = await start(testConfig(dir.path, { simulation: false, sensors: [{ id: 'light_left', source: { type: 'gpio', line: 5 } }], actuators: [], reward: { rules: [] } }), { hardware });
    await waitFor(() => a.notifier.messages.some((m) => m.READY === '1'), 3000, 'READY');
    const status = a.agent.status();
    expect(status.state).toBe('degraded');
    expect(status.reasons).toEqual([expect.stringContaining('sensor light_left failed: EBUSY')]);
    expect(a.agent.readiness().ready).toBe(true);
  });

  it('refuses a config that does not fit the brain, leaving nothing running behind', async () => {
    const bad = testConfig(dir.path, { simulation: false, sensors: [{ id: 'thermo', source: { type: 'gpio', line: 5 } }] });
    await expect(startTestAgent(bad)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', issues: [expect.objectContaining({ code: 'E_CONFIG_UNKNOWN_CHANNEL', path: 'sensors[0].channel' })] });
    const release = lockDataDir(dir.path);
    release();
  });

  it('falls back to cpu with the reason in status when another backend is asked for', async () => {
    const a = await start(testConfig(dir.path, { backend: 'loihi' }));
    expect(a.agent.status().backend).toEqual({ requested: 'loihi', active: 'cpu', engine: expect.stringMatching(/^in-thread\//), fallback_reason: expect.stringContaining('loihi') });
  });
});
