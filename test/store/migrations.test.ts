// Numbered migrations: an empty database reaches the latest schema, an older one upgrades keeping its data,
// a newer one is refused, and a failing migration leaves the previous version intact.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../agent/store/migrations.ts';
import type { Migration } from '../../agent/store/migrations.ts';
import { openDatabase } from '../../agent/store/sqlite.ts';
import type { Database } from '../../agent/store/sqlite.ts';
import { openStore } from '../../agent/store/index.ts';
import { tempDir } from './store-fixture.ts';

const OPTIONS = { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 };

function withDb<T>(path: string, use: (db: Database) => T): T {
  const db = openDatabase(path, OPTIONS);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

function tableNames(db: Database): string[] {
  return db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
}

/** Rows written into the tables that exist at `version`, to check that later migrations keep them. */
function seed(db: Database, version: number): void {
  db.transaction('full', () => {
    if (version >= 1) {
      db.run("INSERT INTO config_versions (version, json, sha256, source, status, recorded_at) VALUES (1, '{\"a\":1}', ?, 'file', 'pending', 1)", 'a'.repeat(64));
      db.run("INSERT INTO audit_log (at, actor, action, target, details) VALUES (1, 'tester', 'seed', '', '{}')");
    }
    if (version >= 2) {
      db.run("INSERT INTO snapshots (created_at, reason, spec_hash, step, size, sha256, data) VALUES (1, 'manual', 'spec', 7, 3, ?, ?)", 'b'.repeat(64), new Uint8Array([1, 2, 3]));
    }
    if (version >= 3) {
      db.run("INSERT INTO outbox (kind, topic, qos, retain, created_at, payload) VALUES ('event', 'hasn/v1/dev/events', 1, 0, 1, ?)", new Uint8Array([9]));
    }
  });
}

function expectSeeded(db: Database, version: number): void {
  if (version >= 1) {
    expect(db.get<{ json: string }>('SELECT json FROM config_versions WHERE version = 1')?.json).toBe('{"a":1}');
    expect(db.get<{ actor: string }>('SELECT actor FROM audit_log')?.actor).toBe('tester');
  }
  if (version >= 2) expect(db.get<{ step: number }>('SELECT step FROM snapshots')?.step).toBe(7);
  if (version >= 3) {
    expect(db.get<{ topic: string }>('SELECT topic FROM outbox')?.topic).toBe('hasn/v1/dev/events');
    expect(db.get<{ rows: number }>("SELECT rows FROM outbox_depth WHERE kind = 'event'")?.rows).toBe(1);
  }
}

describe('migrate', () => {
  it('brings an empty database to the latest version, creating every table', () => {
    withDb(join(tempDir(), 'm.db'), (db) => {
      expect(schemaVersion(db)).toBe(0);
      const report = migrate(db);
      expect(report).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      expect(tableNames(db)).toEqual(
        ['api_tokens', 'audit_log', 'config_versions', 'counters', 'outbox', 'outbox_depth', 'snapshots', 'telemetry_seq'],
      );
      expect(db.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    });
  });

  it('does nothing on a database already at the latest version', () => {
    withDb(join(tempDir(), 'm.db'), (db) => {
      migrate(db);
      expect(migrate(db)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    });
  });

  for (let k = 1; k < LATEST_SCHEMA_VERSION; k++) {
    it(`upgrades a database at version ${k} to the latest, keeping its data`, () => {
      const path = join(tempDir(), 'm.db');
      withDb(path, (db) => {
        migrate(db, MIGRATIONS.slice(0, k));
        expect(schemaVersion(db)).toBe(k);
        seed(db, k);
      });
      withDb(path, (db) => {
        const report = migrate(db);
        expect(report.from).toBe(k);
        expect(report.applied).toEqual(MIGRATIONS.slice(k).map((m) => m.version));
        expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
        expectSeeded(db, k);
      });
    });
  }

  it('refuses a database from a newer HASN with E_STORE_NEWER_SCHEMA and leaves it untouched', () => {
    const dir = tempDir();
    const path = join(dir, 'hasn.db');
    withDb(path, (db) => {
      migrate(db);
      db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    });
    expect(() => openStore(dir)).toThrow(expect.objectContaining({ code: 'E_STORE_NEWER_SCHEMA', path }));
    withDb(path, (db) => expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION + 1));
  });

  it('rolls a failing migration back completely and stays at the previous version', () => {
    const failing: Migration[] = [
      ...MIGRATIONS.slice(0, 1),
      {
        version: 2,
        name: 'fails halfway',
        up: (db) => {
          db.exec('CREATE TABLE half_done (x INTEGER)');
          db.exec('INSERT INTO no_such_table VALUES (1)');
        },
      },
    ];
    withDb(join(tempDir(), 'm.db'), (db) => {
      expect(() => migrate(db, failing)).toThrow(expect.objectContaining({ code: 'E_STORE_SQL' }));
      expect(schemaVersion(db)).toBe(1);
      expect(tableNames(db)).not.toContain('half_done');
    });
  });

  it('rejects a migration list with a gap or out of order with E_STORE_MIGRATIONS_INVALID', () => {
    const gap: Migration[] = [MIGRATIONS[0], { ...MIGRATIONS[2] }];
    withDb(join(tempDir(), 'm.db'), (db) => {
      expect(() => migrate(db, gap)).toThrow(expect.objectContaining({ code: 'E_STORE_MIGRATIONS_INVALID', path: 'migrations[1].version' }));
      expect(schemaVersion(db)).toBe(0);
    });
  });
});
