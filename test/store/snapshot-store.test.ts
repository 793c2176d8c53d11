// SnapshotStore: hash-checked saves, latestValid skipping damaged blobs, and the retention policy.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idsToKeep } from '../../agent/store/snapshot-store.ts';
import { openDatabase } from '../../agent/store/sqlite.ts';
import { openStore } from '../../agent/store/index.ts';
import { DAY_MS, manualClock, tempDir, tempStore } from './store-fixture.ts';

const META = { specHash: 'spec-a', step: 100, reason: 'periodic' } as const;

function bytesOf(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Changes stored blobs behind the store's back, through a second connection. */
function tamper(path: string, sql: string, ...params: (number | Uint8Array)[]): void {
  const db = openDatabase(path, { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 });
  try {
    db.run(sql, ...params);
  } finally {
    db.close();
  }
}

describe('SnapshotStore.save', () => {
  it('stores the bytes with their sha256, size, spec hash, step, reason and time', () => {
    const clock = manualClock();
    const { snapshots } = tempStore({ now: clock.now });
    const bytes = bytesOf(70_000, 1);
    const { snapshot, pruned } = snapshots.save(bytes, META);
    expect(snapshot).toEqual({ id: 1, createdAt: clock.now(), ...META, size: 70_000, sha256: sha256(bytes) });
    expect(pruned).toEqual([]);
    const latest = snapshots.latestValid();
    expect(latest.corrupt).toEqual([]);
    expect(latest.snapshot).toMatchObject(snapshot);
    expect(new Uint8Array(latest.snapshot!.bytes)).toEqual(bytes);
  });

  it('stores an empty snapshot', () => {
    const { snapshots } = tempStore();
    snapshots.save(new Uint8Array(0), META);
    expect(snapshots.latestValid().snapshot?.size).toBe(0);
  });

  it('rejects bad metadata with E_SNAPSHOT_INVALID and stores nothing', () => {
    const { snapshots } = tempStore();
    const cases = [
      [{ ...META, specHash: '' }, 'specHash'],
      [{ ...META, step: -1 }, 'step'],
      [{ ...META, step: 1.5 }, 'step'],
      [{ ...META, reason: 'whim' }, 'reason'],
    ] as const;
    for (const [meta, path] of cases) {
      expect(() => snapshots.save(new Uint8Array(4), meta as never)).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_INVALID', path }));
    }
    expect(() => snapshots.save('bytes' as never, META)).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_INVALID', path: 'bytes' }));
    expect(snapshots.list()).toEqual([]);
  });
});

describe('SnapshotStore.latestValid', () => {
  it('returns nothing on an empty store', () => {
    const { snapshots } = tempStore();
    expect(snapshots.latestValid()).toEqual({ snapshot: undefined, corrupt: [] });
  });

  it('skips and reports a snapshot whose bytes changed, returning the newest one that still hashes', () => {
    const store = tempStore();
    const good = store.snapshots.save(bytesOf(5000, 1), META).snapshot;
    const bad = store.snapshots.save(bytesOf(5000, 2), { ...META, step: 200 }).snapshot;
    tamper(store.path, 'UPDATE snapshots SET data = ? WHERE id = ?', bytesOf(5000, 3), bad.id);
    const result = store.snapshots.latestValid();
    expect(result.snapshot?.id).toBe(good.id);
    expect(result.corrupt).toEqual([
      { id: bad.id, createdAt: bad.createdAt, expectedSha256: bad.sha256, actualSha256: sha256(bytesOf(5000, 3)), expectedSize: 5000, actualSize: 5000 },
    ]);
    expect(() => store.snapshots.get(bad.id)).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_CORRUPT' }));
  });

  it('never takes a truncated (partial) blob as valid', () => {
    const store = tempStore();
    const only = store.snapshots.save(bytesOf(9000, 1), META).snapshot;
    tamper(store.path, 'UPDATE snapshots SET data = substr(data, 1, 4500) WHERE id = ?', only.id);
    const result = store.snapshots.latestValid();
    expect(result.snapshot).toBeUndefined();
    expect(result.corrupt).toMatchObject([{ id: only.id, expectedSize: 9000, actualSize: 4500 }]);
  });

  it('catches a bit flipped on disk inside a blob, which SQLite itself does not notice', () => {
    const dir = tempDir();
    let store = openStore(dir);
    store.snapshots.save(bytesOf(20_000, 1), META);
    const flipped = new Uint8Array(randomBytes(50_000)); // no repeating pattern: the marker is unique
    const marker = Buffer.from(flipped.subarray(25_000, 25_064));
    const { snapshot } = store.snapshots.save(flipped, META);
    store.close(); // the last connection checkpoints the WAL into the main file
    const file = readFileSync(store.path);
    const at = file.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    file[at + 10] ^= 0x01;
    writeFileSync(store.path, file);
    store = openStore(dir);
    try {
      expect(store.checkIntegrity()).toEqual([]);
      const result = store.snapshots.latestValid();
      expect(result.corrupt.map((c) => c.id)).toEqual([snapshot.id]);
      expect(result.snapshot?.id).toBe(snapshot.id - 1);
    } finally {
      store.close();
    }
  });

  it('filters by spec hash', () => {
    const { snapshots } = tempStore();
    const a = snapshots.save(bytesOf(10, 1), { ...META, specHash: 'spec-a' }).snapshot;
    snapshots.save(bytesOf(10, 2), { ...META, specHash: 'spec-b' });
    expect(snapshots.latestValid({ specHash: 'spec-a' }).snapshot?.id).toBe(a.id);
    expect(snapshots.latestValid({ specHash: 'spec-c' }).snapshot).toBeUndefined();
  });

  it('takes the most recently saved snapshot as newest even when the clock went back', () => {
    const clock = manualClock();
    const { snapshots } = tempStore({ now: clock.now });
    snapshots.save(bytesOf(10, 1), { ...META, step: 1 });
    clock.advance(-30 * DAY_MS); // rebooted without an RTC battery, before NTP
    snapshots.save(bytesOf(10, 2), { ...META, step: 2 });
    expect(snapshots.latestValid().snapshot?.step).toBe(2);
  });
});

describe('snapshot retention', () => {
  it('keeps the last N plus the newest of each of the last D days, pruning in the same save', () => {
    const clock = manualClock(Date.UTC(2026, 0, 10, 0, 0, 0));
    const { snapshots } = tempStore({ now: clock.now, snapshotRetention: { keepLast: 2, keepDailyForDays: 3 } });
    const prunedEachSave: number[][] = [];
    for (let day = 0; day < 4; day++) {
      for (const hour of [10, 11]) {
        clock.set(Date.UTC(2026, 0, 10 + day, hour, 0, 0));
        prunedEachSave.push(snapshots.save(bytesOf(100, day * 2 + hour), META).pruned);
      }
    }
    // ids 1,2 on day 0; 3,4 day 1; 5,6 day 2; 7,8 day 3 (today). Day 0 is out of the 3-day window.
    expect(snapshots.list().map((s) => s.id)).toEqual([8, 7, 6, 4]);
    expect(prunedEachSave.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 5]);
  });

  it('with keepDailyForDays 0 keeps exactly the last N', () => {
    const { snapshots } = tempStore({ snapshotRetention: { keepLast: 3, keepDailyForDays: 0 } });
    for (let i = 0; i < 7; i++) snapshots.save(bytesOf(10, i), META);
    expect(snapshots.list().map((s) => s.id)).toEqual([7, 6, 5]);
  });

  it('refuses a policy that could delete the snapshot just saved', () => {
    expect(() => tempStore({ snapshotRetention: { keepLast: 0 } })).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_RETENTION_INVALID', path: 'keepLast' }));
    expect(() => tempStore({ snapshotRetention: { keepDailyForDays: -1 } })).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_RETENTION_INVALID' }));
  });

  it('idsToKeep counts days in UTC and keeps one snapshot per day, the newest', () => {
    const now = Date.UTC(2026, 5, 3, 0, 30);
    const newestFirst = [
      { id: 5, createdAt: Date.UTC(2026, 5, 3, 0, 10) },
      { id: 4, createdAt: Date.UTC(2026, 5, 2, 23, 50) },
      { id: 3, createdAt: Date.UTC(2026, 5, 2, 0, 5) },
      { id: 2, createdAt: Date.UTC(2026, 5, 1, 12, 0) },
      { id: 1, createdAt: Date.UTC(2026, 4, 30, 12, 0) },
    ];
    expect([...idsToKeep(newestFirst, { keepLast: 1, keepDailyForDays: 3 }, now)].sort()).toEqual([2, 4, 5]);
  });
});
