// The better-sqlite3 adapter: pragmas, per-transaction durability, rollback, and error codes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../agent/store/sqlite.ts';
import type { Database } from '../../agent/store/sqlite.ts';
import { tempDir } from './store-fixture.ts';

const OPTIONS = { busyTimeoutMs: 1234, walSizeLimitBytes: 1 << 20 };

function open(): Database {
  return openDatabase(join(tempDir(), 'test.db'), OPTIONS);
}

describe('openDatabase', () => {
  it('opens in WAL mode with foreign keys on and the requested busy timeout', () => {
    const db = open();
    try {
      expect(db.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
      expect(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')?.foreign_keys).toBe(1);
      expect(db.get<{ timeout: number }>('PRAGMA busy_timeout')?.timeout).toBe(1234);
    } finally {
      db.close();
    }
  });

  it('refuses a file that is not a database with E_STORE_CORRUPT', () => {
    const path = join(tempDir(), 'garbage.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => openDatabase(path, OPTIONS)).toThrow(expect.objectContaining({ code: 'E_STORE_CORRUPT', path }));
  });

  it('reports a missing directory with E_STORE_CANT_OPEN', () => {
    const path = join(tempDir(), 'no', 'such', 'dir', 'x.db');
    expect(() => openDatabase(path, OPTIONS)).toThrow(expect.objectContaining({ code: 'E_STORE_CANT_OPEN', path }));
  });
});

describe('Database.transaction', () => {
  it('commits FULL transactions with synchronous=FULL and NORMAL ones with synchronous=NORMAL', () => {
    const db = open();
    try {
      const levels: number[] = [];
      const level = (): number => db.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous ?? -1;
      db.transaction('normal', () => levels.push(level()));
      db.transaction('full', () => levels.push(level()));
      db.transaction('normal', () => levels.push(level()));
      expect(levels).toEqual([1, 2, 1]); // 1 = NORMAL, 2 = FULL
    } finally {
      db.close();
    }
  });

  it('rolls back everything when the function throws', () => {
    const db = open();
    try {
      db.exec('CREATE TABLE t (x INTEGER)');
      expect(() =>
        db.transaction('full', () => {
          db.run('INSERT INTO t (x) VALUES (?)', 1);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(db.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('nests as a savepoint, and refuses a FULL write inside a NORMAL transaction', () => {
    const db = open();
    try {
      db.exec('CREATE TABLE t (x INTEGER)');
      db.transaction('full', () => {
        db.run('INSERT INTO t (x) VALUES (1)');
        expect(() =>
          db.transaction('normal', () => {
            db.run('INSERT INTO t (x) VALUES (2)');
            throw new Error('inner');
          }),
        ).toThrow('inner');
      });
      expect(db.all<{ x: number }>('SELECT x FROM t')).toEqual([{ x: 1 }]);
      expect(() => db.transaction('normal', () => db.transaction('full', () => 0))).toThrow(
        expect.objectContaining({ code: 'E_STORE_DURABILITY' }),
      );
    } finally {
      db.close();
    }
  });

  it('turns SQLite errors into HasnErrors with a stable code and the database path', () => {
    const db = open();
    try {
      db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
      expect(() => db.run('INSERT INTO t (x) VALUES (NULL)')).toThrow(expect.objectContaining({ code: 'E_STORE_CONSTRAINT', path: db.path }));
      expect(() => db.get('SELECT * FROM missing_table')).toThrow(expect.objectContaining({ code: 'E_STORE_SQL' }));
    } finally {
      db.close();
    }
  });

  it('round-trips blobs byte for byte', () => {
    const db = open();
    try {
      db.exec('CREATE TABLE b (data BLOB)');
      const bytes = new Uint8Array([0, 1, 2, 255, 0, 128]);
      db.run('INSERT INTO b (data) VALUES (?)', bytes);
      expect(new Uint8Array(db.get<{ data: Uint8Array }>('SELECT data FROM b')!.data)).toEqual(bytes);
    } finally {
      db.close();
    }
  });
});
