// The sysfs DigitalLine on `onoff` (the only module importing it), addressed by BCM number.
//
// onoff always works under /sys/class/gpio (its root is a constant), so the BCM → sysfs number resolution runs
// against /sys too. onoff is imported lazily: its native `epoll` addon loads only when a line is opened.
// Edges: onoff is configured for both edges with no debounce of its own; filtering and debouncing happen in
// EdgeWatchers, identically for every DigitalLine.
import type { Gpio } from 'onoff';
import { HasnError } from '../../../core/errors.ts';
import { systemClock } from '../clock.ts';
import { warnListenerError } from '../listeners.ts';
import type { DigitalLine, EdgeEvent, IoClock, Level, LineDirection, Unsubscribe, WatchOptions } from '../types.ts';
import { EdgeWatchers } from './edge-watchers.ts';
import { checkDirection, checkLevel, closedError, directionError } from './line-checks.ts';
import { resolveBcmPin, type ResolvedGpio } from './resolver.ts';

export interface OnoffLineOptions {
  /** BCM pin number, as printed on Pi pinout diagrams. */
  bcm: number;
  direction: LineDirection;
  /** Level an output drives from the moment it is opened (default 0); set atomically with the direction. */
  initial?: Level;
  /** Header chip labels to accept (default pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835). */
  chipLabels?: readonly string[];
  clock?: IoClock;
  onListenerError?: (error: unknown) => void;
}

function ioError(line: string, operation: string, cause: unknown): HasnError {
  const code = (cause as NodeJS.ErrnoException).code;
  const hint = code === 'EACCES' ? ' (is the service user in the gpio group?)' : code === 'EINVAL' ? ' (wrong sysfs number: is the chip base right?)' : '';
  return new HasnError('E_GPIO_IO', `${operation} on ${line} failed: ${(cause as Error).message}${hint}`, { path: line, cause });
}

class OnoffLine implements DigitalLine {
  private closed = false;
  private readonly watchers: EdgeWatchers;
  /** The last level onoff reported while watching; the starting level for later subscribers. */
  private watchedLevel: Level = 0;
  private readonly onInterrupt = (error: Error | null | undefined, value: Level) => {
    if (error) this.watchers.fail(ioError(this.name, 'edge wait', error));
    else {
      this.watchedLevel = value;
      this.watchers.input(value);
    }
  };

  constructor(
    readonly name: string,
    readonly direction: LineDirection,
    private readonly gpio: Gpio,
    options: OnoffLineOptions,
  ) {
    this.watchers = new EdgeWatchers(options.clock ?? systemClock, options.onListenerError ?? warnListenerError);
  }

  async read(): Promise<Level> {
    if (this.closed) throw closedError(this.name);
    try {
      return await this.gpio.read();
    } catch (cause) {
      throw ioError(this.name, 'read', cause);
    }
  }

  async write(value: Level): Promise<void> {
    if (this.closed) throw closedError(this.name);
    if (this.direction !== 'out') throw directionError(this.name, 'write()', 'out');
    checkLevel(value, this.name);
    try {
      await this.gpio.write(value);
    } catch (cause) {
      throw ioError(this.name, 'write', cause);
    }
  }

  watch(onEdge: (event: EdgeEvent) => void, options?: WatchOptions): Unsubscribe {
    if (this.closed) throw closedError(this.name);
    if (this.direction !== 'in') throw directionError(this.name, 'watch()', 'in');
    if (this.watchers.size === 0) {
      try {
        this.watchedLevel = this.gpio.readSync();
        this.gpio.watch(this.onInterrupt);
      } catch (cause) {
        // onoff registers the listener before epoll refuses the fd; take it back so unexport() does not trip on it.
        try {
          this.gpio.unwatch(this.onInterrupt);
        } catch {
          // epoll never held the fd, so removing it fails the same way; nothing is left registered.
        }
        throw ioError(this.name, 'watch', cause);
      }
    }
    const unsubscribe = this.watchers.add(this.watchedLevel, onEdge, options);
    return () => {
      unsubscribe();
      if (this.watchers.size === 0 && !this.closed) this.gpio.unwatch(this.onInterrupt);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    try {
      this.gpio.unexport();
    } catch (cause) {
      throw ioError(this.name, 'unexport', cause);
    }
  }
}

/** Exports the pin (or adopts an existing export) and configures its direction; resolves once usable. */
export async function openOnoffLine(options: OnoffLineOptions): Promise<DigitalLine> {
  checkDirection(options.direction);
  const initial = options.initial ?? 0;
  const resolved: ResolvedGpio = await resolveBcmPin(options.bcm, options.chipLabels === undefined ? {} : { labels: options.chipLabels });
  const name = `bcm${resolved.bcm} (sysfs ${resolved.sysfsNumber}, ${resolved.chip.label})`;
  checkLevel(initial, name);
  const { Gpio } = await import('onoff');
  let gpio: Gpio;
  try {
    gpio = options.direction === 'out' ? new Gpio(resolved.sysfsNumber, initial === 1 ? 'high' : 'low') : new Gpio(resolved.sysfsNumber, 'in', 'both');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' ? '; is the service user in the gpio group?' : code === 'EBUSY' ? '; another process holds the line' : '';
    throw new HasnError('E_GPIO_OPEN', `cannot open ${name} through /sys/class/gpio: ${(cause as Error).message}${hint}`, { path: `/sys/class/gpio/gpio${resolved.sysfsNumber}`, cause });
  }
  if (options.direction === 'out') {
    // onoff ignores configuration errors on a pin that was already exported (a previous run, another tool), so the
    // "high"/"low" direction write may not have set the level: write it explicitly, which succeeds or fails loudly.
    try {
      gpio.writeSync(initial);
    } catch (cause) {
      throw ioError(name, 'setting the initial level', cause);
    }
  }
  return new OnoffLine(name, options.direction, gpio, options);
}
