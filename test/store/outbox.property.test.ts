// Property tests of the outbox against a plain-array model: FIFO order, ack, and drop-oldest-telemetry-only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTBOX_KINDS, openStore } from '../../agent/store/index.ts';
import type { OutboxKind, Store } from '../../agent/store/index.ts';
import { tempDir } from './store-fixture.ts';

type Op =
  | { op: 'enqueue'; kind: OutboxKind; size: number }
  | { op: 'ack'; picks: number[]; unknown: boolean }
  | { op: 'reopen' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('enqueue' as const), kind: fc.constantFrom(...OUTBOX_KINDS), size: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('ack' as const), picks: fc.array(fc.nat(), { maxLength: 4 }), unknown: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const) }) },
);

interface ModelMessage {
  id: number;
  kind: OutboxKind;
  size: number;
}

describe('outbox properties', () => {
  it('behaves like a FIFO list that drops only its oldest telemetry to stay within capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(opArbitrary, { maxLength: 40 }),
        (maxRows, maxBytes, ops) => {
          const dir = tempDir('hasn-outbox-prop-');
          const options = { outboxCapacity: { maxRows, maxBytes } };
          let store: Store = openStore(dir, options);
          const model: ModelMessage[] = [];
          let nextId = 1;
          let dropped = 0;
          let overCapacity = 0;
          const totals = (): { rows: number; bytes: number } => ({ rows: model.length, bytes: model.reduce((sum, m) => sum + m.size, 0) });
          const over = (): boolean => totals().rows > maxRows || totals().bytes > maxBytes;
          try {
            for (const op of ops) {
              if (op.op === 'enqueue') {
                const result = store.outbox.enqueue({ kind: op.kind, topic: `hasn/v1/d/${op.kind}`, qos: 1, payload: new Uint8Array(op.size).fill(nextId & 0xff) });
                expect(result.id).toBe(nextId);
                model.push({ id: nextId, kind: op.kind, size: op.size });
                nextId += 1;
                let droppedNow = 0;
                while (over()) {
                  const oldestTelemetry = model.findIndex((m) => m.kind === 'telemetry');
                  if (oldestTelemetry < 0) break;
                  model.splice(oldestTelemetry, 1);
                  droppedNow += 1;
                }
                dropped += droppedNow;
                if (over()) overCapacity += 1;
                expect(result).toEqual({ id: result.id, droppedTelemetry: droppedNow, overCapacity: over() });
              } else if (op.op === 'ack') {
                const ids = op.picks.filter(() => model.length > 0).map((pick) => model[pick % model.length].id);
                if (op.unknown) ids.push(nextId + 1000);
                const unique = new Set(ids);
                const before = model.length;
                for (let i = model.length - 1; i >= 0; i--) if (unique.has(model[i].id)) model.splice(i, 1);
                expect(store.outbox.ack(ids)).toBe(before - model.length);
              } else {
                store.close();
                store = openStore(dir, options);
              }
              // The queue equals the model: same ids, same order (FIFO), same kinds and sizes.
              const queued = store.outbox.peek(1000);
              expect(queued.map((m) => ({ id: m.id, kind: m.kind, size: m.payload.byteLength }))).toEqual(model);
              const stats = store.outbox.stats();
              expect(stats).toMatchObject({ ...totals(), droppedTelemetry: dropped, overCapacityEnqueues: overCapacity });
              // The policy's invariant, stated without the model.
              expect((stats.rows <= maxRows && stats.bytes <= maxBytes) || stats.byKind.telemetry.rows === 0).toBe(true);
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('peek after any id returns exactly the queued messages above it, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...OUTBOX_KINDS), { minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 1, max: 25 }), (kinds, after, limit) => {
        const dir = tempDir('hasn-outbox-peek-');
        const store = openStore(dir);
        try {
          kinds.forEach((kind, i) => store.outbox.enqueue({ kind, topic: 't', qos: 0, json: i }));
          const afterId = after % (kinds.length + 1);
          const expected = kinds.map((_, i) => i + 1).filter((id) => id > afterId).slice(0, limit);
          expect(store.outbox.peek(limit, afterId).map((m) => m.id)).toEqual(expected);
        } finally {
          store.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
