// The paced loop: wakes every tick_ms and runs the engine steps that fell due in wall time, with a catch-up limit.
//
// Steps are due at speed · elapsed / dt. After a stall (GC, a slow SD card, a suspended laptop) at most
// max_catch_up_ms of simulated time is run in one tick; the rest is skipped, counted as lag, and the pace is
// re-anchored, so the brain never spirals into running ever-larger batches. Each tick runs synchronously, so
// stop() between ticks always leaves the engine at a step boundary.
import type { IoClock, Unsubscribe } from '../../drivers/io/types.ts';
import type { EngineConfig } from '../config/schema.ts';

export interface TickReport {
  /** Steps run in this tick. */
  steps: number;
  /** Steps skipped in this tick because the catch-up limit was reached. */
  skipped: number;
  /** Wall time of the tick (agent clock, ms). */
  now: number;
}

export interface StepLoopHooks {
  /** Runs `steps` engine steps (nothing when there is no brain). */
  runSteps(steps: number): void;
  /** Called after every tick, steps or not: outputs, reward rules, watchdog. */
  afterTick(report: TickReport): void;
  /** A hook threw: the loop keeps running (one bad tick must not stop the brain). */
  onError(error: unknown): void;
}

export interface LoopCounters {
  ticks: number;
  stepsRun: number;
  stepsSkipped: number;
  /** Wall time spent inside runSteps (ms): busy / elapsed is the engine's CPU share. */
  busyMs: number;
}

export class StepLoop {
  readonly counters: LoopCounters = { ticks: 0, stepsRun: 0, stepsSkipped: 0, busyMs: 0 };
  private cancelTimer: Unsubscribe | undefined;
  private anchorWall = 0;
  /** Steps run since the anchor. */
  private stepsSinceAnchor = 0;
  private nextTickAt = 0;
  private maxBatch: number;

  constructor(
    private readonly clock: IoClock,
    private readonly config: Pick<EngineConfig, 'tick_ms' | 'max_catch_up_ms' | 'speed'>,
    private dt_ms: number,
    private readonly hooks: StepLoopHooks,
  ) {
    this.maxBatch = Math.max(1, Math.floor(config.max_catch_up_ms / dt_ms));
  }

  get running(): boolean {
    return this.cancelTimer !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.anchorWall = this.clock.now();
    this.stepsSinceAnchor = 0;
    this.nextTickAt = this.anchorWall + this.config.tick_ms;
    this.schedule();
  }

  /** Stops after the tick in progress (ticks are synchronous, so the engine is between steps when this returns). */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** A new step length (another brain); the pace restarts from now. */
  setDt(dt_ms: number): void {
    this.dt_ms = dt_ms;
    this.maxBatch = Math.max(1, Math.floor(this.config.max_catch_up_ms / dt_ms));
    this.resetPace();
  }

  /** Re-anchors the pace at the current time (after a brain swap, so the new brain does not "catch up"). */
  resetPace(): void {
    this.anchorWall = this.clock.now();
    this.stepsSinceAnchor = 0;
  }

  private schedule(): void {
    const delay = Math.max(0, this.nextTickAt - this.clock.now());
    this.cancelTimer = this.clock.setTimer(delay, () => this.tick());
  }

  private tick(): void {
    const now = this.clock.now();
    const due = Math.floor(((now - this.anchorWall) * this.config.speed) / this.dt_ms) - this.stepsSinceAnchor;
    const steps = Math.max(0, Math.min(due, this.maxBatch));
    const skipped = Math.max(0, due - steps);
    this.counters.ticks++;
    try {
      if (steps > 0) {
        this.hooks.runSteps(steps);
        this.counters.stepsRun += steps;
      }
    } catch (err) {
      this.hooks.onError(err);
    }
    const after = this.clock.now();
    this.counters.busyMs += after - now;
    if (skipped > 0) {
      this.counters.stepsSkipped += skipped;
      this.anchorWall = after;
      this.stepsSinceAnchor = 0;
    } else {
      this.stepsSinceAnchor += steps;
    }
    try {
      this.hooks.afterTick({ steps, skipped, now: after });
    } catch (err) {
      this.hooks.onError(err);
    }
    if (!this.running) return;
    // Drift-free: the next tick is due one period after the previous one was due, unless we are late already.
    this.nextTickAt = Math.max(this.nextTickAt + this.config.tick_ms, after);
    this.schedule();
  }
}
