// The two IoClock implementations: the process's monotonic clock, and a manual clock for simulation and tests.
import { performance } from 'node:perf_hooks';
import type { IoClock, Unsubscribe } from './types.ts';

/** Real time: performance.now() and setTimeout. */
export const systemClock: IoClock = {
  now: () => performance.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};

interface PendingTimer {
  due: number;
  order: number;
  callback: () => void;
}

/**
 * Time that moves only when advance() is called; timers fire in due order (ties in creation order), including
 * timers scheduled by a firing timer if they fall inside the advanced span. Deterministic by construction.
 */
export class ManualClock implements IoClock {
  private current: number;
  private nextOrder = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): Unsubscribe {
    const timer: PendingTimer = { due: this.current + Math.max(0, delayMs), order: this.nextOrder++, callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Number of timers still waiting. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each at its own due time. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.timers) {
        if (timer.due > target) continue;
        if (next === undefined || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
      }
      if (next === undefined) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.due);
      next.callback();
    }
    // A callback may itself have advanced the clock (re-entrantly); time never goes backwards.
    this.current = Math.max(this.current, target);
  }
}
