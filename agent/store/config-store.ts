// Config versions the agent has seen (from its file, the fleet or the API) and what became of each.
//
// Status moves: pending → applied | rejected; applied → rolled_back; rolled_back → applied;
// applied → applied (re-applying an older version makes it current again). The current config is
// the applied version applied most recently, so rolling back the newest makes the previous one current.
// "Most recently" is an application counter, not the clock: a Pi may boot with a stale clock.
import { createHash } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { Clock } from './environment.ts';
import { checkLimit } from './query-limit.ts';
import type { Database } from './sqlite.ts';

export const CONFIG_SOURCES = ['file', 'fleet', 'api'] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

export const CONFIG_STATUSES = ['pending', 'applied', 'rejected', 'rolled_back'] as const;
export type ConfigStatus = (typeof CONFIG_STATUSES)[number];

export interface ConfigVersion {
  version: number;
  /** The config exactly as recorded (JSON text); `sha256` is the hex SHA-256 of its UTF-8 bytes. */
  json: string;
  sha256: string;
  source: ConfigSource;
  status: ConfigStatus;
  /** Why it was rejected or rolled back. */
  error: string | null;
  recordedAt: number;
  /** When it last became applied; null if it never was. */
  appliedAt: number | null;
}

export interface RecordConfigInput {
  /** Given by the fleet; when absent the next version after the highest recorded one. */
  version?: number;
  config: unknown;
  source: ConfigSource;
  /** Defaults to 'pending'. */
  status?: ConfigStatus;
  error?: string;
}

export interface ListConfigOptions {
  status?: ConfigStatus;
  /** Newest first; defaults to 50. */
  limit?: number;
}

const ALLOWED_MOVES: Record<ConfigStatus, readonly ConfigStatus[]> = {
  pending: ['applied', 'rejected'],
  applied: ['applied', 'rolled_back'],
  rolled_back: ['applied'],
  rejected: [],
};

interface ConfigRow {
  version: number;
  json: string;
  sha256: string;
  source: ConfigSource;
  status: ConfigStatus;
  error: string | null;
  recorded_at: number;
  applied_at: number | null;
}

const COLUMNS = 'version, json, sha256, source, status, error, recorded_at, applied_at';

function fromRow(row: ConfigRow): ConfigVersion {
  return {
    version: row.version,
    json: row.json,
    sha256: row.sha256,
    source: row.source,
    status: row.status,
    error: row.error,
    recordedAt: row.recorded_at,
    appliedAt: row.applied_at,
  };
}

export class ConfigStore {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {}

  /**
   * Records a config version. Recording the same version with the same content again returns the
   * stored one unchanged (a redelivered retained MQTT message); different content is E_CONFIG_VERSION_CONFLICT.
   */
  record(input: RecordConfigInput): ConfigVersion {
    if (!CONFIG_SOURCES.includes(input.source)) {
      throw new HasnError('E_CONFIG_SOURCE_INVALID', `config source must be one of ${CONFIG_SOURCES.join(', ')}`, { path: 'source' });
    }
    const status = input.status ?? 'pending';
    if (!CONFIG_STATUSES.includes(status)) {
      throw new HasnError('E_CONFIG_STATUS_INVALID', `config status must be one of ${CONFIG_STATUSES.join(', ')}`, { path: 'status' });
    }
    if (input.version !== undefined && !(Number.isSafeInteger(input.version) && input.version >= 1)) {
      throw new HasnError('E_CONFIG_VERSION_INVALID', `config version must be an integer ≥ 1, got ${String(input.version)}`, { path: 'version' });
    }
    const json = JSON.stringify(input.config);
    if (typeof json !== 'string') {
      throw new HasnError('E_CONFIG_NOT_JSON', 'the config cannot be written as JSON', { path: 'config' });
    }
    const sha256 = createHash('sha256').update(json, 'utf8').digest('hex');

    return this.db.transaction('full', () => {
      const version = input.version ?? this.latestVersion() + 1;
      const existing = this.get(version);
      if (existing !== undefined) {
        if (existing.sha256 === sha256) return existing;
        throw new HasnError(
          'E_CONFIG_VERSION_CONFLICT',
          `config version ${version} is already recorded with different content (sha256 ${existing.sha256.slice(0, 12)}…); use a new version number`,
          { path: 'version' },
        );
      }
      const now = this.now();
      const applied = status === 'applied';
      this.db.run(
        `INSERT INTO config_versions (${COLUMNS}, applied_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        version, json, sha256, input.source, status, input.error ?? null, now,
        applied ? now : null, applied ? this.nextApplySeq() : null,
      );
      return this.mustGet(version);
    });
  }

  /** Moves a version to a new status (see the header for the allowed moves). */
  setStatus(version: number, status: ConfigStatus, error?: string): ConfigVersion {
    return this.db.transaction('full', () => {
      const existing = this.mustGet(version);
      if (!ALLOWED_MOVES[existing.status].includes(status)) {
        throw new HasnError('E_CONFIG_BAD_TRANSITION', `config version ${version} is ${existing.status} and cannot become ${status}`, { path: 'status' });
      }
      if (status === 'applied') {
        this.db.run(
          'UPDATE config_versions SET status = ?, error = NULL, applied_at = ?, applied_seq = ? WHERE version = ?',
          status, this.now(), this.nextApplySeq(), version,
        );
      } else {
        this.db.run('UPDATE config_versions SET status = ?, error = ? WHERE version = ?', status, error ?? null, version);
      }
      return this.mustGet(version);
    });
  }

  /** The config in force: the applied version applied most recently, or undefined before any. */
  current(): ConfigVersion | undefined {
    const row = this.db.get<ConfigRow>(
      `SELECT ${COLUMNS} FROM config_versions WHERE status = 'applied' ORDER BY applied_seq DESC LIMIT 1`,
    );
    return row === undefined ? undefined : fromRow(row);
  }

  get(version: number): ConfigVersion | undefined {
    const row = this.db.get<ConfigRow>(`SELECT ${COLUMNS} FROM config_versions WHERE version = ?`, version);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Highest version recorded, 0 when none. */
  latestVersion(): number {
    return this.db.get<{ v: number | null }>('SELECT max(version) AS v FROM config_versions')?.v ?? 0;
  }

  list(options: ListConfigOptions = {}): ConfigVersion[] {
    const limit = checkLimit(options.limit, 50);
    const rows = options.status === undefined
      ? this.db.all<ConfigRow>(`SELECT ${COLUMNS} FROM config_versions ORDER BY version DESC LIMIT ?`, limit)
      : this.db.all<ConfigRow>(`SELECT ${COLUMNS} FROM config_versions WHERE status = ? ORDER BY version DESC LIMIT ?`, options.status, limit);
    return rows.map(fromRow);
  }

  private nextApplySeq(): number {
    return (this.db.get<{ s: number | null }>('SELECT max(applied_seq) AS s FROM config_versions')?.s ?? 0) + 1;
  }

  private mustGet(version: number): ConfigVersion {
    const found = this.get(version);
    if (found === undefined) {
      throw new HasnError('E_CONFIG_VERSION_UNKNOWN', `no config version ${version} is recorded`, { path: 'version' });
    }
    return found;
  }
}
