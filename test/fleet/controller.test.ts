// The controller with real fleet links on aedes: registry, commands, desired config, pulls.
import { describe, expect, it } from 'vitest';
import { specHash } from '../../core/spec/hash.ts';
import { join } from 'node:path';
import { FleetController } from '../../fleet/controller.ts';
import { pullBrain } from '../../fleet/pull.ts';
import { FleetStore } from '../../fleet/store/fleet-store.ts';
import { onCleanup } from '../mqtt/fixtures/link-fixture.ts';
import { fleet } from './fixtures/fleet-fixture.ts';
import { eventually } from '../mqtt/fixtures/probe.ts';

describe('fleet controller', () => {
  it('keeps a registry from status, birth and telemetry: online, degraded, offline, last metrics', async () => {
    const f = await fleet(['dev-a', 'dev-b']);
    const a = f.store.device('dev-a')!;
    expect(a).toMatchObject({ state: 'online', backend: 'cpu', version: '0.1.0-sim', bootId: f.devices[0].bootId });
    expect(a.specHash).toBe(specHash(f.devices[0].control.brain.spec));
    await eventually(() => f.store.device('dev-a')?.lastMetrics?.['spikes.rate_hz'] === 12.5, 5000, 'telemetry');
    f.devices[1].control.backend = 'loihi';
    await eventually(() => f.store.device('dev-b')?.state === 'degraded', 5000, 'dev-b degraded');
    await f.devices[0].link.stop();
    await eventually(() => f.store.device('dev-a')?.state === 'offline', 5000, 'dev-a offline');
    expect(f.store.devices().map((d) => [d.id, d.state])).toEqual([['dev-a', 'offline'], ['dev-b', 'degraded']]);
  });

  it('sends a signed command and gets the response by correlation id', async () => {
    const f = await fleet(['dev-a']);
    const response = await f.controller.command('dev-a', 'reward', { value: 0.25 });
    expect(response).toMatchObject({ ok: true, result: { rewarded: 0.25 } });
    expect(f.devices[0].control.rewards).toEqual([{ value: 0.25 }]);
    await expect(f.controller.command('dev-zz', 'status', {}, 300)).rejects.toMatchObject({ code: 'E_COMMAND_TIMEOUT' });
  });

  it('sets a desired config with increasing versions and records what the device reported', async () => {
    const f = await fleet(['dev-a']);
    expect(await f.controller.setConfig('dev-a', { device: { id: 'dev-a' }, engine: { tick_ms: 5 } })).toBe(1);
    await eventually(() => f.store.device('dev-a')?.configReported?.version === 1, 5000, 'report 1');
    expect(await f.controller.setConfig('dev-a', { device: { id: 'dev-a' }, backend: 'spinnaker' })).toBe(2);
    await eventually(() => f.store.device('dev-a')?.configReported?.version === 2, 5000, 'report 2');
    expect(f.store.device('dev-a')).toMatchObject({ configVersion: 1, configReported: { version: 2, applied: false, rolledBack: true } });
  });

  it('pulls a device brain into the store as a verified bundle', async () => {
    const f = await fleet(['dev-a']);
    const source = f.devices[0].control;
    const { bundleId, manifest } = await pullBrain(f.controller, 'dev-a');
    expect(manifest.specHash).toBe(specHash(source.brain.spec));
    const stored = f.store.deployments.bundle(bundleId.slice(0, 12));
    expect(stored.manifest.sha256).toBe(bundleId);
    expect(f.store.deployments.bundles()).toMatchObject([{ id: bundleId, source: 'pull:dev-a', specHash: manifest.specHash }]);
  });

  it('lets two controller processes share one store: the event is stored once, and both hear it', async () => {
    const f = await fleet(['dev-a']);
    const second = new FleetController({ url: f.url, store: FleetStore.open(join(f.dir, 'controller')), clientId: 'fleet_second' }).start();
    onCleanup(async () => {
      await second.stop();
      second.store.close();
    });
    await second.waitConnected(5000);
    const heard: string[] = [];
    f.controller.ingest.on('event', (_d, e) => e.type === 'shared' && heard.push('first'));
    second.ingest.on('event', (_d, e) => e.type === 'shared' && heard.push('second'));
    f.devices[0].link.publishEvent('shared', 'info');
    await eventually(() => heard.length === 2, 5000, 'both controllers to hear the event');
    expect(heard.sort()).toEqual(['first', 'second']);
    expect(f.store.events('dev-a', 'shared')).toHaveLength(1);
  });
});
