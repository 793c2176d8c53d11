// Against Debian's Mosquitto with the example config: TLS with a test CA, per-device passwords, the per-device ACL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusPayload } from '../../agent/contract/messages.ts';
import { openSession } from '../../agent/mqtt/client.ts';
import { FleetController } from '../../fleet/controller.ts';
import { FleetStore } from '../../fleet/store/fleet-store.ts';
import { controllerKeys, device, onCleanup, tempDir } from './fixtures/link-fixture.ts';
import { CONTROLLER_USER, startMosquitto } from './fixtures/mosquitto.ts';
import type { Mosquitto } from './fixtures/mosquitto.ts';
import { eventually, Probe } from './fixtures/probe.ts';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ devices: ['dev-a', 'dev-b'] });
});
afterAll(async () => {
  await broker?.dispose();
});

const asDevice = (id: string) => ({ url: broker.deviceUrl, ca: broker.ca, username: id, password: broker.password(id) });
const asController = () => ({ url: broker.controllerUrl, ca: broker.ca, username: CONTROLLER_USER, password: broker.password(CONTROLLER_USER) });

async function controllerProbe(): Promise<Probe> {
  const probe = await Probe.open(broker.controllerUrl, { ...asController(), clientId: 'fleet_probe', subscribe: ['hasn/v1/#'], protocolVersion: 5 });
  onCleanup(() => probe.close());
  return probe;
}

describe('fleet link on Mosquitto (TLS, passwords, ACL)', () => {
  it('connects over TLS with its password, speaks MQTT 5, and the controller sees its status and commands round-trip', async () => {
    const dir = tempDir();
    const store = FleetStore.open(dir);
    const controller = new FleetController({ ...asController(), store, keys: controllerKeys(), clientId: 'fleet_main' }).start();
    onCleanup(async () => {
      await controller.stop();
      store.close();
    });
    const dev = device(broker.deviceUrl, { id: 'dev-a', ...asDevice('dev-a') });
    await eventually(() => store.device('dev-a')?.state === 'online', 10_000, 'dev-a online');
    expect(store.device('dev-a')?.birth?.mqtt).toBe(5);
    expect(await controller.command('dev-a', 'reward', { value: 1 })).toMatchObject({ ok: true });
    expect(dev.control.rewards).toEqual([{ value: 1 }]);
  });

  it('mirrors the response topic and correlation id in MQTT 5 properties', async () => {
    const probe = await controllerProbe();
    device(broker.deviceUrl, { id: 'dev-a', ...asDevice('dev-a') });
    await probe.waitFor((m) => m.topic === 'hasn/v1/dev-a/birth');
    await probe.publishJson('hasn/v1/dev-a/cmd/status', { correlationId: 'mirror-1', responseTopic: 'hasn/v1/dev-a/response/fleet_probe' }, {
      properties: { responseTopic: 'hasn/v1/dev-a/response/fleet_probe', correlationData: Buffer.from('mirror-1') },
    });
    const response = await probe.waitFor((m) => m.topic === 'hasn/v1/dev-a/response/fleet_probe');
    expect(response.json).toMatchObject({ correlationId: 'mirror-1', ok: true });
    expect(Buffer.from(response.properties.correlationData ?? []).toString()).toBe('mirror-1');
  });

  it('refuses a wrong password, a missing CA and a device on the controller listener', async () => {
    await expect(openSession({ url: broker.deviceUrl, clientId: 'dev-a', protocolVersion: 4, clean: true, ca: broker.ca, username: 'dev-a', password: 'wrong' })).rejects.toMatchObject({ code: 'E_MQTT_CONNECT' });
    await expect(openSession({ url: broker.deviceUrl, clientId: 'dev-a', protocolVersion: 4, clean: true, username: 'dev-a', password: broker.password('dev-a'), connectTimeoutMs: 3000 })).rejects.toMatchObject({ code: 'E_MQTT_CONNECT' });
    await expect(openSession({ url: broker.controllerUrl, clientId: 'dev-a', protocolVersion: 4, clean: true, ca: broker.ca, username: 'dev-a', password: broker.password('dev-a') })).rejects.toMatchObject({ code: 'E_MQTT_CONNECT' });
  });

  it('ACL: device A can neither publish to nor subscribe to device B’s topics, nor pose as B by client id', async () => {
    const probe = await controllerProbe();
    const a = await openSession({ ...asDevice('dev-a'), clientId: 'dev-a', protocolVersion: 4, clean: true });
    onCleanup(() => a.end(true));
    // Mosquitto 2.0 acknowledges such subscriptions but checks read access on every delivery: nothing of B's arrives.
    await a.subscribe(['hasn/v1/dev-b/cmd/+', 'hasn/v1/dev-b/config/desired', 'hasn/v1/+/cmd/+', 'hasn/v1/#', 'hasn/v1/dev-a/cmd/+'], 1);
    await probe.publishJson('hasn/v1/dev-b/config/desired', { version: 1 }, { retain: true });
    const received: string[] = [];
    a.onMessage((m) => received.push(m.topic));
    // Publishing into B's subtree (or into its own →dev topics) is dropped by the broker.
    const fake = { state: 'offline', bootId: 'forged', version: 'x', backend: 'cpu', since: 1 } satisfies StatusPayload;
    await a.publish('hasn/v1/dev-b/status', Buffer.from(JSON.stringify(fake)), { qos: 1 });
    await a.publish('hasn/v1/dev-b/telemetry', Buffer.from('{}'), { qos: 1 });
    await a.publish('hasn/v1/dev-a/config/desired', Buffer.from('{}'), { qos: 1 });
    await a.publish('hasn/v1/dev-a/events', Buffer.from('{"marker":true}'), { qos: 1 });
    await probe.waitFor((m) => m.topic === 'hasn/v1/dev-a/events', 5000, 'the allowed publish');
    await probe.publishJson('hasn/v1/dev-b/cmd/status', { correlationId: 'x', responseTopic: 'hasn/v1/dev-b/response/fleet_probe' });
    await probe.publishJson('hasn/v1/dev-a/cmd/status', { correlationId: 'y', responseTopic: 'hasn/v1/dev-a/response/fleet_probe' });
    await eventually(() => received.includes('hasn/v1/dev-a/cmd/status'), 5000, 'its own command');
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual(['hasn/v1/dev-a/cmd/status']);
    expect(probe.seen.map((m) => m.topic).filter((t) => t === 'hasn/v1/dev-b/status' || t === 'hasn/v1/dev-b/telemetry')).toEqual([]);
    expect(probe.seen.some((m) => m.topic === 'hasn/v1/dev-a/config/desired')).toBe(false);

    // Connecting as user dev-a with client id dev-b does not disconnect dev-b: the client id becomes the username.
    const b = await openSession({ ...asDevice('dev-b'), clientId: 'dev-b', protocolVersion: 4, clean: true });
    onCleanup(() => b.end(true));
    const impostor = await openSession({ ...asDevice('dev-a'), clientId: 'dev-b', protocolVersion: 4, clean: true });
    onCleanup(() => impostor.end(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(b.closed).toBe(false);
    expect(a.closed).toBe(true);
  });
});
