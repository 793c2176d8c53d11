// The fleet link against the embedded aedes broker: status, birth, telemetry through the outbox, reconnects.
import { createServer, connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BirthPayload, StatusPayload, TelemetryPayload } from '../../agent/contract/messages.ts';
import { startEmbeddedBroker } from '../../agent/mqtt/embedded-broker.ts';
import { broker, device, probe } from './fixtures/link-fixture.ts';
import { eventually } from './fixtures/probe.ts';

describe('fleet link on aedes', () => {
  it('publishes a retained online status and a birth after connecting, speaking MQTT 3.1.1 to aedes', async () => {
    const b = await broker();
    const dev = device(b.url);
    const p = await probe(b.url);
    const status = StatusPayload.parse((await p.waitFor((m) => m.topic === 'hasn/v1/dev-a/status')).json);
    expect(status).toMatchObject({ state: 'online', bootId: dev.bootId, backend: 'cpu', version: '0.1.0-sim' });
    const birth = BirthPayload.parse((await p.waitFor((m) => m.topic === 'hasn/v1/dev-a/birth')).json);
    expect(birth.mqtt).toBe(4);
    expect(birth.capabilities.commands).toContain('pull');
    expect(birth.brain?.specHash).toMatch(/^[0-9a-f]{64}$/);
    // A late subscriber still gets the status: it is retained.
    const late = await probe(b.url, ['hasn/v1/+/status']);
    const retained = await late.waitFor((m) => m.topic === 'hasn/v1/dev-a/status');
    expect(retained.retain).toBe(true);
  });

  it('publishes a retained offline status when stopped', async () => {
    const b = await broker();
    const dev = device(b.url);
    await eventually(() => dev.link.connected, 5000, 'connect');
    await dev.link.stop();
    const p = await probe(b.url, ['hasn/v1/+/status']);
    const status = StatusPayload.parse((await p.waitFor((m) => m.topic === 'hasn/v1/dev-a/status')).json);
    expect(status.state).toBe('offline');
    expect(status.reason).toBe('agent stopped');
  });

  it('republishes the status when the agent becomes degraded', async () => {
    const b = await broker();
    const dev = device(b.url, { telemetry: { sampleMs: 20, batchSize: 5 } });
    const p = await probe(b.url);
    await p.waitFor((m) => m.topic.endsWith('/status') && (m.json as StatusPayload).state === 'online');
    dev.control.backend = 'loihi';
    const degraded = StatusPayload.parse((await p.waitFor((m) => m.topic.endsWith('/status') && (m.json as StatusPayload).state === 'degraded')).json);
    expect(degraded.reason).toMatch(/loihi/);
  });

  it('keeps telemetry in the outbox while the broker is unreachable and delivers every batch, seq 1…n, once it is up', async () => {
    // The broker and the listening probe are up first; the device reaches the broker only through a gate
    // (a TCP forwarder) that opens later. Otherwise the device could reconnect to a fresh broker and drain
    // its outbox before the probe's subscription exists, and the broker would drop the messages.
    const b = await broker();
    const p = await probe(b.url, ['hasn/v1/+/telemetry']);
    const placeholder = await startEmbeddedBroker();
    const gatePort = placeholder.port;
    await placeholder.close();
    const dev = device(`mqtt://127.0.0.1:${gatePort}`, { telemetry: { sampleMs: 5, batchSize: 2 } });
    await eventually(() => dev.store.outbox.stats().byKind.telemetry.rows >= 10, 5000, 'telemetry to accumulate');
    expect(dev.link.connected).toBe(false);
    const gate = createServer((inbound) => {
      const upstream = connect(b.port, '127.0.0.1');
      inbound.pipe(upstream).pipe(inbound);
      inbound.on('error', () => upstream.destroy());
      upstream.on('error', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => gate.listen(gatePort, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => gate.close(() => resolve())));
    dev.link.flushTelemetry();
    await eventually(() => dev.link.connected, 5000, 'reconnect');
    await dev.link.stop();
    await eventually(() => dev.store.outbox.stats().rows === 0, 5000, 'the outbox to drain');
    const batches = p.on('/telemetry').map((m) => TelemetryPayload.parse(m.json));
    const seqs = [...new Set(batches.map((t) => t.seq))].sort((a, c) => a - c);
    expect(seqs.length).toBeGreaterThanOrEqual(10);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(batches.every((t) => t.bootId === dev.bootId && t.records.length >= 1)).toBe(true);
  });

  it('reconnects after the broker restarts and re-sends what was not acknowledged (nothing lost)', async () => {
    const first = await startEmbeddedBroker();
    const port = first.port;
    const dev = device(first.url, { telemetry: { sampleMs: 5, batchSize: 1 } });
    await eventually(() => dev.link.connected, 5000, 'connect');
    await first.close();
    await eventually(() => !dev.link.connected, 5000, 'disconnect');
    const eventIds = [dev.link.publishEvent('alarm.test', 'warning', { n: 1 }), dev.link.publishEvent('alarm.test', 'warning', { n: 2 })];
    await new Promise((r) => setTimeout(r, 150));
    const second = await broker({ port });
    const p = await probe(second.url, ['hasn/v1/+/events', 'hasn/v1/+/birth']);
    await p.waitFor((m) => m.topic.endsWith('/birth'), 5000, 'birth after reconnect');
    for (const id of eventIds) await p.waitFor((m) => (m.json as { id?: string }).id === id, 5000, `event ${id}`);
    expect(dev.link.stats().connects).toBeGreaterThanOrEqual(2);
  });

  it('does not crash and counts nothing when stopped before it ever connected', async () => {
    const placeholder = await startEmbeddedBroker();
    await placeholder.close();
    const dev = device(placeholder.url, { telemetry: { sampleMs: 5, batchSize: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    await dev.link.stop();
    expect(dev.link.stats()).toMatchObject({ connected: false, connects: 0 });
    expect(dev.store.outbox.stats().byKind.telemetry.rows).toBeGreaterThan(0);
  });
});
