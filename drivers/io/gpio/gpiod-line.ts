// A DigitalLine on the libgpiod v2 command-line tools, for systems without sysfs GPIO; addressed by chip label
// and line offset.
//
// v2 tools identify chips by name/number/path, not label, so `gpiodetect` maps the label to a chip name first.
// An output is held by one `gpioset` process (v2 gpioset keeps the line requested until it exits; its --banner
// line says the value is set); a write replaces that process. An input is held by one `gpiomon` process for the
// line's life, and its level is tracked from the edge events, because while gpiomon holds the line a `gpioget`
// would fail with EBUSY. The starting level comes from one `gpioget` just before gpiomon requests the line: an
// edge in that gap is missed, and the tracked level is corrected by the next edge.
import { HasnError } from '../../../core/errors.ts';
import { systemClock } from '../clock.ts';
import { warnListenerError } from '../listeners.ts';
import type { DigitalLine, EdgeEvent, IoClock, Level, LineDirection, Unsubscribe, WatchOptions } from '../types.ts';
import { EdgeWatchers } from './edge-watchers.ts';
import { checkDirection, checkLevel, closedError, directionError } from './line-checks.ts';
import { processToolRunner, type RunningTool, type ToolResult, type ToolRunner } from './tool-runner.ts';

export interface GpiodLineOptions {
  /** The chip's label as gpiodetect prints it, e.g. "pinctrl-rp1" on a Pi 5. */
  chipLabel: string;
  /** Line offset on that chip (the BCM number for the Pi header chips). */
  offset: number;
  direction: LineDirection;
  /** Level an output drives from the moment it is opened (default 0). */
  initial?: Level;
  /** Consumer name shown by gpioinfo (default "hasn"). */
  consumer?: string;
  runner?: ToolRunner;
  clock?: IoClock;
  onListenerError?: (error: unknown) => void;
}

export interface GpiodChip {
  name: string;
  label: string;
  lines: number;
}

function toolFailure(tool: string, result: ToolResult, what: string, path: string): HasnError {
  if (result.error?.code === 'ENOENT') {
    return new HasnError('E_GPIO_TOOL_MISSING', `${tool} is not installed; install the libgpiod v2 tools (Debian package gpiod)`, { path: tool, cause: result.error });
  }
  const detail = result.error?.message ?? (result.stderr.trim() || `exit code ${String(result.code)}`);
  return new HasnError('E_GPIO_IO', `${what}: ${tool} failed: ${detail}`, { path, cause: result.error });
}

/** Parses gpiodetect's `gpiochip0 [pinctrl-rp1] (54 lines)` lines. */
export function parseGpiodetect(stdout: string): GpiodChip[] {
  const chips: GpiodChip[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^(\S+) \[(.*)\] \((\d+) lines\)\s*$/.exec(line);
    if (match) chips.push({ name: match[1], label: match[2], lines: Number(match[3]) });
  }
  return chips;
}

export async function findGpiodChip(runner: ToolRunner, label: string): Promise<GpiodChip> {
  const result = await runner.run('gpiodetect', []);
  if (result.code !== 0) throw toolFailure('gpiodetect', result, `listing GPIO chips to find "${label}"`, label);
  const chips = parseGpiodetect(result.stdout);
  const chip = chips.find((candidate) => candidate.label === label);
  if (chip === undefined) {
    const found = chips.length === 0 ? 'no chips' : chips.map((c) => `${c.name} [${c.label}]`).join(', ');
    throw new HasnError('E_GPIO_NO_CHIP', `no GPIO chip labelled "${label}" in gpiodetect's list (found: ${found})`, { path: label });
  }
  return chip;
}

/** Starts a tool that prints one line once it holds the line; resolves then, or rejects if it exits first. */
async function startHolding(runner: ToolRunner, tool: string, args: string[], what: string, path: string): Promise<RunningTool> {
  const running = runner.start(tool, args);
  const ready = new Promise<'ready'>((resolve) => running.onLine(() => resolve('ready')));
  const outcome = await Promise.race([ready, running.exited]);
  if (outcome !== 'ready') throw toolFailure(tool, outcome, what, path);
  return running;
}

class GpiodLine implements DigitalLine {
  private closed = false;
  private failure: HasnError | undefined;
  private level: Level;
  private holder: RunningTool | undefined;
  /** Writes run one at a time: each replaces the gpioset process of the previous one. */
  private writeChain: Promise<void> = Promise.resolve();
  private readonly watchers: EdgeWatchers;

