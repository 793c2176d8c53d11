// Which writes commit with synchronous=FULL and which with NORMAL, observed at the Database interface.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, ConfigStore, OutboxStore, SnapshotStore, TokenStore } from '../../agent/store/index.ts';
import { migrate } from '../../agent/store/migrations.ts';
import { openDatabase } from '../../agent/store/sqlite.ts';
import type { Database, Durability } from '../../agent/store/sqlite.ts';
import { tempDir } from './store-fixture.ts';

/** Delegates to a real database and records the durability of every outermost transaction. */
function recordingDatabase(real: Database, log: Durability[]): Database {
  return {
    path: real.path,
    get inTransaction() {
      return real.inTransaction;
    },
    exec: (sql) => real.exec(sql),
    run: (sql, ...params) => real.run(sql, ...params),
    get: (sql, ...params) => real.get(sql, ...params),
    all: (sql, ...params) => real.all(sql, ...params),
    transaction: (durability, fn) => {
      if (!real.inTransaction) log.push(durability);
      return real.transaction(durability, fn);
    },
    close: () => real.close(),
  };
}

describe('store durability', () => {
  it('commits config, snapshots, audit, tokens and non-telemetry outbox FULL; telemetry, seq and acks NORMAL', () => {
    const real = openDatabase(join(tempDir(), 'd.db'), { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 });
    try {
      migrate(real);
      const log: Durability[] = [];
      const db = recordingDatabase(real, log);
      const now = (): number => 1;
      const expectWrite = (write: () => unknown, durability: Durability): void => {
        log.length = 0;
        write();
        expect(log).toEqual([durability]);
      };
      const config = new ConfigStore(db, now);
      const snapshots = new SnapshotStore(db, now);
      const outbox = new OutboxStore(db, now);
      const audit = new AuditLog(db, now);
      const tokens = new TokenStore(db, now, (n) => new Uint8Array(n).fill(7));
      expectWrite(() => config.record({ config: {}, source: 'file' }), 'full');
      expectWrite(() => config.setStatus(1, 'applied'), 'full');
      expectWrite(() => snapshots.save(new Uint8Array(3), { specHash: 's', step: 0, reason: 'manual' }), 'full');
      expectWrite(() => audit.append({ actor: 'a', action: 'b' }), 'full');
      expectWrite(() => tokens.create({ name: 't', role: 'viewer' }), 'full');
      for (const kind of ['event', 'audit', 'status', 'response'] as const) {
        expectWrite(() => outbox.enqueue({ kind, topic: 't', qos: 1, json: {} }), 'full');
      }
      expectWrite(() => outbox.enqueue({ kind: 'telemetry', topic: 't', qos: 0, json: {} }), 'normal');
      expectWrite(() => outbox.enqueueTelemetry('boot', (seq) => ({ topic: 't', qos: 0, json: { seq } })), 'normal');
      expectWrite(() => outbox.nextTelemetrySeq('boot'), 'normal');
      expectWrite(() => outbox.ack([1]), 'normal');
    } finally {
      real.close();
    }
  });
});
