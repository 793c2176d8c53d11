// Brain snapshots as opaque, hash-checked blobs, and the retention policy that prunes old ones.
//
// `save` inserts, reads the blob back and checks its SHA-256, then prunes, all in one FULL
// transaction: a crash leaves either the old set or the new set, and a bad write is never committed.
// `latestValid` re-hashes before it trusts a blob, because a disk can still rot what SQLite committed.
// Retention keeps the newest `keepLast` snapshots plus the newest snapshot of each of the last
// `keepDailyForDays` UTC calendar days (today included); everything else is deleted.
// "Newest" means most recently saved (id order), not by clock: a Pi without an RTC battery can boot
// with a clock behind the time of its last snapshot, and that must not make an old state look newest.
import { createHash } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { Clock } from './environment.ts';
import type { Database } from './sqlite.ts';

export const SNAPSHOT_REASONS = ['periodic', 'manual', 'shutdown', 'deploy'] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

export interface SnapshotMeta {
  /** Hash of the network spec the state belongs to (restoring into another spec is meaningless). */
  specHash: string;
  /** Engine step the state was taken at. */
  step: number;
  reason: SnapshotReason;
}

export interface SnapshotInfo extends SnapshotMeta {
  id: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  createdAt: number;
}

export interface Snapshot extends SnapshotInfo {
  bytes: Uint8Array;
}

export interface RetentionPolicy {
  /** Always keep this many newest snapshots (≥ 1, so the one just saved survives). */
  keepLast: number;
  /** Also keep the newest snapshot of each of this many UTC days, today included (0 = off). */
  keepDailyForDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { keepLast: 5, keepDailyForDays: 7 };

/** A stored snapshot whose bytes no longer match the hash taken when it was saved. */
export interface CorruptSnapshot {
  id: number;
  createdAt: number;
  expectedSha256: string;
  actualSha256: string;
  expectedSize: number;
  actualSize: number;
}

export interface LatestValidResult {
  /** The newest snapshot whose bytes hash correctly, or undefined. */
  snapshot: Snapshot | undefined;
  /** Newer snapshots skipped because their bytes are damaged, newest first. */
  corrupt: CorruptSnapshot[];
}

export interface SaveResult {
  snapshot: SnapshotInfo;
  /** Ids deleted by the retention policy in the same transaction. */
  pruned: number[];
}

const DAY_MS = 86_400_000;
const META_COLUMNS = 'id, created_at, reason, spec_hash, step, size, sha256';

interface MetaRow {
  id: number;
  created_at: number;
  reason: SnapshotReason;
  spec_hash: string;
  step: number;
  size: number;
  sha256: string;
}

function infoFromRow(row: MetaRow): SnapshotInfo {
  return {
    id: row.id,
    createdAt: row.created_at,
    reason: row.reason,
    specHash: row.spec_hash,
    step: row.step,
    size: row.size,
    sha256: row.sha256,
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function checkRetention(policy: RetentionPolicy): RetentionPolicy {
  if (!Number.isSafeInteger(policy.keepLast) || policy.keepLast < 1) {
    throw new HasnError('E_SNAPSHOT_RETENTION_INVALID', `keepLast must be an integer ≥ 1, got ${String(policy.keepLast)}`, { path: 'keepLast' });
  }
  if (!Number.isSafeInteger(policy.keepDailyForDays) || policy.keepDailyForDays < 0) {
    throw new HasnError('E_SNAPSHOT_RETENTION_INVALID', `keepDailyForDays must be an integer ≥ 0, got ${String(policy.keepDailyForDays)}`, { path: 'keepDailyForDays' });
  }
  return policy;
}

/** Ids to keep among snapshots listed newest first; pure so it can be tested on its own. */
export function idsToKeep(newestFirst: readonly { id: number; createdAt: number }[], policy: RetentionPolicy, now: number): Set<number> {
  const keep = new Set<number>();
  const today = Math.floor(now / DAY_MS);
  const daysCovered = new Set<number>();
  newestFirst.forEach((snapshot, index) => {
    if (index < policy.keepLast) keep.add(snapshot.id);
    const day = Math.floor(snapshot.createdAt / DAY_MS);
    if (today - day < policy.keepDailyForDays && !daysCovered.has(day)) {
      daysCovered.add(day);
      keep.add(snapshot.id);
    }
  });
  return keep;
}

function checkMeta(bytes: Uint8Array, meta: SnapshotMeta): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new HasnError('E_SNAPSHOT_INVALID', 'snapshot bytes must be a Uint8Array', { path: 'bytes' });
  }
  if (typeof meta.specHash !== 'string' || meta.specHash.length === 0 || meta.specHash.length > 128) {
    throw new HasnError('E_SNAPSHOT_INVALID', 'specHash must be a non-empty string of at most 128 characters', { path: 'specHash' });
  }
  if (!Number.isSafeInteger(meta.step) || meta.step < 0) {
    throw new HasnError('E_SNAPSHOT_INVALID', `step must be an integer ≥ 0, got ${String(meta.step)}`, { path: 'step' });
  }
  if (!SNAPSHOT_REASONS.includes(meta.reason)) {
    throw new HasnError('E_SNAPSHOT_INVALID', `reason must be one of ${SNAPSHOT_REASONS.join(', ')}`, { path: 'reason' });
  }
}

export class SnapshotStore {
  private readonly retention: RetentionPolicy;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    retention: RetentionPolicy = DEFAULT_RETENTION,
  ) {
    this.retention = checkRetention({ ...retention });
  }

