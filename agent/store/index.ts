// The agent's durable store: opens one SQLite file under a directory, migrates it, and hands out the stores that use it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from './audit-log.ts';
import { ConfigStore } from './config-store.ts';
import { systemEnvironment } from './environment.ts';
import type { Clock, RandomBytes } from './environment.ts';
import { migrate } from './migrations.ts';
import type { MigrationReport } from './migrations.ts';
import { DEFAULT_OUTBOX_CAPACITY, OutboxStore } from './outbox-store.ts';
import type { OutboxCapacity } from './outbox-store.ts';
import { DEFAULT_RETENTION, SnapshotStore } from './snapshot-store.ts';
import type { RetentionPolicy } from './snapshot-store.ts';
import { openDatabase } from './sqlite.ts';
import { TokenStore } from './token-store.ts';

export const STORE_FILE_NAME = 'hasn.db';

export interface StoreOptions {
  now?: Clock;
  randomBytes?: RandomBytes;
  /** Defaults to 5000 ms. */
  busyTimeoutMs?: number;
  snapshotRetention?: Partial<RetentionPolicy>;
  outboxCapacity?: Partial<OutboxCapacity>;
}

export interface Store {
  /** Path of the database file. */
  readonly path: string;
  /** What opening did to the schema (from = to when nothing was migrated). */
  readonly migration: MigrationReport;
  readonly config: ConfigStore;
  readonly snapshots: SnapshotStore;
  readonly outbox: OutboxStore;
  readonly audit: AuditLog;
  readonly tokens: TokenStore;
  /** Problems found by `PRAGMA integrity_check`; empty when the file is sound. */
  checkIntegrity(): string[];
  close(): void;
}

/**
 * Opens (creating the directory and file if needed) the store in `dir` and migrates it to the latest
 * schema. Throws E_STORE_NEWER_SCHEMA for a file written by a newer HASN, E_STORE_CORRUPT for a file
 * that is not a database.
 */
export function openStore(dir: string, options: StoreOptions = {}): Store {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, STORE_FILE_NAME);
  const db = openDatabase(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, walSizeLimitBytes: 64 * 1024 * 1024 });
  try {
    const migration = migrate(db);
    const now = options.now ?? systemEnvironment.now;
    const randomBytes = options.randomBytes ?? systemEnvironment.randomBytes;
    return {
      path,
      migration,
      config: new ConfigStore(db, now),
      snapshots: new SnapshotStore(db, now, { ...DEFAULT_RETENTION, ...options.snapshotRetention }),
      outbox: new OutboxStore(db, now, { ...DEFAULT_OUTBOX_CAPACITY, ...options.outboxCapacity }),
      audit: new AuditLog(db, now),
      tokens: new TokenStore(db, now, randomBytes),
      checkIntegrity: () =>
        db.all<{ integrity_check: string }>('PRAGMA integrity_check').map((row) => row.integrity_check).filter((line) => line !== 'ok'),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

export type { Clock, RandomBytes } from './environment.ts';
export type { MigrationReport } from './migrations.ts';
export { LATEST_SCHEMA_VERSION } from './migrations.ts';
export { CONFIG_SOURCES, CONFIG_STATUSES, ConfigStore } from './config-store.ts';
export type { ConfigSource, ConfigStatus, ConfigVersion, ListConfigOptions, RecordConfigInput } from './config-store.ts';
export { DEFAULT_RETENTION, SNAPSHOT_REASONS, SnapshotStore } from './snapshot-store.ts';
export type { CorruptSnapshot, LatestValidResult, RetentionPolicy, SaveResult, Snapshot, SnapshotInfo, SnapshotMeta, SnapshotReason } from './snapshot-store.ts';
export { DEFAULT_OUTBOX_CAPACITY, OUTBOX_KINDS, OutboxStore } from './outbox-store.ts';
export type { EnqueueInput, EnqueueResult, MessageInput, MqttQos, OutboxCapacity, OutboxKind, OutboxMessage, OutboxPayload, OutboxStats } from './outbox-store.ts';
export { AuditLog } from './audit-log.ts';
export type { AuditFilter, AuditInput, AuditRecord } from './audit-log.ts';
export { TOKEN_ROLES, TokenStore } from './token-store.ts';
export type { CreatedToken, CreateTokenInput, TokenIdentity, TokenInfo, TokenRole } from './token-store.ts';
