// The running core: the paced loop around the current brain, sensor values into its inputs, outputs and reward out.
//
// Everything here runs on the main thread between ticks, so swapping the brain (snapshot restore, deploy),
// setting an input or adding reward never races a step.
import type { DecodedOutput } from '../../core/codec/decoders.ts';
import type { IoClock } from '../../drivers/io/types.ts';
import type { Brain } from '../brain/brain.ts';
import type { PopulationRate } from '../brain/population-activity.ts';
import type { EngineConfig, RewardRule, Sensor } from '../config/schema.ts';
import { sensorChannel } from '../config/schema.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { LearningCurves } from './learning-curve.ts';
import { RewardRules } from './reward-rules.ts';
import { StepLoop, type TickReport } from './step-loop.ts';

export interface RuntimeOptions {
  engine: EngineConfig;
  rewardRules: readonly RewardRule[];
  clock: IoClock;
  events: EventBus;
  log: Logger;
  /** Called after every tick that made progress (steps run, or a tick without a brain): the watchdog's heartbeat. */
  onProgress(now: number): void;
}

export interface RuntimeRates {
  steps_per_second: number;
  /** Simulated time per wall time over the last measuring interval (1 = real time). */
  realtime_factor: number;
  /** Share of wall time spent stepping the engine. */
  engine_load: number;
}

const RATE_INTERVAL_MS = 1000;

/** Where reward came from: a configured rule, the HTTP API, or a fleet command. */
export type RewardVia = 'rule' | 'api' | 'fleet';

/** Reward received by the running brain in this process, per origin. */
export type RewardTally = Record<RewardVia, { events: number; sum: number }>;

/** The snapshot section holding the learning curves (they continue when the brain is restored). */
export const LEARNING_SECTION = 'agent.learning';

export class AgentRuntime {
  private current: Brain | null = null;
  private readonly loop: StepLoop;
  private outputs: Record<string, DecodedOutput> = {};
  private readonly lastOutputValue = new Map<string, number | null>();
  private readonly sensorValues = new Map<string, number>();
  private rewardRules: RewardRules;
  /** Learning curves of the reward rules in force; they belong to the running brain (saved in its snapshots). */
  readonly learning = new LearningCurves();
  private rewards: RewardTally = emptyTally();
  /** Problems met restoring the learning curves of the last brain (they started fresh). */
  learningWarning: string | null = null;
  private lastOutputAt = 0;
  private meterAt = 0;
  private meterSteps = 0;
  private meterBusy = 0;
  private rates: RuntimeRates = { steps_per_second: 0, realtime_factor: 0, engine_load: 0 };
  private errorLogged = false;
  /** Ticks whose steps threw, and the last message (status shows them; the loop keeps going). */
  stepErrors = 0;
  lastStepError: string | null = null;

  constructor(private readonly options: RuntimeOptions) {
    this.rewardRules = new RewardRules(options.rewardRules, options.clock.now());
    this.learning.setRules(options.rewardRules);
    this.loop = new StepLoop(options.clock, options.engine, 1, {
      runSteps: (steps) => {
        this.current?.runSteps(steps);
        this.errorLogged = false;
      },
      afterTick: (report) => this.afterTick(report),
      onError: (err) => this.onLoopError(err),
    });
  }

  get brain(): Brain | null {
    return this.current;
  }

  get counters(): StepLoop['counters'] {
    return this.loop.counters;
  }

  get running(): boolean {
    return this.loop.running;
  }

  /** Replaces the brain between ticks; the pace restarts so the new brain does not try to catch up. */
  setBrain(brain: Brain | null): Brain | null {
    const previous = this.current;
    this.current = brain;
    this.loop.setDt(brain?.spec.dt_ms ?? 1);
    this.outputs = {};
    this.lastOutputValue.clear();
    this.meterSteps = this.loop.counters.stepsRun;
    this.rewards = emptyTally();
    this.learningWarning = this.learning.reset(brain?.restoredSection(LEARNING_SECTION));
    if (this.learningWarning !== null) this.options.log.warn(this.learningWarning);
    if (brain !== null) {
      brain.addSnapshotSection(LEARNING_SECTION, () => this.learning.encode());
      // The sensors' latest readings carry over into the new brain's encoders.
      for (const input of brain.inputs) {
        const value = this.sensorValues.get(input.channel);
        if (value !== undefined) input.setValue(value, this.options.clock.now());
      }
    }
    return previous;
  }

