// The only adapter of better-sqlite3: opens a database file and exposes the tiny `Database` interface the store uses.
//
// Per-table durability (`synchronous=FULL` for config/commands, `NORMAL` for telemetry) is done with ONE
// database file and ONE connection, by setting `PRAGMA synchronous` just before each write transaction
// begins (SQLite refuses to change it inside one). Every write in the store goes through
// `transaction(durability, fn)`; the caller names the durability that its data needs.
// Why one file rather than a FULL file and a NORMAL file:
// - the outbox is one FIFO across kinds (telemetry interleaved with events); two files would need a
//   cross-file ordering and could not drop telemetry and append an event in one transaction;
// - in WAL mode a commit only appends frames to the WAL. NORMAL skips the fsync at commit; FULL does
//   it. An fsync of the WAL covers every frame before it, so a FULL commit also makes every earlier
//   NORMAL commit durable: after power loss the database is a prefix of the commit history that
//   includes every FULL commit. A killed process (no power loss) loses nothing in either mode,
//   because committed frames are already in the OS page cache.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { HasnError } from '../../core/errors.ts';

/** What a statement parameter may be. Blobs come back from SQLite as Buffers (a Uint8Array). */
export type SqlValue = number | bigint | string | Uint8Array | null;

/** 'full': fsync the WAL at commit (config, commands, snapshots, audit). 'normal': not (telemetry). */
export type Durability = 'full' | 'normal';

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

/** The store's whole view of SQLite. Statements are prepared once per SQL text and cached. */
export interface Database {
  readonly path: string;
  /** Runs SQL text with no parameters (DDL, several statements). */
  exec(sql: string): void;
  run(sql: string, ...params: SqlValue[]): RunResult;
  get<Row>(sql: string, ...params: SqlValue[]): Row | undefined;
  all<Row>(sql: string, ...params: SqlValue[]): Row[];
  /**
   * Runs `fn` in an IMMEDIATE transaction committed with the given durability; a throw rolls it back.
   * Nested calls become savepoints of the outer transaction and cannot ask for more durability than it.
   */
  transaction<T>(durability: Durability, fn: () => T): T;
  readonly inTransaction: boolean;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before E_STORE_BUSY. */
  busyTimeoutMs: number;
  /** Upper bound of the WAL file size left on disk after a checkpoint (SD cards are small). */
  walSizeLimitBytes: number;
}

// better-sqlite3 ships no types and we use a handful of its calls: describe exactly those.
interface NativeStatement {
  readonly reader: boolean;
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}
interface NativeTransaction {
  immediate(): unknown;
}
interface NativeDatabase {
  readonly inTransaction: boolean;
  readonly open: boolean;
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  transaction(fn: () => unknown): NativeTransaction;
  close(): void;
}
type NativeDatabaseConstructor = new (path: string, options: { timeout: number }) => NativeDatabase;

const requireFromHere = createRequire(import.meta.url);
const BetterSqlite3 = requireFromHere('better-sqlite3') as NativeDatabaseConstructor;

const SYNCHRONOUS_PRAGMA: Record<Durability, string> = { full: 'FULL', normal: 'NORMAL' };

/** SQLite result codes mapped to stable codes a person can act on. */
function translateSqliteError(err: unknown, path: string): unknown {
  if (!(err instanceof Error) || err instanceof HasnError) return err;
  const sqliteCode = (err as { code?: unknown }).code;
  if (typeof sqliteCode !== 'string' || !sqliteCode.startsWith('SQLITE_')) return err;
  const [code, advice] = sqliteCodeToHasn(sqliteCode);
  return new HasnError(code, `${advice} (${sqliteCode}: ${err.message})`, { path, cause: err });
}

