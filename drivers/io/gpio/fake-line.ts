// An in-memory DigitalLine for simulation and tests above the driver layer; tests drive its input level directly.
import { systemClock } from '../clock.ts';
import { warnListenerError } from '../listeners.ts';
import type { DigitalLine, EdgeEvent, IoClock, Level, LineDirection, Unsubscribe, WatchOptions } from '../types.ts';
import { EdgeWatchers } from './edge-watchers.ts';
import { checkDirection, checkLevel, closedError, directionError } from './line-checks.ts';

export interface FakeLineOptions {
  direction: LineDirection;
  /** Starting level (default 0). */
  initial?: Level;
  name?: string;
  clock?: IoClock;
  onListenerError?: (error: unknown) => void;
}

export class FakeDigitalLine implements DigitalLine {
  readonly name: string;
  readonly direction: LineDirection;
  /** Every level written to an output line, in order (what an actuator would have seen). */
  readonly writes: Level[] = [];
  private level: Level;
  private closed = false;
  private readonly watchers: EdgeWatchers;

  constructor(options: FakeLineOptions) {
    checkDirection(options.direction);
    const initial = options.initial ?? 0;
    this.name = options.name ?? `fake-${options.direction}`;
    checkLevel(initial, this.name);
    this.direction = options.direction;
    this.level = initial;
    this.watchers = new EdgeWatchers(options.clock ?? systemClock, options.onListenerError ?? warnListenerError);
  }

  /** The level on the pin: what the outside world drives on an input, or what an output drives. */
  get pinLevel(): Level {
    return this.level;
  }

  /** Changes the level seen on an input pin, as a sensor or button would. */
  setInput(level: Level): void {
    this.driveSequence([level]);
  }

  /** Applies several level changes back to back (a contact bounce), faster than any debounce window. */
  driveSequence(levels: readonly Level[]): void {
    if (this.direction !== 'in') throw directionError(this.name, 'driving the pin from outside', 'in');
    for (const level of levels) {
      checkLevel(level, this.name);
      if (level === this.level) continue;
      this.level = level;
      if (!this.closed) this.watchers.input(level);
    }
  }

  async read(): Promise<Level> {
    if (this.closed) throw closedError(this.name);
    return this.level;
  }

  async write(value: Level): Promise<void> {
    if (this.closed) throw closedError(this.name);
    if (this.direction !== 'out') throw directionError(this.name, 'write()', 'out');
    checkLevel(value, this.name);
    this.level = value;
    this.writes.push(value);
  }

  watch(onEdge: (event: EdgeEvent) => void, options?: WatchOptions): Unsubscribe {
    if (this.closed) throw closedError(this.name);
    if (this.direction !== 'in') throw directionError(this.name, 'watch()', 'in');
    return this.watchers.add(this.level, onEdge, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
  }
}

export function createFakeDigitalLine(options: FakeLineOptions): FakeDigitalLine {
  return new FakeDigitalLine(options);
}