  /** Replaces the reward rules (a new config or brain); their pacing starts afresh. */
  setRewardRules(rules: readonly RewardRule[]): void {
    this.rewardRules = new RewardRules(rules, this.options.clock.now());
    this.learning.setRules(rules);
  }

  start(): void {
    const now = this.options.clock.now();
    this.meterAt = now;
    this.lastOutputAt = now;
    this.loop.start();
  }

  /** Stops between two ticks: the engine is at a step boundary when this returns. */
  stop(): void {
    this.loop.stop();
  }

  /** A calibrated sensor sample: sets every input fed by its channel (throws E_CODEC_VALUE if an input refuses it). */
  onSample(sensor: Sensor, value: number, at: number): void {
    const channel = sensorChannel(sensor);
    this.sensorValues.set(sensor.id, value);
    this.sensorValues.set(channel, value);
    for (const input of this.current?.inputsForChannel(channel) ?? []) input.setValue(value, at);
  }

  sensorValue(id: string): number | null {
    return this.sensorValues.get(id) ?? null;
  }

  /** Adds reward to the brain and announces it; returns the projections reached. */
  reward(amount: number, source: string, projection?: string, via: RewardVia = 'api'): string[] {
    const brain = this.current;
    if (brain === null) return [];
    const projections = brain.addReward(amount, projection);
    const tally = this.rewards[via];
    tally.events++;
    tally.sum += amount;
    this.options.events.emit('reward', { amount, source, via, projections, step: brain.step });
    return projections;
  }

  /** Reward the running brain received in this process, per origin. */
  rewardTally(): RewardTally {
    return { rule: { ...this.rewards.rule }, api: { ...this.rewards.api }, fleet: { ...this.rewards.fleet } };
  }

  /** The decoded outputs as last read (every output_interval_ms). */
  lastOutputs(): Readonly<Record<string, DecodedOutput>> {
    return this.outputs;
  }

  rateSnapshot(): RuntimeRates {
    return { ...this.rates };
  }

  populationRates(): PopulationRate[] {
    return this.current?.activity.snapshot() ?? [];
  }

  private afterTick(report: TickReport): void {
    const brain = this.current;
    const now = report.now;
    if (brain !== null && now - this.lastOutputAt >= this.options.engine.output_interval_ms) {
      this.lastOutputAt = now;
      this.readOutputs(brain);
      for (const evaluation of this.rewardRules.evaluate(now, this.outputs, (id) => this.sensorValue(id))) {
        const amount = this.learning.get(evaluation.rule)?.record(evaluation, brain.step, brain.spec.dt_ms) ?? evaluation.value;
        if (amount !== 0) this.reward(amount, `rule:${evaluation.rule}`, evaluation.projection, 'rule');
      }
    }
    if (now - this.meterAt >= RATE_INTERVAL_MS) this.measure(now, brain);
    if (brain === null || report.steps > 0) this.options.onProgress(now);
  }

  private readOutputs(brain: Brain): void {
    this.outputs = brain.readOutputs();
    for (const output of brain.outputs) {
      const decoded = this.outputs[output.id]!;
      const value = decoded.value;
      if (this.lastOutputValue.has(output.id) && this.lastOutputValue.get(output.id) === value) continue;
      this.lastOutputValue.set(output.id, value);
      this.options.events.emit('output', { id: output.id, sink: output.sink, value, decoded, step: brain.step });
    }
  }

  private measure(now: number, brain: Brain | null): void {
    const elapsed = now - this.meterAt;
    const steps = this.loop.counters.stepsRun - this.meterSteps;
    const busy = this.loop.counters.busyMs - this.meterBusy;
    const dt = brain?.spec.dt_ms ?? 0;
    this.rates = {
      steps_per_second: (steps * 1000) / elapsed,
      realtime_factor: (steps * dt) / elapsed,
      engine_load: busy / elapsed,
    };
    brain?.activity.sample(brain.step);
    this.meterAt = now;
    this.meterSteps = this.loop.counters.stepsRun;
    this.meterBusy = this.loop.counters.busyMs;
  }

  private onLoopError(err: unknown): void {
    this.stepErrors++;
    this.lastStepError = (err as Error).message;
    // Logged once per run of failures; a brain that throws every tick must not flood the journal.
    if (!this.errorLogged) this.options.log.error({ err }, `engine step failed: ${(err as Error).message}`);
    this.errorLogged = true;
  }
}

function emptyTally(): RewardTally {
  return { rule: { events: 0, sum: 0 }, api: { events: 0, sum: 0 }, fleet: { events: 0, sum: 0 } };
}
