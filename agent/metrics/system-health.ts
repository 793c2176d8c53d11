// Device health from systeminformation (the one module that imports it): CPU temperature, load and memory, sampled in the background.
//
// Some readings take half a second (CPU load is measured over an interval), so they are refreshed on a timer
// and served from the last sample; a scrape never waits on them. Readings the machine does not have (no thermal
// zone in a container) stay null rather than a made-up 0.
import si from 'systeminformation';

export interface HealthReading {
  cpu_temperature_c: number | null;
  /** Whole-machine CPU load, 0–1. */
  cpu_load: number | null;
  /** 1-minute load average. */
  load_average_1m: number | null;
  memory_total_bytes: number | null;
  /** Memory in use by processes (excluding caches). */
  memory_used_bytes: number | null;
  /** When the sample was taken (ms since the epoch); null before the first. */
  sampled_at: number | null;
}

const EMPTY: HealthReading = { cpu_temperature_c: null, cpu_load: null, load_average_1m: null, memory_total_bytes: null, memory_used_bytes: null, sampled_at: null };

function finiteOrNull(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export class SystemHealth {
  private reading: HealthReading = { ...EMPTY };
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(private readonly intervalMs = 10_000) {}

  get latest(): HealthReading {
    return { ...this.reading };
  }

  start(): void {
    if (this.timer !== undefined) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
  }

  /** Takes one sample now (a sample already in progress is awaited instead). */
  sample(): Promise<void> {
    this.sampling ??= this.read().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  private async read(): Promise<void> {
    const [temperature, load, memory] = await Promise.allSettled([si.cpuTemperature(), si.currentLoad(), si.mem()]);
    const temp = temperature.status === 'fulfilled' ? finiteOrNull(temperature.value.main) : null;
    this.reading = {
      // systeminformation reports -1 or null when there is no sensor.
      cpu_temperature_c: temp !== null && temp > -1 ? temp : null,
      cpu_load: load.status === 'fulfilled' ? (finiteOrNull(load.value.currentLoad) ?? NaN) / 100 : null,
      load_average_1m: load.status === 'fulfilled' ? finiteOrNull(load.value.avgLoad) : null,
      memory_total_bytes: memory.status === 'fulfilled' ? finiteOrNull(memory.value.total) : null,
      memory_used_bytes: memory.status === 'fulfilled' ? finiteOrNull(memory.value.active) : null,
      sampled_at: Date.now(),
    };
    if (Number.isNaN(this.reading.cpu_load)) this.reading.cpu_load = null;
  }
}
