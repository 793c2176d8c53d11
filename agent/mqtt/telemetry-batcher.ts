// Telemetry: samples the agent's metrics at a fixed interval and enqueues them in batches (one seq per batch).
import type { TelemetryRecord } from '../contract/messages.ts';
import type { Logger } from '../log.ts';
import type { DeviceSender } from './device-sender.ts';

const METRIC_NAME = /^[a-z][a-z0-9_.]{0,63}$/;
const MAX_METRICS = 128;

export interface TelemetryOptions {
  /** How often the agent's metrics are sampled; 0 turns telemetry off. */
  sampleMs: number;
  /** Samples per telemetry message. */
  batchSize: number;
}

export const DEFAULT_TELEMETRY: TelemetryOptions = { sampleMs: 1000, batchSize: 10 };

export class TelemetryBatcher {
  private batch: TelemetryRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private warnedNames = false;

  constructor(
    private readonly options: TelemetryOptions,
    private readonly sample: () => Record<string, number>,
    private readonly sender: DeviceSender,
    private readonly now: () => number,
    private readonly log: Logger,
    /** Called after each sample (the link checks the agent's health on the same beat). */
    private readonly onTick: () => void,
  ) {}

  start(): void {
    if (this.options.sampleMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.options.sampleMs);
  }

  /** Stops sampling and enqueues what is batched. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** Enqueues the samples batched so far (if any). */
  flush(): void {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    this.sender.telemetry(records);
  }

  private tick(): void {
    try {
      this.batch.push({ t: this.now(), metrics: this.clean(this.sample()) });
      if (this.batch.length >= this.options.batchSize) this.flush();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'telemetry sample failed');
    }
    this.onTick();
  }

  /** Keeps what the contract can carry: finite numbers under valid names, at most 128. */
  private clean(metrics: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    let count = 0;
    let dropped = 0;
    for (const [name, value] of Object.entries(metrics)) {
      if (!METRIC_NAME.test(name) || typeof value !== 'number' || !Number.isFinite(value) || count >= MAX_METRICS) {
        dropped += 1;
        continue;
      }
      out[name] = value;
      count += 1;
    }
    if (dropped > 0 && !this.warnedNames) {
      this.warnedNames = true;
      this.log.warn({ dropped }, 'telemetry metrics left out: names must match [a-z][a-z0-9_.]*, values finite, at most 128');
    }
    return out;
  }
}