  save(bytes: Uint8Array, meta: SnapshotMeta): SaveResult {
    checkMeta(bytes, meta);
    const sha256 = sha256Hex(bytes);
    return this.db.transaction('full', () => {
      const createdAt = this.now();
      const { lastInsertRowid: id } = this.db.run(
        'INSERT INTO snapshots (created_at, reason, spec_hash, step, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        createdAt, meta.reason, meta.specHash, meta.step, bytes.byteLength, sha256, bytes,
      );
      const stored = this.db.get<{ data: Uint8Array }>('SELECT data FROM snapshots WHERE id = ?', id);
      const storedSha256 = stored === undefined ? 'missing' : sha256Hex(stored.data);
      if (storedSha256 !== sha256) {
        throw new HasnError('E_SNAPSHOT_VERIFY_FAILED', `snapshot read back with sha256 ${storedSha256}, expected ${sha256}; nothing was saved`, { path: this.db.path });
      }
      const pruned = this.prune();
      return { snapshot: { id, createdAt, ...meta, size: bytes.byteLength, sha256 }, pruned };
    });
  }

  /** The newest snapshot whose bytes hash correctly (optionally for one spec), and the damaged ones skipped. */
  latestValid(filter: { specHash?: string } = {}): LatestValidResult {
    const candidates = filter.specHash === undefined
      ? this.db.all<MetaRow>(`SELECT ${META_COLUMNS} FROM snapshots ORDER BY id DESC`)
      : this.db.all<MetaRow>(`SELECT ${META_COLUMNS} FROM snapshots WHERE spec_hash = ? ORDER BY id DESC`, filter.specHash);
    const corrupt: CorruptSnapshot[] = [];
    for (const row of candidates) {
      const bytes = this.readBytes(row.id);
      if (bytes === undefined) continue; // pruned by another connection since the listing
      const actualSha256 = sha256Hex(bytes);
      if (actualSha256 === row.sha256 && bytes.byteLength === row.size) {
        return { snapshot: { ...infoFromRow(row), bytes }, corrupt };
      }
      corrupt.push({
        id: row.id,
        createdAt: row.created_at,
        expectedSha256: row.sha256,
        actualSha256,
        expectedSize: row.size,
        actualSize: bytes.byteLength,
      });
    }
    return { snapshot: undefined, corrupt };
  }

  /** One snapshot with its bytes; E_SNAPSHOT_CORRUPT if they no longer match their hash. */
  get(id: number): Snapshot | undefined {
    const row = this.db.get<MetaRow>(`SELECT ${META_COLUMNS} FROM snapshots WHERE id = ?`, id);
    const bytes = row === undefined ? undefined : this.readBytes(id);
    if (row === undefined || bytes === undefined) return undefined;
    if (sha256Hex(bytes) !== row.sha256) {
      throw new HasnError('E_SNAPSHOT_CORRUPT', `snapshot ${id} no longer matches its sha256; use an older snapshot`, { path: `snapshots[${id}]` });
    }
    return { ...infoFromRow(row), bytes };
  }

  /** Metadata of every stored snapshot, newest first (no blobs are read). */
  list(): SnapshotInfo[] {
    return this.db.all<MetaRow>(`SELECT ${META_COLUMNS} FROM snapshots ORDER BY id DESC`).map(infoFromRow);
  }

  private readBytes(id: number): Uint8Array | undefined {
    return this.db.get<{ data: Uint8Array }>('SELECT data FROM snapshots WHERE id = ?', id)?.data;
  }

  private prune(): number[] {
    const newestFirst = this.db
      .all<{ id: number; created_at: number }>('SELECT id, created_at FROM snapshots ORDER BY id DESC')
      .map((row) => ({ id: row.id, createdAt: row.created_at }));
    const keep = idsToKeep(newestFirst, this.retention, this.now());
    const pruned = newestFirst.filter((snapshot) => !keep.has(snapshot.id)).map((snapshot) => snapshot.id);
    for (const id of pruned) this.db.run('DELETE FROM snapshots WHERE id = ?', id);
    return pruned;
  }
}
