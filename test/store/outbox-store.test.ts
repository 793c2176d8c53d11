// OutboxStore: FIFO peek/ack, depth, the telemetry-only drop-oldest capacity policy, and telemetry sequence numbers.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../agent/store/index.ts';
import { openDatabase } from '../../agent/store/sqlite.ts';
import type { EnqueueInput } from '../../agent/store/index.ts';
import { manualClock, tempDir, tempStore } from './store-fixture.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const telemetry = (n: number): EnqueueInput => ({ kind: 'telemetry', topic: 'hasn/v1/dev-1/telemetry', qos: 0, json: { n } });
const event = (n: number): EnqueueInput => ({ kind: 'event', topic: 'hasn/v1/dev-1/events', qos: 1, json: { n } });

describe('OutboxStore', () => {
  it('peeks messages oldest first across kinds, with their envelope and payload', () => {
    const clock = manualClock();
    const { outbox } = tempStore({ now: clock.now });
    outbox.enqueue(telemetry(1));
    outbox.enqueue({ kind: 'status', topic: 'hasn/v1/dev-1/status', qos: 1, retain: true, payload: new Uint8Array([1, 2]) });
    outbox.enqueue(event(3));
    const messages = outbox.peek(10);
    expect(messages.map((m) => m.kind)).toEqual(['telemetry', 'status', 'event']);
    expect(messages[1]).toEqual({ id: 2, kind: 'status', topic: 'hasn/v1/dev-1/status', qos: 1, retain: true, createdAt: clock.now(), payload: expect.anything() });
    expect([...messages[1].payload]).toEqual([1, 2]);
    expect(text(messages[2].payload)).toBe('{"n":3}');
    expect(outbox.peek(2).map((m) => m.id)).toEqual([1, 2]);
    expect(outbox.peek(10, 2).map((m) => m.id)).toEqual([3]);
  });

  it('ack deletes exactly the delivered ids, ignores unknown ones, and never reuses an id', () => {
    const dir = tempDir();
    let store = openStore(dir);
    for (let i = 0; i < 4; i++) store.outbox.enqueue(event(i));
    expect(store.outbox.ack([2, 4, 99])).toBe(2);
    expect(store.outbox.peek(10).map((m) => m.id)).toEqual([1, 3]);
    expect(store.outbox.ack([1, 3])).toBe(2);
    expect(store.outbox.ack([])).toBe(0);
    store.close();
    store = openStore(dir);
    try {
      expect(store.outbox.enqueue(event(5)).id).toBe(5);
    } finally {
      store.close();
    }
  });

  it('reports depth and bytes per kind', () => {
    const { outbox } = tempStore();
    outbox.enqueue(telemetry(1));
    outbox.enqueue(telemetry(2));
    outbox.enqueue({ kind: 'audit', topic: 'hasn/v1/dev-1/events', qos: 1, payload: new Uint8Array(10) });
    expect(outbox.depth()).toEqual({ telemetry: 2, event: 0, audit: 1, status: 0, response: 0 });
    const stats = outbox.stats();
    expect(stats.rows).toBe(3);
    expect(stats.byKind.telemetry.bytes).toBe(14);
    expect(stats.bytes).toBe(24);
  });

  it('drops the oldest telemetry, never an event, when the row capacity is exceeded', () => {
    const { outbox } = tempStore({ outboxCapacity: { maxRows: 3 } });
    outbox.enqueue(telemetry(1));
    outbox.enqueue(event(2));
    outbox.enqueue(telemetry(3));
    expect(outbox.enqueue(event(4))).toEqual({ id: 4, droppedTelemetry: 1, overCapacity: false });
    expect(outbox.peek(10).map((m) => m.id)).toEqual([2, 3, 4]);
    expect(outbox.enqueue(telemetry(5)).droppedTelemetry).toBe(1);
    expect(outbox.peek(10).map((m) => m.id)).toEqual([2, 4, 5]);
    expect(outbox.stats().droppedTelemetry).toBe(2);
  });

  it('drops oldest telemetry until the byte capacity holds', () => {
    const { outbox } = tempStore({ outboxCapacity: { maxBytes: 100 } });
    for (let i = 0; i < 3; i++) outbox.enqueue({ kind: 'telemetry', topic: 't', qos: 0, payload: new Uint8Array(30) });
    const result = outbox.enqueue({ kind: 'response', topic: 'r', qos: 1, payload: new Uint8Array(50) });
    expect(result.droppedTelemetry).toBe(2);
    expect(outbox.stats().bytes).toBe(80);
  });

  it('still accepts events when full of non-telemetry, and counts the over-capacity enqueues', () => {
    const dir = tempDir();
    let store = openStore(dir, { outboxCapacity: { maxRows: 2 } });
    store.outbox.enqueue(event(1));
    store.outbox.enqueue(event(2));
    expect(store.outbox.enqueue(event(3))).toEqual({ id: 3, droppedTelemetry: 0, overCapacity: true });
    expect(store.outbox.enqueue(telemetry(4))).toEqual({ id: 4, droppedTelemetry: 1, overCapacity: true });
    expect(store.outbox.peek(10).map((m) => m.id)).toEqual([1, 2, 3]);
    store.close();
    store = openStore(dir, { outboxCapacity: { maxRows: 2 } });
    try {
      expect(store.outbox.stats()).toMatchObject({ droppedTelemetry: 1, overCapacityEnqueues: 2, rows: 3 });
    } finally {
      store.close();
    }
  });

  it('allocates telemetry seq 1, 2, 3… per boot, continuing after a restart and restarting for a new boot', () => {
    const dir = tempDir();
    let store = openStore(dir);
    expect([store.outbox.nextTelemetrySeq('boot-a'), store.outbox.nextTelemetrySeq('boot-a')]).toEqual([1, 2]);
    store.close();
    store = openStore(dir);
    try {
      expect(store.outbox.nextTelemetrySeq('boot-a')).toBe(3);
      expect(store.outbox.nextTelemetrySeq('boot-b')).toBe(1);
      expect(() => store.outbox.nextTelemetrySeq('')).toThrow(expect.objectContaining({ code: 'E_OUTBOX_BOOT_ID_INVALID' }));
    } finally {
      store.close();
    }
  });

  it('enqueueTelemetry stamps the message with its seq, and consumes no seq when building the message fails', () => {
    const { outbox } = tempStore();
    const first = outbox.enqueueTelemetry('boot-a', (seq) => ({ topic: 'hasn/v1/d/telemetry', qos: 0, json: { seq, bootId: 'boot-a' } }));
    expect(first.seq).toBe(1);
    expect(() =>
      outbox.enqueueTelemetry('boot-a', () => {
        throw new Error('metrics unavailable');
      }),
    ).toThrow('metrics unavailable');
    const second = outbox.enqueueTelemetry('boot-a', (seq) => ({ topic: 'hasn/v1/d/telemetry', qos: 0, json: { seq } }));
    expect(second.seq).toBe(2);
    expect(outbox.peek(10).map((m) => [m.kind, text(m.payload)])).toEqual([
      ['telemetry', '{"seq":1,"bootId":"boot-a"}'],
      ['telemetry', '{"seq":2}'],
    ]);
  });

  it('rejects malformed messages with stable codes and stores nothing', () => {
    const { outbox } = tempStore();
    const bad: [unknown, string][] = [
      [{ ...event(1), kind: 'gossip' }, 'E_OUTBOX_KIND_INVALID'],
      [{ ...event(1), topic: 'hasn/v1/+/events' }, 'E_OUTBOX_TOPIC_INVALID'],
      [{ ...event(1), topic: '' }, 'E_OUTBOX_TOPIC_INVALID'],
      [{ ...event(1), qos: 3 }, 'E_OUTBOX_QOS_INVALID'],
      [{ kind: 'event', topic: 't', qos: 1, payload: 'text' }, 'E_OUTBOX_PAYLOAD_INVALID'],
      [{ kind: 'event', topic: 't', qos: 1, json: undefined }, 'E_OUTBOX_PAYLOAD_INVALID'],
    ];
    for (const [input, code] of bad) expect(() => outbox.enqueue(input as EnqueueInput)).toThrow(expect.objectContaining({ code }));
    expect(() => outbox.ack([1.5])).toThrow(expect.objectContaining({ code: 'E_OUTBOX_ID_INVALID' }));
    expect(outbox.stats().rows).toBe(0);
  });

  it('refuses any UPDATE of a queued message, so depth counters cannot drift', () => {
    const store = tempStore();
    store.outbox.enqueue(event(1));
    const raw = openDatabase(store.path, { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 });
    try {
      expect(() => raw.run("UPDATE outbox SET payload = x'00' WHERE id = 1")).toThrow(expect.objectContaining({ code: 'E_STORE_CONSTRAINT' }));
    } finally {
      raw.close();
    }
    expect(text(store.outbox.peek(1)[0].payload)).toBe('{"n":1}');
  });
});
