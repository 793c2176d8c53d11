// Fuzz: thousands of malformed payloads on every topic the device and the controller subscribe to.
// Nothing crashes, every one is refused and counted, and the link and the controller keep working afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../agent/contract/signing.ts';
import { fleet } from '../fleet/fixtures/fleet-fixture.ts';
import { controllerKeys } from './fixtures/link-fixture.ts';
import { eventually, Probe } from './fixtures/probe.ts';
import { onCleanup } from './fixtures/link-fixture.ts';

const PER_TOPIC = 400;

/** Payloads that can never be valid for any topic of the contract. */
function malformed(topic: string): fc.Arbitrary<Uint8Array> {
  const valid = { correlationId: 'c1', responseTopic: 'hasn/v1/dev-a/response/fleet_fuzz', args: {} };
  const signedCommand = signPayload(topic, valid, controllerKeys());
  return fc.oneof(
    // bytes: mostly not UTF-8 or not JSON
    fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => (b[0] === 0x7b || b[0] === 0x5b ? Uint8Array.of(0xff, ...b) : b)),
    // JSON of the wrong shape
    fc.jsonValue({ maxDepth: 4 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || !('correlationId' in v)).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    // near-misses of real messages: one field of the wrong type, an unknown key, a broken signature
    fc.constantFrom('correlationId', 'responseTopic', 'args', 'auth', 'signature', 'version', 'manifest', 'deployId', 'state', 'bootId', 'seq').chain((key) =>
      fc.oneof(fc.constant(12345), fc.constant([]), fc.string({ maxLength: 3 }).map((s) => `${s}\u0000`), fc.constant({ nested: { deep: true } })).map((bad) =>
        Buffer.from(JSON.stringify({ ...signedCommand, [key]: bad, unexpected: 1 })))),
    // prototype-pollution keys and absurd numbers
    fc.constant(Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')),
    fc.constant(Buffer.from('{"version":1e309,"seq":-0,"bootId":"' + 'x'.repeat(200) + '"}')),
    // very deep nesting
    fc.integer({ min: 1000, max: 20000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
  );
}

describe('fuzz', () => {
  it('device: malformed payloads on config/desired, cmd/*, deploy and deploy chunks are refused and counted; the link keeps working', async () => {
    const f = await fleet(['dev-a']);
    const dev = f.devices[0];
    const fuzzer = await Probe.open(f.url, { clientId: 'fleet_fuzz' });
    onCleanup(() => fuzzer.close());
    const topics = ['config/desired', 'cmd/status', 'cmd/reward', 'cmd/pull', 'cmd/nonsense', 'deploy', 'deploy/d1/0', 'deploy/zz/7'].map((t) => `hasn/v1/dev-a/${t}`);
    let sent = 0;
    for (const topic of topics) {
      for (const payload of fc.sample(malformed(topic), { numRuns: PER_TOPIC, seed: sent + 1 })) {
        await fuzzer.session.publish(topic, payload, { qos: 0 });
        sent += 1;
      }
    }
    // Oversized: refused before parsing.
    await fuzzer.session.publish('hasn/v1/dev-a/cmd/status', Buffer.alloc(64 * 1024, 0x20), { qos: 1 });
    await fuzzer.session.publish('hasn/v1/dev-a/deploy/d1/0', Buffer.alloc(600 * 1024, 0x41), { qos: 1 });
    sent += 2;
    await eventually(() => dev.link.stats().rejected === sent, 30_000, `all ${sent} refusals`);
    const stats = dev.link.stats();
    process.stdout.write(`device fuzz: ${sent} malformed messages, ${stats.rejected} refused, by code ${JSON.stringify(stats.rejectedByCode)}\n`);
    expect(Object.keys(stats.rejectedByCode).sort()).toEqual(expect.arrayContaining(['E_MESSAGE_NOT_JSON', 'E_MESSAGE_SCHEMA', 'E_MESSAGE_TOO_LARGE']));
    // Error events are rate-limited, the rest counted as suppressed: the outbox is not flooded.
    expect(dev.store.outbox.stats().rows).toBeLessThan(200);
    expect(await f.controller.command('dev-a', 'reward', { value: 1 })).toMatchObject({ ok: true });
    expect(dev.link.connected).toBe(true);
  });

  it('controller: malformed payloads on every dev→ topic are refused and counted; the registry stays clean', async () => {
    const f = await fleet(['dev-a']);
    const fuzzer = await Probe.open(f.url, { clientId: 'fleet_fuzz' });
    onCleanup(() => fuzzer.close());
    const before = f.controller.ingest.stats.rejected;
    const topics = ['status', 'birth', 'telemetry', 'events', 'config/reported', 'response/fleet_test', 'pull/p1/0'].map((t) => `hasn/v1/fuzz-dev/${t}`);
    let sent = 0;
    for (const topic of topics) {
      for (const payload of fc.sample(malformed(topic), { numRuns: PER_TOPIC, seed: sent + 7 })) {
        await fuzzer.session.publish(topic, payload, { qos: 0 });
        sent += 1;
      }
    }
    await fuzzer.session.publish('hasn/v1/fuzz-dev/telemetry', Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 1 });
    sent += 1;
    await eventually(() => f.controller.ingest.stats.rejected - before === sent, 30_000, `all ${sent} refusals`);
    process.stdout.write(`controller fuzz: ${sent} malformed messages, ${f.controller.ingest.stats.rejected - before} refused, by code ${JSON.stringify(f.controller.ingest.stats.rejectedByCode)}\n`);
    expect(f.store.device('fuzz-dev')).toBeUndefined();
    expect(f.store.counters().rejected_messages).toBeGreaterThanOrEqual(sent);
    // Still ingesting real traffic.
    f.devices[0].link.publishEvent('after.fuzz', 'info');
    await eventually(() => f.store.events('dev-a', 'after.fuzz').length === 1, 5000, 'a real event after the fuzz');
  });
});