function sqliteCodeToHasn(sqliteCode: string): [string, string] {
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) {
    return ['E_STORE_BUSY', 'the database is locked by another process; stop it or raise busyTimeoutMs'];
  }
  if (sqliteCode.startsWith('SQLITE_CORRUPT') || sqliteCode === 'SQLITE_NOTADB') {
    return ['E_STORE_CORRUPT', 'the database file is damaged or not a HASN store; restore a backup or move it aside'];
  }
  if (sqliteCode === 'SQLITE_FULL') return ['E_STORE_DISK_FULL', 'the disk holding the database is full; free space'];
  if (sqliteCode.startsWith('SQLITE_READONLY')) return ['E_STORE_READONLY', 'the database file or its directory is not writable by this user'];
  if (sqliteCode.startsWith('SQLITE_CANTOPEN')) return ['E_STORE_CANT_OPEN', 'the database file cannot be opened; check the path and permissions'];
  if (sqliteCode.startsWith('SQLITE_IOERR')) return ['E_STORE_IO', 'the disk returned an I/O error; check the storage device'];
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) return ['E_STORE_CONSTRAINT', 'a stored value broke a schema rule'];
  return ['E_STORE_SQL', 'a store query failed'];
}

class SqliteDatabase implements Database {
  readonly path: string;
  private readonly native: NativeDatabase;
  private readonly statements = new Map<string, NativeStatement>();
  private synchronous: Durability | undefined;
  private outerDurability: Durability | undefined;

  constructor(path: string, native: NativeDatabase) {
    this.path = path;
    this.native = native;
  }

  get inTransaction(): boolean {
    return this.native.inTransaction;
  }

  exec(sql: string): void {
    this.guard(() => this.native.exec(sql));
  }

  run(sql: string, ...params: SqlValue[]): RunResult {
    return this.guard(() => {
      const result = this.statement(sql).run(...params);
      return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
    });
  }

  get<Row>(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.guard(() => this.statement(sql).get(...params) as Row | undefined);
  }

  all<Row>(sql: string, ...params: SqlValue[]): Row[] {
    return this.guard(() => this.statement(sql).all(...params) as Row[]);
  }

  transaction<T>(durability: Durability, fn: () => T): T {
    if (this.native.inTransaction) {
      if (durability === 'full' && this.outerDurability === 'normal') {
        throw new HasnError('E_STORE_DURABILITY', 'a FULL-durability write cannot nest inside a NORMAL transaction', { path: this.path });
      }
      return this.guard(() => this.native.transaction(fn).immediate() as T);
    }
    if (this.synchronous !== durability) {
      this.exec(`PRAGMA synchronous = ${SYNCHRONOUS_PRAGMA[durability]}`);
      this.synchronous = durability;
    }
    this.outerDurability = durability;
    try {
      return this.guard(() => this.native.transaction(fn).immediate() as T);
    } finally {
      this.outerDurability = undefined;
    }
  }

  close(): void {
    if (this.native.open) this.native.close();
    this.statements.clear();
  }

  private statement(sql: string): NativeStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.native.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (err) {
      throw translateSqliteError(err, this.path);
    }
  }
}

/**
 * Opens (creating if needed) a database file in WAL mode with foreign keys on.
 * Throws E_STORE_CORRUPT for a file that is not a database, E_STORE_WAL_UNAVAILABLE where the
 * filesystem cannot do WAL (its shared-memory index needs mmap).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database {
  if (!existsSync(dirname(path))) {
    throw new HasnError('E_STORE_CANT_OPEN', `the directory of the database file does not exist: ${dirname(path)}`, { path });
  }
  let native: NativeDatabase;
  try {
    native = new BetterSqlite3(path, { timeout: options.busyTimeoutMs });
  } catch (err) {
    throw translateSqliteError(err, path);
  }
  const db = new SqliteDatabase(path, native);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    const mode = db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
    if (mode?.journal_mode !== 'wal') {
      throw new HasnError('E_STORE_WAL_UNAVAILABLE', `the filesystem refused WAL mode (got ${String(mode?.journal_mode)}); put the store on a local disk`, { path });
    }
    db.exec('PRAGMA foreign_keys = ON');
    db.exec(`PRAGMA journal_size_limit = ${Math.trunc(options.walSizeLimitBytes)}`);
    db.exec('PRAGMA synchronous = FULL');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
