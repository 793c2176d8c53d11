// The fleet link as an agent extension: embedded broker in simulation mode, credentials from the config's files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfig } from '../../agent/config/schema.ts';
import { EventBus } from '../../agent/events.ts';
import type { AgentContext } from '../../agent/extensions.ts';
import { silentLogger } from '../../agent/log.ts';
import { fleetLinkExtension } from '../../agent/mqtt/extension.ts';
import { loadLinkCredentials } from '../../agent/mqtt/link-settings.ts';
import { openStore } from '../../agent/store/index.ts';
import { broker, controllerKeys, onCleanup, probe, tempDir } from './fixtures/link-fixture.ts';
import { SimulatedAgentControl } from './fixtures/sim-control.ts';
import { Probe } from './fixtures/probe.ts';

/** The parts of the agent context the extension uses (runtime and snapshots belong to the agent's own tests). */
function context(config: AgentConfig): AgentContext {
  const store = openStore(join(config.data_dir, 'store'));
  onCleanup(() => store.close());
  return { config, log: silentLogger, events: new EventBus(), store, bootId: 'boot-ext', status: () => { throw new Error('not used'); } } as unknown as AgentContext;
}

describe('fleet link extension', () => {
  it('in simulation mode without mqtt: starts the embedded broker, connects to it, forwards agent state events, stops both', async () => {
    const dir = tempDir();
    const ctx = context(AgentConfig.parse({ device: { id: 'sim-agent' }, data_dir: dir, simulation: true }));
    const extension = fleetLinkExtension({ control: () => new SimulatedAgentControl(), embeddedBrokerPort: 0 });
    await extension.start(ctx);
    const detail = () => extension.health?.().detail ?? '';
    for (let i = 0; i < 100 && !detail().startsWith('connected'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /connected to (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(detail())?.[1];
    expect(url).toBeDefined();
    const p = await probe(url!, ['hasn/v1/sim-agent/#']);
    await p.waitFor((m) => m.topic === 'hasn/v1/sim-agent/status');
    ctx.events.emit('state', { state: 'degraded', reason: 'sensor lost' });
    const event = await p.waitFor((m) => m.topic.endsWith('/events') && (m.json as { type: string }).type === 'agent.state');
    expect(event.json).toMatchObject({ severity: 'warning', data: { state: 'degraded', reason: 'sensor lost' } });
    await extension.stop();
    // The embedded broker stopped with the extension.
    await expect(Probe.open(url!, { connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'E_MQTT_CONNECT' });
  });

  it('with mqtt in the config: reads the password and the controller key from their files and connects there', async () => {
    const b = await broker();
    const dir = tempDir();
    writeFileSync(join(dir, 'password'), 's3cret\n');
    writeFileSync(join(dir, 'controller.pub'), controllerKeys().publicKey.export({ type: 'spki', format: 'pem' }));
    const mqtt = { url: b.url, username: 'pi-9', password_file: join(dir, 'password'), controller_public_key_file: join(dir, 'controller.pub') };
    const credentials = loadLinkCredentials(mqtt);
    expect(credentials).toMatchObject({ url: b.url, username: 'pi-9', password: 's3cret' });
    expect(credentials.controllerPublicKey?.asymmetricKeyType).toBe('ed25519');
    const ctx = context(AgentConfig.parse({ device: { id: 'pi-9' }, data_dir: dir, mqtt }));
    const extension = fleetLinkExtension({ control: () => new SimulatedAgentControl() });
    const p = await probe(b.url, ['hasn/v1/+/birth']);
    await extension.start(ctx);
    onCleanup(() => extension.stop());
    await p.waitFor((m) => m.topic === 'hasn/v1/pi-9/birth');
  });

  it('names the config key at fault when a file cannot be read or a key is not Ed25519', () => {
    const dir = tempDir();
    expect(() => loadLinkCredentials({ url: 'mqtts://x:8883', ca_file: join(dir, 'missing.crt') })).toThrow(expect.objectContaining({ code: 'E_CONFIG_FILE', path: 'mqtt.ca_file' }));
    writeFileSync(join(dir, 'bad.pub'), 'not a key');
    expect(() => loadLinkCredentials({ url: 'mqtt://x', controller_public_key_file: join(dir, 'bad.pub') })).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID', path: 'mqtt.controller_public_key_file' }));
  });
});
