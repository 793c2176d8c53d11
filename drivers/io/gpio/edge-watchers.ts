// Debounced edge subscriptions over a stream of raw level observations, shared by every DigitalLine.
//
// Each watch() gets its own debouncer, so one subscriber can ask for 50 ms of debounce while another sees every
// change. A change is reported once the new level has held for debounceMs; a bounce that returns to the stable
// level inside that window produces nothing. The event is stamped with the time the final level began.
import type { EdgeEvent, IoClock, Level, Unsubscribe, WatchOptions } from '../types.ts';

export class LevelDebouncer {
  private stable: Level;
  private pending: Level | undefined;
  private pendingSince = 0;
  private cancelTimer: Unsubscribe | undefined;

  constructor(
    initial: Level,
    private readonly debounceMs: number,
    private readonly clock: IoClock,
    private readonly onStable: (level: Level, sinceMs: number) => void,
  ) {
    this.stable = initial;
  }

  input(level: Level): void {
    const now = this.clock.now();
    if (this.debounceMs <= 0) {
      if (level !== this.stable) {
        this.stable = level;
        this.onStable(level, now);
      }
      return;
    }
    if (level === (this.pending ?? this.stable)) return; // a repeat of the latest raw level is not a change
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (level === this.stable) {
      this.pending = undefined; // bounced back before settling
      return;
    }
    this.pending = level;
    this.pendingSince = now;
    this.cancelTimer = this.clock.setTimer(this.debounceMs, () => {
      this.cancelTimer = undefined;
      const settled = this.pending as Level;
      this.pending = undefined;
      this.stable = settled;
      this.onStable(settled, this.pendingSince);
    });
  }

  dispose(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}

interface Watch {
  debouncer: LevelDebouncer;
  onError: ((error: Error) => void) | undefined;
}

export class EdgeWatchers {
  private readonly watches = new Set<Watch>();

  constructor(
    private readonly clock: IoClock,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.watches.size;
  }

  /** `currentLevel` is the line's level now: the first event is a change from it. */
  add(currentLevel: Level, onEdge: (event: EdgeEvent) => void, options: WatchOptions = {}): Unsubscribe {
    const filter = options.edge ?? 'both';
    const debouncer = new LevelDebouncer(currentLevel, options.debounceMs ?? 0, this.clock, (level, sinceMs) => {
      const edge = level === 1 ? 'rising' : 'falling';
      if (filter !== 'both' && filter !== edge) return;
      try {
        onEdge({ edge, level, t_ms: sinceMs });
      } catch (error) {
        this.onListenerError(error);
      }
    });
    const watch: Watch = { debouncer, onError: options.onError };
    this.watches.add(watch);
    return () => {
      if (this.watches.delete(watch)) debouncer.dispose();
    };
  }

  /** A raw level observation from the hardware (after an edge interrupt, a monitor line, a test drive). */
  input(level: Level): void {
    for (const watch of [...this.watches]) watch.debouncer.input(level);
  }

  /** The edge source failed; every watch with an onError hears about it. */
  fail(error: Error): void {
    for (const watch of [...this.watches]) {
      try {
        watch.onError?.(error);
      } catch (listenerError) {
        this.onListenerError(listenerError);
      }
    }
  }

  clear(): void {
    for (const watch of this.watches) watch.debouncer.dispose();
    this.watches.clear();
  }
}