  constructor(
    readonly name: string,
    readonly direction: LineDirection,
    private readonly chip: GpiodChip,
    private readonly options: GpiodLineOptions,
    initial: Level,
  ) {
    this.level = initial;
    this.watchers = new EdgeWatchers(options.clock ?? systemClock, options.onListenerError ?? warnListenerError);
  }

  private get runner(): ToolRunner {
    return this.options.runner ?? defaultRunner;
  }

  private get consumer(): string {
    return this.options.consumer ?? 'hasn';
  }

  async startOutput(): Promise<void> {
    this.holder = await this.startSet(this.level);
  }

  private startSet(level: Level): Promise<RunningTool> {
    const args = ['--banner', '-C', this.consumer, '-c', this.chip.name, `${this.options.offset}=${level}`];
    return startHolding(this.runner, 'gpioset', args, `driving ${this.name} to ${level}`, this.name);
  }

  async startInput(): Promise<void> {
    const get = await this.runner.run('gpioget', ['--numeric', '-C', this.consumer, '-c', this.chip.name, String(this.options.offset)]);
    const text = get.stdout.trim();
    if (get.code !== 0 || (text !== '0' && text !== '1')) throw toolFailure('gpioget', get, `reading ${this.name}`, this.name);
    this.level = text === '1' ? 1 : 0;
    const args = ['--banner', '-C', this.consumer, '-e', 'both', '-F', '%e', '-c', this.chip.name, String(this.options.offset)];
    const monitor = this.runner.start('gpiomon', args);
    let banner = false;
    const ready = new Promise<'ready'>((resolve) =>
      monitor.onLine((line) => {
        if (!banner) {
          banner = true;
          resolve('ready');
          return;
        }
        // -F %e: "1" for a rising edge, "2" for a falling edge.
        const event = line.trim();
        if (event !== '1' && event !== '2') return;
        this.level = event === '1' ? 1 : 0;
        this.watchers.input(this.level);
      }),
    );
    const outcome = await Promise.race([ready, monitor.exited]);
    if (outcome !== 'ready') throw toolFailure('gpiomon', outcome, `monitoring ${this.name}`, this.name);
    this.holder = monitor;
    void monitor.exited.then((result) => {
      if (this.closed || this.holder !== monitor) return;
      this.failure = toolFailure('gpiomon', result, `monitoring ${this.name} stopped unexpectedly`, this.name);
      this.watchers.fail(this.failure);
    });
  }

  async read(): Promise<Level> {
    if (this.closed) throw closedError(this.name);
    if (this.failure) throw this.failure;
    return this.level;
  }

  write(value: Level): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.name));
    if (this.direction !== 'out') return Promise.reject(directionError(this.name, 'write()', 'out'));
    try {
      checkLevel(value, this.name);
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.writeChain.then(async () => {
      if (this.closed) throw closedError(this.name);
      if (value === this.level && this.holder !== undefined) return;
      // The line is released for the moment between the two processes; the RP1 keeps driving the last level.
      await this.holder?.stop();
      this.holder = undefined;
      this.holder = await this.startSet(value);
      this.level = value;
    });
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  watch(onEdge: (event: EdgeEvent) => void, options?: WatchOptions): Unsubscribe {
    if (this.closed) throw closedError(this.name);
    if (this.direction !== 'in') throw directionError(this.name, 'watch()', 'in');
    if (this.failure) throw this.failure;
    return this.watchers.add(this.level, onEdge, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    await this.writeChain;
    const holder = this.holder;
    this.holder = undefined;
    await holder?.stop();
  }
}

const defaultRunner = processToolRunner();

/** Finds the chip by label, then requests the line: held by gpioset (output) or gpiomon (input) until close(). */
export async function openGpiodLine(options: GpiodLineOptions): Promise<DigitalLine> {
  checkDirection(options.direction);
  if (!Number.isSafeInteger(options.offset) || options.offset < 0) {
    throw new HasnError('E_GPIO_PIN_INVALID', `a line offset must be a non-negative integer, got ${String(options.offset)}`, { path: 'offset' });
  }
  const initial = options.initial ?? 0;
  const chip = await findGpiodChip(options.runner ?? defaultRunner, options.chipLabel);
  const name = `${chip.label}:${options.offset} (${chip.name})`;
  checkLevel(initial, name);
  if (options.offset >= chip.lines) {
    throw new HasnError('E_GPIO_PIN_RANGE', `line ${options.offset} is outside ${chip.name} [${chip.label}], which has lines 0..${chip.lines - 1}`, {
      path: chip.name,
    });
  }
  const line = new GpiodLine(name, options.direction, chip, options, initial);
  if (options.direction === 'out') await line.startOutput();
  else await line.startInput();
  return line;
}
