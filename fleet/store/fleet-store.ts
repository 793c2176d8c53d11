// The controller's store: one SQLite file (through the agent store's only better-sqlite3 adapter) holding the registry.
//
// Devices (from status, birth, telemetry), groups, telemetry batches and events (deduplicated by their ids:
// at-least-once delivery becomes exactly-once here), desired configs, counters. Bundles and deployments are
// in deployment-store.ts on the same database.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../agent/store/sqlite.ts';
import type { Database } from '../../agent/store/sqlite.ts';
import type { BirthPayload, BrainInfo, DeviceState, EventPayload, ReportedConfigPayload, StatusPayload, TelemetryPayload } from '../../agent/contract/messages.ts';
import { DeploymentStore } from './deployment-store.ts';
import { migrateFleetStore } from './schema.ts';

export const FLEET_STORE_FILE = 'fleet.db';

export interface DeviceRecord {
  id: string;
  state: DeviceState | 'unknown';
  bootId: string | null;
  version: string | null;
  backend: string | null;
  since: number | null;
  reason: string | null;
  specHash: string | null;
  brainName: string | null;
  deployId: string | null;
  configVersion: number | null;
  configReported: ReportedConfigPayload | null;
  birth: BirthPayload | null;
  lastSeen: number;
  lastMetrics: Record<string, number> | null;
  lastTelemetryAt: number | null;
  groups: string[];
}

interface DeviceRow {
  id: string;
  state: DeviceRecord['state'];
  boot_id: string | null;
  version: string | null;
  backend: string | null;
  since: number | null;
  reason: string | null;
  birth: string | null;
  spec_hash: string | null;
  brain_name: string | null;
  deploy_id: string | null;
  config_version: number | null;
  config_reported: string | null;
  last_seen: number;
  last_metrics: string | null;
  last_telemetry_at: number | null;
  groups: string | null;
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function fromRow(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    state: row.state,
    bootId: row.boot_id,
    version: row.version,
    backend: row.backend,
    since: row.since,
    reason: row.reason,
    specHash: row.spec_hash,
    brainName: row.brain_name,
    deployId: row.deploy_id,
    configVersion: row.config_version,
    configReported: parseJson(row.config_reported),
    birth: parseJson(row.birth),
    lastSeen: row.last_seen,
    lastMetrics: parseJson(row.last_metrics),
    lastTelemetryAt: row.last_telemetry_at,
    groups: row.groups === null ? [] : row.groups.split('\u0001').sort(),
  };
}

export class FleetStore {
  readonly deployments: DeploymentStore;

  private constructor(
    readonly db: Database,
    private readonly now: () => number,
  ) {
    this.deployments = new DeploymentStore(db, now);
  }

