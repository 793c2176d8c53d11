// All configured actuators: maps decoded output values to actuator values and drives GPIO lines, serial lines and events.
//
// Writes happen only on change. A slow device never queues up stale values: while a write is in flight only the
// newest wanted value is kept, and written when the previous write finishes. On stop every GPIO output goes low
// (the safe state for motors and relays) before its line is released.
import type { DigitalLine, SerialLink } from '../../drivers/io/types.ts';
import type { Actuator, ActiveWhen } from '../config/schema.ts';
import { actuatorSink } from '../config/schema.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { IoAdapters } from './adapters.ts';
import type { SerialLinkPool } from './serial-pool.ts';

export interface ActuatorStatus {
  id: string;
  sink: string;
  target: Actuator['target']['type'];
  state: 'starting' | 'running' | 'failed' | 'stopped';
  value: number | null;
  writes: number;
  errors: number;
  last_error: string | null;
}

/** The actuator's value for a decoded value: on/off through active_when, else the value itself. */
export function actuatorValue(decoded: number | null, activeWhen: ActiveWhen | undefined): number | null {
  if (activeWhen === undefined) return decoded;
  if (decoded === null) return 0;
  return ('equals' in activeWhen ? decoded === activeWhen.equals : decoded >= activeWhen.at_least) ? 1 : 0;
}

type Writer = (value: number | null) => Promise<void>;

class ActuatorChannel {
  readonly status: ActuatorStatus;
  writer: Writer | undefined;
  release: () => Promise<void> = async () => undefined;
  /** Whether a value was applied yet (before that, even null is a change). */
  decided = false;
  private inFlight = false;
  private wanted: number | null | undefined;

  constructor(readonly actuator: Actuator, private readonly log: Logger) {
    this.status = { id: actuator.id, sink: actuatorSink(actuator), target: actuator.target.type, state: 'starting', value: null, writes: 0, errors: 0, last_error: null };
  }

  set(value: number | null): void {
    this.wanted = value;
    if (!this.inFlight) void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.writer === undefined) return;
    this.inFlight = true;
    while (this.wanted !== undefined) {
      const value = this.wanted;
      this.wanted = undefined;
      try {
        await this.writer(value);
        this.status.writes++;
      } catch (err) {
        this.status.errors++;
        const message = (err as Error).message;
        if (this.status.last_error !== message) this.log.warn({ actuator: this.actuator.id, err }, `actuator ${this.actuator.id}: ${message}`);
        this.status.last_error = message;
      }
    }
    this.inFlight = false;
  }

  /** Waits for the write in flight (and any queued value) to finish. */
  async settle(): Promise<void> {
    while (this.inFlight) await new Promise((resolve) => setImmediate(resolve));
  }
}

function gpioWriter(line: DigitalLine, activeLow: boolean): Writer {
  return (value) => {
    const on = value !== null && value >= 0.5;
    return line.write(on !== activeLow ? 1 : 0);
  };
}

function serialWriter(link: SerialLink<unknown>, field: string): Writer {
  return (value) => link.write({ [field]: value });
}

export class ActuatorBank {
  private readonly channels: ActuatorChannel[];
  private readonly bySink = new Map<string, ActuatorChannel[]>();

  constructor(
    actuators: readonly Actuator[],
    private readonly adapters: IoAdapters,
    private readonly pool: SerialLinkPool,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {
    this.channels = actuators.map((a) => new ActuatorChannel(a, log));
    for (const channel of this.channels) {
      const list = this.bySink.get(channel.status.sink) ?? [];
      list.push(channel);
      this.bySink.set(channel.status.sink, list);
    }
  }

  /** Opens every actuator's device; one that fails is logged and marked failed, the others work. */
  async start(): Promise<void> {
    await Promise.all(this.channels.map(async (channel) => {
      const target = channel.actuator.target;
      try {
        if (target.type === 'gpio') {
          const line = await this.adapters.openLine(target.line, 'out');
          channel.writer = gpioWriter(line, target.active_low);
          // Safe state first: the line is driven "off" before the brain decides anything.
          await channel.writer(0);
          channel.release = async () => {
            await channel.settle();
            await line.write(target.active_low ? 1 : 0).catch(() => undefined);
            await line.close();
          };
        } else if (target.type === 'serial') {
          const link = await this.pool.acquire(target.path, target.baud_rate);
          channel.writer = serialWriter(link, target.field ?? channel.actuator.id);
        } else {
          channel.writer = async () => undefined;
        }
        channel.status.state = 'running';
      } catch (err) {
        channel.status.state = 'failed';
        channel.status.errors++;
        channel.status.last_error = (err as Error).message;
        this.log.error({ actuator: channel.actuator.id, err }, `actuator ${channel.actuator.id} could not be opened: ${(err as Error).message}`);
      }
    }));
  }

  /** A decoded value for `sink`: every actuator serving it takes its value, written and announced if it changed. */
  apply(sink: string, decoded: number | null): void {
    const channels = this.bySink.get(sink);
    if (channels === undefined) return;
    for (const channel of channels) {
      const value = actuatorValue(decoded, channel.actuator.active_when);
      if (channel.decided && value === channel.status.value) continue;
      channel.decided = true;
      channel.status.value = value;
      if (channel.status.state === 'running') channel.set(value);
      this.events.emit('actuator', { id: channel.actuator.id, sink, value });
    }
  }

  sinks(): string[] {
    return [...this.bySink.keys()];
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.channels.map(async (channel) => {
      await channel.settle();
      await channel.release();
      channel.status.state = channel.status.state === 'failed' ? 'failed' : 'stopped';
    }));
  }

  list(): ActuatorStatus[] {
    return this.channels.map((c) => ({ ...c.status }));
  }

  get degraded(): boolean {
    return this.channels.some((c) => c.status.state === 'failed');
  }
}
