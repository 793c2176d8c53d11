// Desired config over aedes: signed, validated by the agent's schema, applied with rollback, reported back.
import { describe, expect, it } from 'vitest';
import { EventPayload, ReportedConfigPayload } from '../../agent/contract/messages.ts';
import { signPayload } from '../../agent/contract/signing.ts';
import { broker, controllerKeys, device, probe } from './fixtures/link-fixture.ts';
import { eventually } from './fixtures/probe.ts';

const DESIRED = 'hasn/v1/dev-a/config/desired';
const config = (backend = 'cpu'): Record<string, unknown> => ({ device: { id: 'dev-a' }, backend, engine: { tick_ms: 5 } });
const desired = (version: number, body: Record<string, unknown>): Record<string, unknown> => signPayload(DESIRED, { version, config: body }, controllerKeys(), { ttlMs: null });

async function setup(): Promise<{ dev: ReturnType<typeof device>; p: Awaited<ReturnType<typeof probe>> }> {
  const b = await broker();
  const dev = device(b.url);
  const p = await probe(b.url, ['hasn/v1/+/config/reported', 'hasn/v1/+/events', 'hasn/v1/+/birth']);
  await p.waitFor((m) => m.topic.endsWith('/birth'));
  return { dev, p };
}

const reportFor = (version: number) => (m: { topic: string; json: unknown }) => m.topic.endsWith('/config/reported') && (m.json as { version?: number }).version === version;

describe('desired config', () => {
  it('applies a signed config, reports it retained, and records it in the audit log', async () => {
    const { dev, p } = await setup();
    await p.publishJson(DESIRED, desired(1, config()), { retain: true });
    const report = ReportedConfigPayload.parse((await p.waitFor(reportFor(1))).json);
    expect(report).toMatchObject({ version: 1, applied: true, current: 1 });
    expect(dev.control.configVersion).toBe(1);
    expect(dev.store.audit.list({ action: 'config.apply' })).toHaveLength(1);
  });

  it('rejects a config the agent schema refuses and keeps the running one', async () => {
    const { dev, p } = await setup();
    await p.publishJson(DESIRED, desired(1, config()), { retain: true });
    await p.waitFor(reportFor(1));
    await p.publishJson(DESIRED, desired(2, { device: { id: 'dev-a' }, engine: { tick_ms: 'fast' } }), { retain: true });
    const report = ReportedConfigPayload.parse((await p.waitFor(reportFor(2))).json);
    expect(report).toMatchObject({ version: 2, applied: false, current: 1, error: { code: 'E_CONFIG_INVALID', path: 'engine.tick_ms' } });
    expect(dev.control.configVersion).toBe(1);
  });

  it('refuses a config written for another device', async () => {
    const { dev, p } = await setup();
    await p.publishJson(DESIRED, desired(1, { device: { id: 'dev-b' } }), { retain: true });
    const report = ReportedConfigPayload.parse((await p.waitFor(reportFor(1))).json);
    expect(report).toMatchObject({ applied: false, error: { code: 'E_CONFIG_DEVICE', path: 'device.id' } });
    expect(dev.control.configVersion).toBeNull();
  });

  it('rolls back a config after which the agent is not healthy, and says so', async () => {
    const { dev, p } = await setup();
    await p.publishJson(DESIRED, desired(3, config('loihi')), { retain: true });
    const report = ReportedConfigPayload.parse((await p.waitFor(reportFor(3))).json);
    expect(report).toMatchObject({ applied: false, rolledBack: true, current: null, error: { code: 'E_CONFIG_UNHEALTHY' } });
    expect(dev.control.backend).toBe('cpu');
  });

  it('refuses an unsigned or tampered config with an error event and ignores versions not newer than the running one', async () => {
    const { dev, p } = await setup();
    await p.publishJson(DESIRED, { version: 5, config: config() }, { retain: true });
    const tampered = { ...desired(6, config()), version: 7 };
    await p.publishJson(DESIRED, tampered, { retain: true });
    await eventually(() => p.on('/events').filter((m) => (m.json as EventPayload).type === 'message.rejected').length >= 2, 5000, 'two rejections');
    const codes = p.on('/events').map((m) => ((m.json as EventPayload).data as { error: { code: string } }).error.code);
    expect(codes).toEqual(['E_MESSAGE_SCHEMA', 'E_SIGNATURE_INVALID']);
    expect(dev.control.configVersion).toBeNull();
    await p.publishJson(DESIRED, desired(4, config()), { retain: true });
    await p.waitFor(reportFor(4));
    await p.publishJson(DESIRED, desired(3, config()), { retain: true });
    await p.publishJson(DESIRED, desired(8, config()), { retain: true });
    await p.waitFor(reportFor(8));
    expect(p.seen.some(reportFor(3))).toBe(false);
    expect(dev.control.configVersion).toBe(8);
  });

  it('applies the retained desired config it finds when it connects', async () => {
    const b = await broker();
    const p = await probe(b.url, ['hasn/v1/+/config/reported']);
    await p.publishJson(DESIRED, desired(9, config()), { retain: true });
    const dev = device(b.url);
    await p.waitFor(reportFor(9));
    expect(dev.control.configVersion).toBe(9);
  });
});