  static open(dir: string, options: { now?: () => number } = {}): FleetStore {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = openDatabase(join(dir, FLEET_STORE_FILE), { busyTimeoutMs: 10_000, walSizeLimitBytes: 64 * 1024 * 1024 });
    try {
      migrateFleetStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new FleetStore(db, options.now ?? Date.now);
  }

  /** Runs `fn` in one NORMAL-durability transaction (batches of received messages). */
  batch<T>(fn: () => T): T {
    return this.db.transaction('normal', fn);
  }

  private ensureDevice(id: string, at: number): void {
    this.db.run("INSERT INTO devices (id, state, last_seen) VALUES (?, 'unknown', ?) ON CONFLICT (id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)", id, at);
  }

  recordStatus(id: string, status: StatusPayload, at: number): void {
    this.ensureDevice(id, at);
    this.db.run(
      'UPDATE devices SET state = ?, boot_id = ?, version = ?, backend = ?, since = ?, reason = ? WHERE id = ?',
      status.state, status.bootId, status.version, status.backend, status.since, status.reason ?? null, id,
    );
  }

  recordBirth(id: string, birth: BirthPayload, at: number): void {
    this.ensureDevice(id, at);
    this.db.run(
      'UPDATE devices SET birth = ?, boot_id = ?, version = ?, backend = ?, spec_hash = ?, brain_name = ?, deploy_id = ?, config_version = ? WHERE id = ?',
      JSON.stringify(birth), birth.bootId, birth.version, birth.backend, birth.brain?.specHash ?? null, birth.brain?.name ?? null, birth.brain?.deployId ?? null, birth.configVersion, id,
    );
  }

  /** The running brain changed (a `brain` event after a deployment or rollback). */
  recordBrain(id: string, brain: BrainInfo | null, at: number): void {
    this.ensureDevice(id, at);
    this.db.run('UPDATE devices SET spec_hash = ?, brain_name = ?, deploy_id = ? WHERE id = ?', brain?.specHash ?? null, brain?.name ?? null, brain?.deployId ?? null, id);
  }

  /** Stores a telemetry batch unless (device, bootId, seq) was seen; returns whether it was new. */
  recordTelemetry(id: string, telemetry: TelemetryPayload, at: number): boolean {
    this.ensureDevice(id, at);
    const inserted = this.db.run('INSERT OR IGNORE INTO telemetry (device_id, boot_id, seq, received_at, records) VALUES (?, ?, ?, ?, ?)',
      id, telemetry.bootId, telemetry.seq, at, JSON.stringify(telemetry.records)).changes === 1;
    if (inserted) {
      const last = telemetry.records[telemetry.records.length - 1];
      this.db.run('UPDATE devices SET last_metrics = ?, last_telemetry_at = ? WHERE id = ? AND (last_telemetry_at IS NULL OR last_telemetry_at <= ?)',
        JSON.stringify(last.metrics), last.t, id, last.t);
    } else {
      this.bump('duplicate_telemetry');
    }
    return inserted;
  }

  /** Stores an event unless its id was seen; returns whether it was new. */
  recordEvent(id: string, event: EventPayload, at: number): boolean {
    this.ensureDevice(id, at);
    const inserted = this.db.run('INSERT OR IGNORE INTO events (device_id, id, boot_id, at, type, severity, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      id, event.id, event.bootId, event.at, event.type, event.severity, event.data === undefined ? null : JSON.stringify(event.data), at).changes === 1;
    if (!inserted) this.bump('duplicate_events');
    return inserted;
  }

  recordConfigReported(id: string, report: ReportedConfigPayload, at: number): void {
    this.ensureDevice(id, at);
    this.db.run('UPDATE devices SET config_reported = ?, config_version = ? WHERE id = ?', JSON.stringify(report), report.current, id);
  }

  bump(counter: string, by = 1): void {
    this.db.run('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', counter, by);
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.db.all<{ name: string; value: number }>('SELECT name, value FROM counters ORDER BY name').map((r) => [r.name, r.value]));
  }

  devices(): DeviceRecord[] {
    return this.db.all<DeviceRow>(`SELECT d.*, (SELECT group_concat(name, char(1)) FROM device_groups g WHERE g.device_id = d.id) AS groups FROM devices d ORDER BY d.id`).map(fromRow);
  }

  device(id: string): DeviceRecord | undefined {
    const row = this.db.get<DeviceRow>(`SELECT d.*, (SELECT group_concat(name, char(1)) FROM device_groups g WHERE g.device_id = d.id) AS groups FROM devices d WHERE d.id = ?`, id);
    return row === undefined ? undefined : fromRow(row);
  }

  addToGroup(name: string, deviceIds: readonly string[]): void {
    this.db.transaction('full', () => {
      for (const id of deviceIds) this.db.run('INSERT OR IGNORE INTO device_groups (name, device_id) VALUES (?, ?)', name, id);
    });
  }

  removeFromGroup(name: string, deviceIds: readonly string[]): void {
    this.db.transaction('full', () => {
      for (const id of deviceIds) this.db.run('DELETE FROM device_groups WHERE name = ? AND device_id = ?', name, id);
    });
  }

  groupMembers(name: string): string[] {
    return this.db.all<{ device_id: string }>('SELECT device_id FROM device_groups WHERE name = ? ORDER BY device_id', name).map((r) => r.device_id);
  }

  groups(): { name: string; devices: number }[] {
    return this.db.all<{ name: string; devices: number }>('SELECT name, count(*) AS devices FROM device_groups GROUP BY name ORDER BY name');
  }

  /** The (bootId, seq) of every stored telemetry batch of a device, oldest boot first. */
  telemetryKeys(id: string): { bootId: string; seq: number; records: number }[] {
    return this.db.all<{ boot_id: string; seq: number; records: number }>('SELECT boot_id, seq, json_array_length(records) AS records FROM telemetry WHERE device_id = ? ORDER BY received_at, boot_id, seq', id)
      .map((r) => ({ bootId: r.boot_id, seq: r.seq, records: r.records }));
  }

  events(id: string, type?: string): EventPayload[] {
    const rows = this.db.all<{ id: string; boot_id: string; at: number; type: string; severity: EventPayload['severity']; data: string | null }>(
      `SELECT id, boot_id, at, type, severity, data FROM events WHERE device_id = ? ${type === undefined ? '' : 'AND type = ?'} ORDER BY received_at, at`,
      ...(type === undefined ? [id] : [id, type]),
    );
    return rows.map((r) => ({ id: r.id, bootId: r.boot_id, at: r.at, type: r.type, severity: r.severity, ...(r.data === null ? {} : { data: JSON.parse(r.data) as unknown }) }));
  }

  /** The next desired-config version for a device (one more than the last one set). */
  nextConfigVersion(id: string): number {
    return (this.db.get<{ version: number }>('SELECT version FROM desired_configs WHERE device_id = ?', id)?.version ?? 0) + 1;
  }

  recordDesiredConfig(id: string, version: number, config: unknown): void {
    this.db.transaction('full', () => {
      this.db.run('INSERT INTO desired_configs (device_id, version, config, set_at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET version = excluded.version, config = excluded.config, set_at = excluded.set_at',
        id, version, JSON.stringify(config), this.now());
    });
  }

  /** Deletes telemetry and events received before `before` (ms since the epoch); returns rows deleted. */
  prune(before: number): number {
    return this.db.transaction('normal', () =>
      this.db.run('DELETE FROM telemetry WHERE received_at < ?', before).changes + this.db.run('DELETE FROM events WHERE received_at < ?', before).changes);
  }

  close(): void {
    this.db.close();
  }
}
