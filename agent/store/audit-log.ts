// The append-only audit log: who did what to which target, when (the database refuses updates and deletes).
import { HasnError } from '../../core/errors.ts';
import type { Clock } from './environment.ts';
import { checkLimit } from './query-limit.ts';
import type { Database, SqlValue } from './sqlite.ts';

export interface AuditInput {
  /** Who: a token id, 'fleet', 'system', a local user. */
  actor: string;
  /** What, as a stable verb: 'config.apply', 'token.create', 'snapshot.restore'. */
  action: string;
  /** Which thing it was done to ('' when none). */
  target?: string;
  /** Any JSON value; defaults to {}. */
  details?: unknown;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** Inclusive lower bound on `at`. */
  since?: number;
  /** Exclusive upper bound on `at`. */
  until?: number;
  /** Only records older than this id (paging). */
  beforeId?: number;
  /** Newest first; defaults to 100. */
  limit?: number;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: string;
}

const FIELD_MAX_LENGTH = 256;

function checkField(value: unknown, field: string, allowEmpty: boolean): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0) || value.length > FIELD_MAX_LENGTH) {
    throw new HasnError('E_AUDIT_INVALID', `${field} must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${FIELD_MAX_LENGTH} characters`, { path: field });
  }
  return value;
}

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {}

  append(input: AuditInput): AuditRecord {
    const actor = checkField(input.actor, 'actor', false);
    const action = checkField(input.action, 'action', false);
    const target = checkField(input.target ?? '', 'target', true);
    const details = JSON.stringify(input.details ?? {});
    if (typeof details !== 'string') {
      throw new HasnError('E_AUDIT_INVALID', 'details cannot be written as JSON', { path: 'details' });
    }
    return this.db.transaction('full', () => {
      const at = this.now();
      const { lastInsertRowid: id } = this.db.run(
        'INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)',
        at, actor, action, target, details,
      );
      return { id, at, actor, action, target, details: JSON.parse(details) as unknown };
    });
  }

  list(filter: AuditFilter = {}): AuditRecord[] {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    const where = (condition: string, value: SqlValue | undefined): void => {
      if (value === undefined) return;
      conditions.push(condition);
      params.push(value);
    };
    where('actor = ?', filter.actor);
    where('action = ?', filter.action);
    where('target = ?', filter.target);
    where('at >= ?', filter.since);
    where('at < ?', filter.until);
    where('id < ?', filter.beforeId);
    const sql = `SELECT id, at, actor, action, target, details FROM audit_log${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`} ORDER BY id DESC LIMIT ?`;
    return this.db.all<AuditRow>(sql, ...params, checkLimit(filter.limit, 100)).map((row) => ({
      ...row,
      details: JSON.parse(row.details) as unknown,
    }));
  }
}
