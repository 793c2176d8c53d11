// All configured sensors: opens their readers, calibrates samples, counts samples and errors, hands values on.
//
// A sensor that cannot be opened or keeps failing makes the agent degraded, never stopped: the brain runs on
// with the sensor's last value, and status/metrics say which sensor is wrong and why.
import type { Sensor } from '../config/schema.ts';
import { sensorChannel } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { IoAdapters } from './adapters.ts';
import { openSensorReader, type SensorReader } from './sensor-readers.ts';
import type { SerialLinkPool } from './serial-pool.ts';

export interface SensorStatus {
  id: string;
  channel: string;
  source: Sensor['source']['type'];
  state: 'starting' | 'running' | 'failed' | 'stopped';
  samples: number;
  /** Samples per second over the last measured second. */
  sample_rate_hz: number;
  errors: number;
  value: number | null;
  /** Agent clock (ms) of the last sample. */
  last_sample_at: number | null;
  last_error: string | null;
}

/** Receives every calibrated sample (the runtime routes it to the inputs reading that channel). */
export type SampleHandler = (sensor: Sensor, value: number, at: number) => void;

export class SensorHub {
  private readonly status = new Map<string, SensorStatus>();
  private readonly readers = new Map<string, SensorReader>();
  private started = false;
  private readonly rateWindow: { at: number; samples: Map<string, number> };

  constructor(
    private readonly sensors: readonly Sensor[],
    private readonly adapters: IoAdapters,
    private readonly pool: SerialLinkPool,
    private readonly log: Logger,
    private readonly onSample: SampleHandler,
  ) {
    this.rateWindow = { at: adapters.clock.now(), samples: new Map() };
    for (const sensor of sensors) {
      this.status.set(sensor.id, {
        id: sensor.id, channel: sensorChannel(sensor), source: sensor.source.type, state: 'starting',
        samples: 0, sample_rate_hz: 0, errors: 0, value: null, last_sample_at: null, last_error: null,
      });
    }
  }

  /** Opens every sensor; those that fail are logged and marked failed, the others run. */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all(this.sensors.map((sensor) => this.startOne(sensor)));
  }

  private async startOne(sensor: Sensor): Promise<void> {
    const status = this.status.get(sensor.id)!;
    try {
      const reader = await openSensorReader(sensor, this.adapters, this.pool);
      if (!this.started) {
        await reader.stop();
        return;
      }
      this.readers.set(sensor.id, reader);
      await reader.start({
        sample: (raw) => {
          if (!this.started) return;
          const value = raw * sensor.scale + sensor.offset;
          const at = this.adapters.clock.now();
          status.samples++;
          status.value = value;
          status.last_sample_at = at;
          try {
            this.onSample(sensor, value, at);
          } catch (err) {
            // The input refused the value (e.g. not finite): a sensor error, never a crash.
            this.recordError(sensor, status, err instanceof Error ? err : new Error(String(err)));
          }
        },
        error: (error) => this.recordError(sensor, status, error),
      });
      status.state = 'running';
    } catch (err) {
      status.state = 'failed';
      this.recordError(sensor, status, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private recordError(sensor: Sensor, status: SensorStatus, error: Error): void {
    status.errors++;
    const message = error.message;
    // One line per distinct error, not one per failed sample at 50 Hz.
    if (status.last_error !== message) this.log.warn({ sensor: sensor.id, err: error }, `sensor ${sensor.id}: ${message}`);
    status.last_error = message;
  }

  /** Stops every reader (inputs first on shutdown: nothing reaches the brain after this resolves). */
  async stop(): Promise<void> {
    this.started = false;
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.allSettled(readers.map((reader) => reader.stop()));
    for (const status of this.status.values()) if (status.state !== 'failed') status.state = 'stopped';
  }

  list(): SensorStatus[] {
    this.updateRates();
    return [...this.status.values()].map((s) => ({ ...s }));
  }

  /** Sample rates over whole seconds, measured lazily when someone asks (status, metrics, dashboard). */
  private updateRates(): void {
    const now = this.adapters.clock.now();
    const elapsed = now - this.rateWindow.at;
    if (elapsed < 1000) return;
    for (const status of this.status.values()) {
      status.sample_rate_hz = ((status.samples - (this.rateWindow.samples.get(status.id) ?? 0)) * 1000) / elapsed;
      this.rateWindow.samples.set(status.id, status.samples);
    }
    this.rateWindow.at = now;
  }

  get degraded(): boolean {
    return [...this.status.values()].some((s) => s.state === 'failed');
  }
}
