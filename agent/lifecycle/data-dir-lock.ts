// One agent per data directory: a lock file holding the owner's PID, taken at start and removed at stop.
//
// Two agents on one store would both snapshot and both claim the outbox. A lock left by a crashed agent is
// taken over once its PID no longer runs (after a reboot PIDs restart, so a stale lock never blocks forever).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HasnError } from '../../core/errors.ts';

export const LOCK_FILE_NAME = 'agent.lock';

/** Locks held by this process: a lock file with our own PID is ours only if we took it (after a reboot PIDs repeat). */
const heldHere = new Set<string>();

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock in `dir` (which must exist); returns the release function. Throws E_DATA_DIR_LOCKED. */
export function lockDataDir(dir: string, pid = process.pid): () => void {
  const path = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        try {
          if (readFileSync(path, 'utf8').trim() === String(pid)) rmSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      const live = owner === pid ? heldHere.has(path) : Number.isSafeInteger(owner) && owner > 0 && running(owner);
      if (live) {
        throw new HasnError('E_DATA_DIR_LOCKED', `another agent (PID ${owner}) uses ${dir}; give this one its own --data-dir`, { path: dir });
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new HasnError('E_DATA_DIR_LOCKED', `could not take the lock ${path}`, { path: dir });
}
