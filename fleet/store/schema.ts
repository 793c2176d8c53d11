// The controller's SQLite schema as numbered migrations (PRAGMA user_version), each applied in one transaction.
import { HasnError } from '../../core/errors.ts';
import type { Database } from '../../agent/store/sqlite.ts';

const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE devices (
        id                TEXT PRIMARY KEY,
        state             TEXT NOT NULL CHECK (state IN ('online', 'offline', 'degraded', 'unknown')),
        boot_id           TEXT,
        version           TEXT,
        backend           TEXT,
        since             INTEGER,
        reason            TEXT,
        birth             TEXT CHECK (birth IS NULL OR json_valid(birth)),
        spec_hash         TEXT,
        config_version    INTEGER,
        config_reported   TEXT CHECK (config_reported IS NULL OR json_valid(config_reported)),
        last_seen         INTEGER NOT NULL,
        last_metrics      TEXT CHECK (last_metrics IS NULL OR json_valid(last_metrics)),
        last_telemetry_at INTEGER
      ) STRICT;

      CREATE TABLE device_groups (
        name      TEXT NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (name, device_id)
      ) STRICT;

      -- (device, boot, seq) is the identity of a telemetry batch: a re-delivered batch is ignored.
      CREATE TABLE telemetry (
        device_id   TEXT    NOT NULL,
        boot_id     TEXT    NOT NULL,
        seq         INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        records     TEXT    NOT NULL CHECK (json_valid(records)),
        PRIMARY KEY (device_id, boot_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX telemetry_by_received ON telemetry (received_at);

      CREATE TABLE events (
        device_id   TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        boot_id     TEXT    NOT NULL,
        at          INTEGER NOT NULL,
        type        TEXT    NOT NULL,
        severity    TEXT    NOT NULL,
        data        TEXT CHECK (data IS NULL OR json_valid(data)),
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX events_by_received ON events (received_at);

      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;

      CREATE TABLE desired_configs (
        device_id TEXT PRIMARY KEY,
        version   INTEGER NOT NULL,
        config    TEXT NOT NULL CHECK (json_valid(config)),
        set_at    INTEGER NOT NULL
      ) STRICT;

      -- A bundle's id is the sha256 of its blob: the same brain is stored once.
      CREATE TABLE bundles (
        id         TEXT PRIMARY KEY,
        name       TEXT,
        spec_hash  TEXT NOT NULL,
        manifest   TEXT NOT NULL CHECK (json_valid(manifest)),
        source     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        blob       BLOB NOT NULL
      ) STRICT;

      CREATE TABLE deployments (
        id         TEXT PRIMARY KEY,
        bundle_id  TEXT NOT NULL REFERENCES bundles (id),
        target     TEXT NOT NULL,
        plan       TEXT NOT NULL CHECK (json_valid(plan)),
        state      TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'rolled_back')),
        stage      INTEGER NOT NULL,
        error      TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE deployment_devices (
        deployment_id TEXT NOT NULL REFERENCES deployments (id),
        device_id     TEXT NOT NULL,
        stage         INTEGER NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('pending', 'receiving', 'applying', 'applied', 'healthy', 'failed', 'rolled_back')),
        received      INTEGER NOT NULL DEFAULT 0,
        total         INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (deployment_id, device_id)
      ) STRICT;
    `,
  },
  {
    version: 2,
    // The running brain changes without a new birth (deployments, rollbacks): kept from `brain` events.
    sql: `
      ALTER TABLE devices ADD COLUMN brain_name TEXT;
      ALTER TABLE devices ADD COLUMN deploy_id TEXT;
    `,
  },
];

export const FLEET_SCHEMA_VERSION = MIGRATIONS.length;

export function migrateFleetStore(db: Database): void {
  const current = db.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0;
  if (current > FLEET_SCHEMA_VERSION) {
    throw new HasnError('E_STORE_NEWER_SCHEMA', `the fleet store ${db.path} was written by a newer HASN (schema ${current}, this one knows ${FLEET_SCHEMA_VERSION})`, { path: db.path });
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction('full', () => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
}
