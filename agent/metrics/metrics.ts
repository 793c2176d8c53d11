// Prometheus metrics (the one module that imports prom-client): everything is read from the agent at scrape time.
//
// Nothing in the step loop touches prom-client. Counters mirror totals the runtime already keeps (set at each
// scrape), gauges read the current status, and the latency histogram is fed at scrape time with the measurements
// recorded since the previous scrape. Each agent has its own registry, so several agents can share a process (tests).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentOperations, LearningReport } from '../operations.ts';
import type { HealthReading } from './system-health.ts';

export interface AgentMetrics {
  readonly contentType: string;
  render(): Promise<string>;
}

/** Sets a counter to a total the runtime keeps (prom-client counters only go up; a swapped brain restarts its totals). */
function mirror(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(value);
}

export function createAgentMetrics(ops: AgentOperations): AgentMetrics {
  const registry = new Registry();
  // Node's own metrics as hasn_process_* / hasn_nodejs_* (CPU, resident memory, event-loop lag, GC).
  collectDefaultMetrics({ register: registry, prefix: 'hasn_' });
  const registers = [registry];
  let status = ops.status();
  let learning: LearningReport | null = null;

  // Read the status once per scrape: the first collector refreshes it for all others.
  new Gauge({
    name: 'hasn_agent_info', help: 'Constant 1, labelled with what this agent runs', registers,
    labelNames: ['device', 'version', 'backend_requested', 'backend_active', 'engine', 'brain', 'simulation'],
    collect() {
      status = ops.status();
      // Summaries only: the curve's points are Prometheus' own time series of the success ratio.
      learning = status.brain === null ? null : ops.learning({ from: Number.MAX_SAFE_INTEGER });
      this.reset();
      this.set({
        device: status.device.id, version: status.version, backend_requested: status.backend.requested, backend_active: status.backend.active,
        engine: status.backend.engine ?? 'none', brain: status.brain?.name ?? 'none', simulation: String(status.simulation),
      }, 1);
    },
  });
  new Gauge({
    name: 'hasn_agent_state', help: '1 for the current agent state', registers, labelNames: ['state'],
    collect() {
      this.reset();
      for (const state of ['starting', 'running', 'degraded', 'idle', 'stopping', 'stopped']) this.set({ state }, state === status.state ? 1 : 0);
    },
  });
  new Gauge({ name: 'hasn_uptime_seconds', help: 'Seconds since the agent started', registers, collect() { this.set(status.uptime_s); } });
  new Gauge({ name: 'hasn_engine_steps_per_second', help: 'Engine steps per wall-clock second (last second)', registers, collect() { this.set(status.rates.steps_per_second); } });
  new Gauge({ name: 'hasn_engine_realtime_factor', help: 'Simulated time per wall time (1 = real time)', registers, collect() { this.set(status.rates.realtime_factor); } });
  new Gauge({ name: 'hasn_engine_load_ratio', help: 'Share of wall time spent stepping the engine', registers, collect() { this.set(status.rates.engine_load); } });
  new Gauge({ name: 'hasn_engine_step', help: 'The next step the brain runs', registers, collect() { this.set(status.brain?.step ?? 0); } });
  new Counter({ name: 'hasn_engine_steps_total', help: 'Engine steps run by this process', registers, collect() { mirror(this, status.loop.steps_run); } });
  new Counter({ name: 'hasn_engine_steps_skipped_total', help: 'Steps skipped after stalls (catch-up limit)', registers, collect() { mirror(this, status.loop.steps_skipped); } });
  new Counter({ name: 'hasn_engine_step_errors_total', help: 'Loop ticks whose steps failed', registers, collect() { mirror(this, status.loop.step_errors); } });
  new Gauge({
    name: 'hasn_population_spike_rate_hz', help: 'Mean firing rate per neuron of each population (simulated time, last second)', registers, labelNames: ['population', 'module'],
    collect() {
      this.reset();
      for (const p of status.populations) this.set({ population: p.id, module: p.module ?? '' }, p.rate_hz);
    },
  });
  new Counter({
    name: 'hasn_population_spikes_total', help: 'Spikes of each population since the brain started in this process', registers, labelNames: ['population'],
    collect() {
      this.reset();
      for (const p of status.populations) this.inc({ population: p.id }, p.spikes_total);
    },
  });
  new Counter({
    name: 'hasn_sensor_samples_total', help: 'Samples read from each sensor', registers, labelNames: ['sensor'],
    collect() {
      this.reset();
      for (const s of status.sensors) this.inc({ sensor: s.id }, s.samples);
    },
  });
  new Gauge({
    name: 'hasn_sensor_sample_rate_hz', help: 'Samples per second from each sensor (last measured second)', registers, labelNames: ['sensor'],
    collect() {
      this.reset();
      for (const s of status.sensors) this.set({ sensor: s.id }, s.sample_rate_hz);
    },
  });
  new Counter({
    name: 'hasn_sensor_errors_total', help: 'Failed reads and refused values per sensor', registers, labelNames: ['sensor'],
    collect() {
      this.reset();
      for (const s of status.sensors) this.inc({ sensor: s.id }, s.errors);
    },
  });
  new Gauge({
    name: 'hasn_sensor_up', help: '1 while the sensor runs, 0 when it failed', registers, labelNames: ['sensor'],
    collect() {
      this.reset();
      for (const s of status.sensors) this.set({ sensor: s.id }, s.state === 'running' ? 1 : 0);
    },
  });
  // Fed at scrape time with the measurements since the previous scrape; a new brain restarts the cursors.
  const cursors = { to_step: 0, to_spike: 0 };
  let brainKey = '';
  const latencyHistogram = (kind: 'to_step' | 'to_spike', name: string, help: string) =>
    new Histogram({
      name, help, registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 1],
      collect() {
        const key = `${status.brain?.spec_hash ?? ''}/${status.brain?.restored_from?.snapshot ?? ''}/${status.started_at}`;
        if (key !== brainKey) {
          brainKey = key;
          cursors.to_step = 0;
          cursors.to_spike = 0;
        }
        const { values, next } = ops.latencySince(kind, cursors[kind]);
        cursors[kind] = next;
        for (const ms of values) this.observe(ms / 1000);
      },
    });
  latencyHistogram('to_step', 'hasn_sensor_to_step_latency_seconds', 'From a sensor value reaching an input to the end of the engine step that encoded it');
  latencyHistogram('to_spike', 'hasn_sensor_to_spike_latency_seconds', 'From a sensor value reaching an input to the end of the step carrying its first input spike');
  new Gauge({
    name: 'hasn_reward_level', help: 'Current reward level of each reward_stdp projection', registers, labelNames: ['projection'],
    collect() {
      this.reset();
      for (const [projection, level] of Object.entries(status.brain?.reward ?? {})) this.set({ projection }, level);
    },
  });
  const ruleLabels = (r: LearningReport['rules'][number]) => ({ rule: String(r.rule), output: r.output });
  new Gauge({
    name: 'hasn_learning_success_ratio', help: 'Share of the last curve_window evaluations of each reward rule whose decision was the expected one (undecided counts as not)', registers, labelNames: ['rule', 'output'],
    collect() {
      this.reset();
      for (const r of learning?.rules ?? []) if (r.recent.success_rate !== null) this.set(ruleLabels(r), r.recent.success_rate);
    },
  });
  new Gauge({
    name: 'hasn_learning_decided_ratio', help: 'Share of the last curve_window evaluations of each reward rule in which the output decided', registers, labelNames: ['rule', 'output'],
    collect() {
      this.reset();
      for (const r of learning?.rules ?? []) if (r.recent.decided_rate !== null) this.set(ruleLabels(r), r.recent.decided_rate);
    },
  });
  new Counter({
    name: 'hasn_learning_evaluations_total', help: 'Reward rule evaluations of the running brain by outcome (continues across snapshot restores)', registers, labelNames: ['rule', 'output', 'outcome'],
    collect() {
      this.reset();
      for (const r of learning?.rules ?? []) {
        for (const outcome of ['correct', 'wrong', 'undecided'] as const) this.inc({ ...ruleLabels(r), outcome }, r.totals[outcome]);
      }
    },
  });
  new Counter({
    name: 'hasn_reward_events_total', help: 'Rewards given to the running brain in this process, by origin (rule, api, fleet)', registers, labelNames: ['via'],
    collect() {
      this.reset();
      for (const [via, tally] of Object.entries(learning?.rewards ?? {})) this.inc({ via }, tally.events);
    },
  });
  new Gauge({
    name: 'hasn_reward_sum', help: 'Sum of the rewards given to the running brain in this process, by origin (punishment counts negative)', registers, labelNames: ['via'],
    collect() {
      this.reset();
      for (const [via, tally] of Object.entries(learning?.rewards ?? {})) this.set({ via }, tally.sum);
    },
  });
  new Gauge({
    name: 'hasn_plastic_weight_mean', help: 'Mean weight of each plastic projection', registers, labelNames: ['projection'],
    collect() {
      this.reset();
      for (const p of learning?.projections ?? []) this.set({ projection: p.id }, p.weight.mean);
    },
  });
  new Gauge({
    name: 'hasn_plastic_weight_sd', help: 'Standard deviation of the weights of each plastic projection (grows as synapses specialise)', registers, labelNames: ['projection'],
    collect() {
      this.reset();
      for (const p of learning?.projections ?? []) this.set({ projection: p.id }, p.weight.sd);
    },
  });
  new Gauge({ name: 'hasn_snapshot_age_seconds', help: 'Seconds since the newest stored snapshot (absent before the first)', registers, collect() {
    this.reset();
    if (status.snapshots.last_age_s !== null) this.set(status.snapshots.last_age_s);
  } });
  new Gauge({ name: 'hasn_snapshots_stored', help: 'Snapshots kept in the store', registers, collect() { this.set(status.snapshots.count); } });
  new Gauge({ name: 'hasn_outbox_depth', help: 'Messages waiting in the durable MQTT outbox', registers, collect() { this.set(ops.outboxDepth()); } });
  const health = (name: string, help: string, read: (h: HealthReading) => number | null) =>
    new Gauge({ name, help, registers, collect() {
      this.reset();
      const value = read(status.health);
      if (value !== null) this.set(value);
    } });
  health('hasn_cpu_temperature_celsius', 'CPU temperature (absent where the machine has no sensor)', (h) => h.cpu_temperature_c);
  health('hasn_cpu_load_ratio', 'Whole-machine CPU load, 0–1', (h) => h.cpu_load);
  health('hasn_load_average_1m', '1-minute load average', (h) => h.load_average_1m);
  health('hasn_memory_used_bytes', 'Memory in use by processes', (h) => h.memory_used_bytes);
  health('hasn_memory_total_bytes', 'Installed memory', (h) => h.memory_total_bytes);

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
