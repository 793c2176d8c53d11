// The systemd watchdog fed by the engine's progress: WATCHDOG=1 only from a loop tick that ran steps, never from a timer.
//
// If the engine stalls (a hung driver call, an endless loop, a blocked event loop), ticks stop making progress,
// the pings stop, and systemd restarts the agent after WatchdogSec.
import type { SystemdNotifier } from './systemd-notify.ts';

export class WatchdogFeeder {
  private lastPing = Number.NEGATIVE_INFINITY;
  pings = 0;

  constructor(private readonly notifier: SystemdNotifier) {}

  get enabled(): boolean {
    return this.notifier.watchdogIntervalMs !== null;
  }

  /** The engine made progress at `now` (agent clock, ms): ping if the last ping is an interval old. */
  progress(now: number): void {
    const interval = this.notifier.watchdogIntervalMs;
    if (interval === null || now - this.lastPing < interval) return;
    this.lastPing = now;
    this.pings++;
    void this.notifier.notify({ WATCHDOG: '1' });
  }
}
