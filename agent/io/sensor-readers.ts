// One reader per sensor source type (sim, gpio, i2c, serial): each turns its device into raw numeric samples.
import { HasnError } from '../../core/errors.ts';
import { startRegisterPoller, type RegisterPoller } from '../../drivers/io/i2c/register-poller.ts';
import type { Signal } from '../../drivers/io/sim/signals.ts';
import { startSimulatedSensor, type SimulatedSensor } from '../../drivers/io/sim/simulated-sensor.ts';
import type { DigitalLine, I2CDevice, IoClock, Unsubscribe } from '../../drivers/io/types.ts';
import { sensorChannel, type Sensor, type SensorSource } from '../config/schema.ts';
import type { IoAdapters } from './adapters.ts';
import type { SerialLinkPool } from './serial-pool.ts';
import { buildSignal } from './sim-signals.ts';

export interface SampleSink {
  /** A raw reading (before scale/offset). */
  sample(raw: number): void;
  /** A failed reading or a device error; the reader keeps trying. */
  error(error: Error): void;
}

export interface SensorReader {
  start(sink: SampleSink): Promise<void>;
  stop(): Promise<void>;
}

/** A simulated sensor: its signal sampled on a fixed grid of the agent clock, time counted from the sensor's start. */
class SimReader implements SensorReader {
  private sensor: SimulatedSensor | undefined;

  constructor(private readonly clock: IoClock, private readonly signal: Signal, private readonly periodMs: number) {}

  async start(sink: SampleSink): Promise<void> {
    const started = this.clock.now();
    const fromStart: Signal = { channel: this.signal.channel, valueAt: (t) => this.signal.valueAt(t - started) };
    this.sensor = startSimulatedSensor({ signals: [fromStart], periodMs: this.periodMs, clock: this.clock, onSample: (sample) => sink.sample(sample.value), onListenerError: (err) => sink.error(err as Error) });
  }

  async stop(): Promise<void> {
    this.sensor?.stop();
  }
}

/** An I2C register read every 1/sample_hz seconds (scale/offset are applied by the hub, like every sensor). */
class I2cReader implements SensorReader {
  private poller: RegisterPoller | undefined;

  constructor(private readonly clock: IoClock, private readonly device: I2CDevice, private readonly source: Extract<SensorSource, { type: 'i2c' }>, private readonly periodMs: number, private readonly channel: string) {}

  async start(sink: SampleSink): Promise<void> {
    this.poller = startRegisterPoller({
      device: this.device, register: this.source.register, format: this.source.format, periodMs: this.periodMs, channel: this.channel, clock: this.clock,
      onSample: (sample) => sink.sample(sample.value),
      onError: (error) => sink.error(error),
      onListenerError: (err) => sink.error(err as Error),
    });
  }

  async stop(): Promise<void> {
    this.poller?.stop();
    await this.device.close();
  }
}

/** A digital input: 1 while active (high, or low with active_low), reported on every debounced edge. */
class GpioReader implements SensorReader {
  private unwatch: Unsubscribe | undefined;

  constructor(private readonly line: DigitalLine, private readonly source: Extract<SensorSource, { type: 'gpio' }>) {}

  async start(sink: SampleSink): Promise<void> {
    const value = (level: number) => (this.source.active_low ? 1 - level : level);
    this.unwatch = this.line.watch((edge) => sink.sample(value(edge.level)), { edge: 'both', debounceMs: this.source.debounce_ms, onError: (err) => sink.error(err) });
    sink.sample(value(await this.line.read()));
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await this.line.close();
  }
}

/** A number under `field` in each JSON line the device prints; lines without it are someone else's. */
class SerialReader implements SensorReader {
  private unsubscribe: Unsubscribe | undefined;

  constructor(private readonly pool: SerialLinkPool, private readonly source: Extract<SensorSource, { type: 'serial' }>) {}

  async start(sink: SampleSink): Promise<void> {
    const link = await this.pool.acquire(this.source.path, this.source.baud_rate);
    const field = this.source.field;
    this.unsubscribe = link.onFrame((frame) => {
      if (typeof frame !== 'object' || frame === null || !(field in frame)) return;
      const value = (frame as Record<string, unknown>)[field];
      if (typeof value === 'number' && Number.isFinite(value)) sink.sample(value);
      else sink.error(new HasnError('E_SENSOR_VALUE', `"${field}" in a line from ${this.source.path} is ${JSON.stringify(value)}, not a finite number`, { path: field }));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
  }
}

/** Opens the device behind a sensor; throws (E_GPIO_*, E_I2C_*, E_SERIAL_OPEN …) when it cannot. */
export async function openSensorReader(sensor: Sensor, adapters: IoAdapters, pool: SerialLinkPool): Promise<SensorReader> {
  const source = sensor.source;
  switch (source.type) {
    case 'sim': return new SimReader(adapters.clock, await buildSignal(sensorChannel(sensor), source, 1000 / sensor.sample_hz), 1000 / sensor.sample_hz);
    case 'i2c': return new I2cReader(adapters.clock, await adapters.openI2CDevice(source.bus, source.address), source, 1000 / sensor.sample_hz, sensorChannel(sensor));
    case 'gpio': return new GpioReader(await adapters.openLine(source.line, 'in'), source);
    case 'serial': return new SerialReader(pool, source);
  }
}
