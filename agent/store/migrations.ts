// The store's schema as numbered migrations, and the runner that brings a database to the latest one.
//
// The schema version lives in `PRAGMA user_version` (0 = empty database). Each migration runs in its
// own FULL-durability transaction together with the `user_version` bump, so a crash leaves the
// database at the previous version or the next one, never in between. Migrations are append-only:
// never edit a released one, add a new one.
import { HasnError } from '../../core/errors.ts';
import type { Database } from './sqlite.ts';

export interface Migration {
  /** 1, 2, 3, … in order, no gaps. */
  readonly version: number;
  readonly name: string;
  readonly up: string | ((db: Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'config versions and audit log',
    up: `
      CREATE TABLE config_versions (
        version     INTEGER PRIMARY KEY CHECK (version >= 1),
        json        TEXT    NOT NULL CHECK (json_valid(json)),
        sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
        source      TEXT    NOT NULL CHECK (source IN ('file', 'fleet', 'api')),
        status      TEXT    NOT NULL CHECK (status IN ('pending', 'applied', 'rejected', 'rolled_back')),
        error       TEXT,
        recorded_at INTEGER NOT NULL,
        applied_at  INTEGER,
        -- Order of applications; the clock is not trusted for it (a Pi may boot with a stale clock).
        applied_seq INTEGER UNIQUE
      ) STRICT;

      CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,
        actor   TEXT    NOT NULL,
        action  TEXT    NOT NULL,
        target  TEXT    NOT NULL,
        details TEXT    NOT NULL CHECK (json_valid(details))
      ) STRICT;
      CREATE INDEX audit_log_by_at ON audit_log (at);
      -- Append-only is a property of the data, so the database enforces it, not just the code.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'brain snapshots',
    // The blob is the last column so that metadata queries never read its overflow pages.
    up: `
      CREATE TABLE snapshots (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,
        reason     TEXT    NOT NULL CHECK (reason IN ('periodic', 'manual', 'shutdown', 'deploy')),
        spec_hash  TEXT    NOT NULL,
        step       INTEGER NOT NULL CHECK (step >= 0),
        size       INTEGER NOT NULL CHECK (size >= 0),
        sha256     TEXT    NOT NULL CHECK (length(sha256) = 64),
        data       BLOB    NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'outbox, counters, telemetry sequence',
    // AUTOINCREMENT: an id is never reused, even after every row was acked, so an id the MQTT
    // module holds can never come to name a different message.
    up: `
      CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT    NOT NULL CHECK (kind IN ('telemetry', 'event', 'audit', 'status', 'response')),
        topic      TEXT    NOT NULL CHECK (length(topic) > 0),
        qos        INTEGER NOT NULL CHECK (qos IN (0, 1, 2)),
        retain     INTEGER NOT NULL CHECK (retain IN (0, 1)),
        created_at INTEGER NOT NULL,
        payload    BLOB    NOT NULL
      ) STRICT;
      CREATE INDEX outbox_by_kind ON outbox (kind, id);

      -- Depth per kind kept by triggers in the same transaction as the rows, so it is never stale
      -- and reading it costs one row instead of a scan.
      CREATE TABLE outbox_depth (
        kind  TEXT    PRIMARY KEY,
        rows  INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      ) STRICT;
      INSERT INTO outbox_depth (kind, rows, bytes) VALUES
        ('telemetry', 0, 0), ('event', 0, 0), ('audit', 0, 0), ('status', 0, 0), ('response', 0, 0);
      CREATE TRIGGER outbox_depth_on_insert AFTER INSERT ON outbox BEGIN
        UPDATE outbox_depth SET rows = rows + 1, bytes = bytes + length(NEW.payload) WHERE kind = NEW.kind;
      END;
      CREATE TRIGGER outbox_depth_on_delete AFTER DELETE ON outbox BEGIN
        UPDATE outbox_depth SET rows = rows - 1, bytes = bytes - length(OLD.payload) WHERE kind = OLD.kind;
      END;
      CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
        BEGIN SELECT RAISE(ABORT, 'outbox rows are immutable: ack and enqueue instead'); END;

      CREATE TABLE counters (
        name  TEXT    PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO counters (name, value) VALUES ('dropped_telemetry', 0), ('outbox_over_capacity', 0);

      CREATE TABLE telemetry_seq (
        boot_id  TEXT    PRIMARY KEY,
        last_seq INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'API tokens',
    up: `
      CREATE TABLE api_tokens (
        id            TEXT    PRIMARY KEY CHECK (length(id) = 16),
        name          TEXT    NOT NULL,
        role          TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        secret_sha256 BLOB    NOT NULL CHECK (length(secret_sha256) = 32),
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER,
        revoked_at    INTEGER
      ) STRICT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Applies every migration above the database's version, each in its own transaction.
 * Throws E_STORE_NEWER_SCHEMA (nothing touched) when the database was written by a newer HASN.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationReport {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new HasnError(
      'E_STORE_NEWER_SCHEMA',
      `the store has schema version ${from} but this HASN knows versions up to ${latest}: upgrade HASN, or restore a backup made by this version`,
      { path: db.path },
    );
  }
  const applied: number[] = [];
  for (const migration of migrations.slice(from)) {
    db.transaction('full', () => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      // PRAGMA takes no bound parameters; the version is an integer we checked above.
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
    applied.push(migration.version);
  }
  return { from, to: schemaVersion(db), applied };
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new HasnError(
        'E_STORE_MIGRATIONS_INVALID',
        `migration #${index} has version ${migration.version}; versions must be 1, 2, 3, … in order`,
        { path: `migrations[${index}].version` },
      );
    }
  });
}
