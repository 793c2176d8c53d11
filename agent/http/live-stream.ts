// The dashboard's live feed as Server-Sent Events: spikes every 100 ms, status every second, one serialisation for all clients.
//
// Events: `hello` (brain layout: populations with their global offsets; sent on connect and when the brain is
// swapped), `spikes` ({from_step, to_step, t: step offsets from from_step, n: global neurons, missed}), `status`,
// `learning` (the reward rules' learning curves: all points on connect and after a brain swap, `reset: true`;
// then with each status only the new points, numbered by `n`, with the rules' summaries and plastic weights).
// A client whose socket buffer is full gets no spikes until it drains (it sees `missed` grow instead), so one slow
// browser never holds memory on the device.
import { HasnError } from '../../core/errors.ts';
import type { AgentOperations, LearningReport, SpikeWindow } from '../operations.ts';

export interface StreamClient {
  /** Writes SSE text; returns false when the socket buffer is full. */
  write(chunk: string): boolean;
  /** True when the socket can take more now. */
  ready(): boolean;
  end(): void;
}

export interface LiveStreamOptions {
  spikeIntervalMs?: number;
  statusIntervalMs?: number;
  /** Most spikes in one event; a bigger backlog is skipped and counted as missed. */
  maxSpikesPerEvent?: number;
  maxClients?: number;
  /** Where a failing publish is reported (once per run of failures). */
  onError?: (error: unknown) => void;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class LiveStream {
  private readonly clients = new Set<StreamClient>();
  private spikeTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private cursor: number | null = null;
  private missed = 0;
  private failing = false;
  /** Per reward rule, the next curve point number to broadcast (the ones before it went out already). */
  private readonly learningNext = new Map<number, number>();
  private readonly options: Required<LiveStreamOptions>;

  constructor(private readonly ops: AgentOperations, options: LiveStreamOptions = {}) {
    this.options = { spikeIntervalMs: 100, statusIntervalMs: 1000, maxSpikesPerEvent: 20_000, maxClients: 16, onError: () => undefined, ...options };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a client (sends it `hello` and the current status); returns its removal. Throws E_API_TOO_MANY_STREAMS. */
  add(client: StreamClient): () => void {
    if (this.clients.size >= this.options.maxClients) {
      throw new HasnError('E_API_TOO_MANY_STREAMS', `at most ${this.options.maxClients} live streams at once; close a dashboard tab`);
    }
    this.clients.add(client);
    // The first client restarts the broadcast: what it gets in full counts as sent; a later one must not mark the
    // points the others have not had yet.
    const learning = this.learningPayload(true, this.spikeTimer === undefined);
    client.write(`retry: 2000\n\n${sse('hello', this.hello())}${sse('status', this.statusPayload())}${learning === null ? '' : sse('learning', learning)}`);
    if (this.spikeTimer === undefined) {
      // Follow the raster from now: spikes recorded from this moment on reach the first publish.
      this.cursor = null;
      this.guarded(() => {
        try {
          this.cursor = this.ops.spikes({ limit: 0 }).end;
        } catch (err) {
          if (!(err instanceof HasnError && err.code === 'E_NO_BRAIN')) throw err;
        }
      });
      this.spikeTimer = setInterval(() => this.guarded(() => this.publishSpikes()), this.options.spikeIntervalMs);
      this.statusTimer = setInterval(() => this.guarded(() => this.publishStatus()), this.options.statusIntervalMs);
    }
    return () => this.remove(client);
  }

  private remove(client: StreamClient): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stopTimers();
  }

  private stopTimers(): void {
    clearInterval(this.spikeTimer);
    clearInterval(this.statusTimer);
    this.spikeTimer = undefined;
    this.statusTimer = undefined;
  }

  /** Ends every stream (HTTP shutdown). */
  close(): void {
    this.stopTimers();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  /** A timer callback that throws must not crash the daemon: the event is skipped and the error reported once. */
  private guarded(publish: () => void): void {
    try {
      publish();
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.onError(err);
      this.failing = true;
    }
  }

  private hello(): unknown {
    const status = this.ops.status();
    if (status.brain === null) return { device: status.device, brain: null };
    let offset = 0;
    const populations = this.ops.spec().populations.map((p) => {
      const entry = { id: p.id, size: p.size, offset, module: p.module ?? null, model: p.model.type };
      offset += p.size;
      return entry;
    });
    return { device: status.device, brain: { name: status.brain.name, dt_ms: status.brain.dt_ms, neurons: status.brain.neurons, step: status.brain.step, populations } };
  }

  private statusPayload(): unknown {
    const status = this.ops.status();
    let outputs: unknown[] = [];
    if (status.brain !== null) outputs = this.ops.outputs().map((o) => ({ id: o.id, sink: o.sink, value: o.decoded?.value ?? null }));
    return {
      state: status.state,
      reasons: status.reasons,
      backend: status.backend,
      brain: status.brain === null ? null : { name: status.brain.name, step: status.brain.step, sim_time_s: status.brain.sim_time_s, reward: status.brain.reward },
      rates: status.rates,
      populations: status.populations.map((p) => ({ id: p.id, rate_hz: p.rate_hz })),
      sensors: status.sensors.map((s) => ({ id: s.id, channel: s.channel, value: s.value, samples: s.samples, errors: s.errors, state: s.state })),
      actuators: status.actuators.map((a) => ({ id: a.id, value: a.value, state: a.state })),
      outputs,
      latency_ms: status.latency_ms,
      snapshots: status.snapshots,
      uptime_s: status.uptime_s,
    };
  }

  private publishStatus(): void {
    this.broadcast(sse('status', this.statusPayload()), false);
    const learning = this.learningPayload(false, true);
    if (learning !== null) this.broadcast(sse('learning', learning), false);
  }

  /**
   * The learning event: all curve points (reset) or those after the last broadcast, per rule; null when no brain
   * runs. With `mark`, the points it returns count as broadcast.
   */
  private learningPayload(reset: boolean, mark: boolean): unknown {
    let report: LearningReport;
    try {
      const pending = reset ? [0] : [...this.learningNext.values()];
      report = this.ops.learning({ from: pending.length === 0 ? 0 : Math.min(...pending) });
    } catch (err) {
      if (err instanceof HasnError && err.code === 'E_NO_BRAIN') return null;
      throw err;
    }
    const next = new Map(reset ? [] : this.learningNext);
    const rules = report.rules.map(({ curve, ...summary }) => {
      const points = curve.filter((p) => p.n >= (next.get(summary.rule) ?? 0));
      next.set(summary.rule, (points.at(-1)?.n ?? (next.get(summary.rule) ?? 0) - 1) + 1);
      return { ...summary, points };
    });
    if (mark) {
      this.learningNext.clear();
      for (const [rule, n] of next) this.learningNext.set(rule, n);
    }
    return {
      reset,
      step: report.step,
      sim_time_s: report.sim_time_s,
      rules,
      rewards: report.rewards,
      projections: report.projections.map((p) => ({ id: p.id, reward_level: p.reward_level, weight: p.weight, by_target: p.by_target })),
    };
  }

  private publishSpikes(): void {
    const max = this.options.maxSpikesPerEvent;
    let window: SpikeWindow;
    try {
      if (this.cursor === null) this.cursor = this.ops.spikes({ limit: 0 }).end;
      window = this.ops.spikes({ cursor: this.cursor, limit: max });
    } catch (err) {
      if (err instanceof HasnError && err.code === 'E_NO_BRAIN') return; // idle: nothing to stream
      throw err;
    }
    if (window.next < this.cursor) {
      // A new brain (restore): its raster starts again; clients redraw from its layout and take its curves anew.
      this.broadcast(sse('hello', this.hello()), false);
      const learning = this.learningPayload(true, true);
      if (learning !== null) this.broadcast(sse('learning', learning), false);
      this.cursor = window.end;
      return;
    }
    if (window.end - window.next > 0) {
      // Backlog beyond one event: skip to the newest `max` spikes instead of falling further behind.
      const skipTo = window.end - max;
      this.missed += skipTo - this.cursor;
      window = this.ops.spikes({ cursor: skipTo, limit: max });
    }
    this.missed += window.missed;
    this.cursor = window.next;
    const from = window.steps.length > 0 ? window.steps[0]! : window.step;
    const payload = { from_step: from, to_step: window.step, t: window.steps.map((s) => s - from), n: window.neurons, missed: this.missed, dt_ms: window.dt_ms };
    this.broadcast(sse('spikes', payload), true);
  }

  private broadcast(text: string, droppable: boolean): void {
    for (const client of this.clients) {
      if (droppable && !client.ready()) continue;
      client.write(text);
    }
  }
}
