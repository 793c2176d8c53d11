// Shared set-up for the store tests: throw-away directories and a clock the test moves by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openStore } from '../../agent/store/index.ts';
import type { Store, StoreOptions } from '../../agent/store/index.ts';

export const DAY_MS = 86_400_000;

/** A clock that only moves when told to. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
    set: (ms) => {
      time = ms;
    },
  };
}

const cleanups: (() => void)[] = [];

afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** A fresh directory removed after the current test. */
export function tempDir(prefix = 'hasn-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a fresh directory, closed and removed after the current test. */
export function tempStore(options: StoreOptions = {}): Store & { dir: string } {
  const dir = tempDir();
  const store = openStore(dir, options);
  cleanups.push(() => store.close());
  return Object.assign(store, { dir });
}
