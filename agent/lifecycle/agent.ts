// The agent daemon: wires store, brain, I/O, extensions and HTTP in the documented order, and shuts down gracefully.
//
// Start:  data-dir lock → store → brain (backend, restore the newest valid snapshot) → actuators (safe state) →
//         sensors → extensions (MQTT) → HTTP → engine loop; READY=1 once the first tick ran (the core runs).
// Stop:   STOPPING=1 → stop inputs (sensors) → stop the loop (it is between steps when stop returns) →
//         shutdown snapshot → extensions in reverse (flush outbox, publish offline) → HTTP → actuators to their
//         safe state → close the brain and the store → release the lock.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HasnError } from '../../core/errors.ts';
import { specHash } from '../../core/spec/hash.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import type { IoClock } from '../../drivers/io/types.ts';
import { chooseBackend, type BackendChoice } from '../brain/backend-choice.ts';
import { Brain } from '../brain/brain.ts';
import type { LatencyRecorder } from '../brain/latency-recorder.ts';
import { loadBrainSpec, loadDeployedBrain, storedBrainFile, type BrainSource } from '../brain/brain-source.ts';
import type { AgentConfig, Sensor } from '../config/schema.ts';
import { effectiveIo } from '../config/simulation.ts';
import { configSelfIssues, configSpecIssues } from '../config/spec-check.ts';
import { EventBus, type AgentState } from '../events.ts';
import type { AgentContext, AgentExtension } from '../extensions.ts';
import { startHttpServer, type HttpServer } from '../http/server.ts';
import type { IoAdapters } from '../io/adapters.ts';
import { ActuatorBank } from '../io/actuator-bank.ts';
import { SensorHub } from '../io/sensor-hub.ts';
import { SerialLinkPool } from '../io/serial-pool.ts';
import type { Logger } from '../log.ts';
import { SystemHealth } from '../metrics/system-health.ts';
import { plasticSummaries, projectionWeights, type ProjectionWeights } from '../brain/plastic-weights.ts';
import type { AgentOperations, InputValue, LearningReport, OutputValue, SpikeWindow } from '../operations.ts';
import { AgentRuntime, type RewardVia } from '../runtime/runtime.ts';
import { SnapshotService } from '../runtime/snapshot-service.ts';
import type { AgentStatus } from '../status.ts';
import { openStore, type SnapshotInfo, type Store } from '../store/index.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { SystemdNotifier } from './systemd-notify.ts';
import { WatchdogFeeder } from './watchdog.ts';

export interface AgentOptions {
  config: AgentConfig;
  log: Logger;
  adapters: IoAdapters;
  notifier: SystemdNotifier;
  extensions?: AgentExtension[];
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export class Agent implements AgentOperations {
  readonly events: EventBus;
  readonly bootId = randomUUID();
  private state: AgentState = 'starting';
  private readonly startedAt = new Date();
  private config: AgentConfig;
  private readonly log: Logger;
  private readonly clock: IoClock;
  private readonly watchdog: WatchdogFeeder;
  private readonly systemHealth = new SystemHealth();
  private readonly extensions: AgentExtension[];
  private readonly startedExtensions: AgentExtension[] = [];
  private releaseLock: (() => void) | undefined;
  private store: Store | undefined;
  private runtimeInstance: AgentRuntime | undefined;
  private snapshotService: SnapshotService | undefined;
  private sensorHub: SensorHub | undefined;
  private actuatorBank: ActuatorBank | undefined;
  private serialPool: SerialLinkPool | undefined;
  private http: HttpServer | undefined;
  private brainSource: BrainSource | null = null;
  private backend: BackendChoice;
  private restoredFrom: { snapshot: number; step: number } | null = null;
  private readyNotified = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AgentOptions) {
    this.config = options.config;
    this.log = options.log;
    this.clock = options.adapters.clock;
    this.extensions = options.extensions ?? [];
    this.events = new EventBus((err, event) => this.log.error({ err, event }, `a listener of "${event}" threw`));
    this.watchdog = new WatchdogFeeder(options.notifier);
    this.backend = chooseBackend(this.config.backend);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /** Starts everything; on failure everything already started is stopped again and the error is rethrown. */
  async start(): Promise<void> {
    try {
      await this.startStages();
    } catch (err) {
      this.log.error({ err }, `agent failed to start: ${(err as Error).message}`);
      await this.shutdown('start failed', false);
      throw err;
    }
  }

  private async startStages(): Promise<void> {
    const config = this.config;
    this.log.info({ version: VERSION, bootId: this.bootId, dataDir: config.data_dir, simulation: config.simulation }, 'agent starting');
    // 1. store
    this.store = openStore(config.data_dir, { snapshotRetention: { keepLast: config.snapshots.keep_last, keepDailyForDays: config.snapshots.keep_daily_for_days } });
    this.releaseLock = lockDataDir(config.data_dir);
    this.recordConfig();
    // 2. backend and brain
    this.brainSource = this.startingBrain(config);
    const io = effectiveIo(config, this.brainSource?.spec ?? null);
    const issues = [...configSelfIssues(config), ...(this.brainSource === null ? [] : configSpecIssues(config, this.brainSource.spec, io))];
    if (issues.length > 0) {
      throw new HasnError('E_CONFIG_INVALID', `the config does not fit brain "${this.brainSource?.spec.name}" (${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${issues[0]!.path}: ${issues[0]!.message})`, { path: issues[0]!.path, issues });
    }
    if (this.backend.fallbackReason !== null) this.log.warn({ requested: this.backend.requested, active: this.backend.active }, this.backend.fallbackReason);
    const runtime = new AgentRuntime({
      engine: config.engine,
      rewardRules: this.brainSource === null ? [] : config.reward.rules,
      clock: this.clock,
      events: this.events,
      log: this.log.child({ component: 'runtime' }),
      onProgress: (now) => this.onProgress(now),
    });
    this.runtimeInstance = runtime;
    this.snapshotService = new SnapshotService(this.store.snapshots, runtime, config.snapshots, this.clock, this.events, this.log.child({ component: 'snapshots' }));
    if (this.brainSource !== null) runtime.setBrain(await this.buildBrain(this.brainSource.spec, config.snapshots.restore_on_start));
    else this.log.warn({ storedBrain: config.brain.spec }, 'no brain: the config names no spec and none was deployed; running idle');
    // 3. I/O: actuators first (into their safe state), then the sensors that feed the brain
    this.serialPool = new SerialLinkPool(this.options.adapters);
    this.events.on('output', (event) => this.actuatorBank?.apply(event.sink, event.value));
    await this.openIo(io);
    // 4. extensions (the MQTT fleet link)
    const context = this.context();
    for (const extension of this.extensions) {
      await extension.start(context);
      this.startedExtensions.push(extension);
    }
    // 5. HTTP
    if (config.http.enabled) {
      this.http = await startHttpServer(this, config.http, this.log.child({ component: 'http' }));
      this.log.info({ url: this.http.url }, `HTTP API${config.http.dashboard ? ' and dashboard' : ''} on ${this.http.url}`);
    }
    // 6. the core
    this.systemHealth.start();
    runtime.start();
    this.snapshotService.startPeriodic();
    this.setState(this.brainSource === null ? 'idle' : 'running');
  }

  /**
   * The brain to start with: the one the fleet deployed last (it replaced the configured one, and what it learned is
   * in the snapshots) when it fits this config, else the config's `brain.spec` (or, with neither, none: idle).
   */
  private startingBrain(config: AgentConfig): BrainSource | null {
    if (config.brain.spec === undefined) return loadBrainSpec(config);
    let deployed: BrainSource | null;
    try {
      deployed = loadDeployedBrain(config.data_dir);
    } catch (err) {
      this.log.error({ err, file: storedBrainFile(config.data_dir) }, `the deployed brain is unusable (${(err as Error).message}); running brain.spec ${config.brain.spec}`);
      return loadBrainSpec(config);
    }
    if (deployed === null) return loadBrainSpec(config);
    const issues = configSpecIssues(config, deployed.spec, effectiveIo(config, deployed.spec));
    if (issues.length > 0) {
      this.log.error({ file: deployed.file, issues }, `the deployed brain "${deployed.spec.name}" does not fit this config (${issues[0]!.path}: ${issues[0]!.message}); running brain.spec ${config.brain.spec}`);
      return loadBrainSpec(config);
    }
    this.log.info({ file: deployed.file, configured: config.brain.spec }, `running the brain the fleet deployed ("${deployed.spec.name}") instead of brain.spec; a fleet rollback or a config with another brain.spec returns to a configured one`);
    return deployed;
  }

  /** Opens the actuators (into their safe state), then the sensors that feed the brain. */
  private async openIo(io: { sensors: Sensor[]; actuators: ReturnType<typeof effectiveIo>['actuators'] }): Promise<void> {
    const runtime = this.runtime;
    this.actuatorBank = new ActuatorBank(io.actuators, this.options.adapters, this.serialPool!, this.events, this.log.child({ component: 'actuators' }));
    await this.actuatorBank.start();
    this.sensorHub = new SensorHub(io.sensors, this.options.adapters, this.serialPool!, this.log.child({ component: 'sensors' }), (sensor: Sensor, value, at) => runtime.onSample(sensor, value, at));
    await this.sensorHub.start();
  }

  /** Builds the brain, resuming from the newest snapshot of this spec that restores; none that does means a fresh start. */
  private async buildBrain(spec: NetworkSpec, restore: boolean): Promise<Brain> {
    const workers = this.config.engine.workers;
    const now = () => this.clock.now();
    if (restore) {
      for (const snapshot of this.snapshotService!.candidatesFor(specHash(spec))) {
        try {
          const brain = await Brain.create(spec, { workers, now, snapshot: snapshot.bytes });
          this.restoredFrom = { snapshot: snapshot.id, step: brain.startStep };
          for (const warning of brain.restoreWarnings) this.log.warn(warning);
          this.log.info({ snapshot: snapshot.id, step: brain.startStep }, `brain "${spec.name}" resumed from snapshot ${snapshot.id} at step ${brain.startStep}`);
          return brain;
        } catch (err) {
          this.log.error({ err, snapshot: snapshot.id }, `snapshot ${snapshot.id} could not be restored (${(err as Error).message}); trying an older one`);
        }
      }
    }
    const brain = await Brain.create(spec, { workers, now });
    this.log.info({ engine: brain.engine.kind, neurons: brain.net.neuronCount, synapses: brain.net.synapseCount, dt_ms: spec.dt_ms }, `brain "${spec.name}" compiled${restore ? ' (no snapshot to resume from)' : ''}`);
    return brain;
  }

  private onProgress(now: number): void {
    if (!this.readyNotified && this.state !== 'starting') {
      this.readyNotified = true;
      const brain = this.runtimeInstance?.brain;
      void this.options.notifier.notify({ READY: '1', STATUS: brain ? `running brain ${brain.spec.name} at step ${brain.step}` : 'idle: no brain deployed' });
      this.log.info({ watchdog: this.watchdog.enabled }, 'agent ready');
    }
    // After READY: the notifier sends in call order, and systemd arms the watchdog with READY.
    this.watchdog.progress(now);
  }

  /** Graceful stop (SIGTERM); safe to call more than once (later calls wait for the first). */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= this.shutdown(reason, true);
    return this.stopping;
  }

  private async shutdown(reason: string, graceful: boolean): Promise<void> {
    this.setState('stopping', reason);
    await this.options.notifier.notify({ STOPPING: '1', STATUS: `stopping: ${reason}` });
    const step = async (name: string, action: () => unknown) => {
      try {
        await action();
      } catch (err) {
        this.log.error({ err, stage: name }, `shutdown: ${name} failed: ${(err as Error).message}`);
      }
    };
    await step('stop sensors', () => this.sensorHub?.stop());
    await step('stop engine loop', () => this.runtimeInstance?.stop());
    this.snapshotService?.stopPeriodic();
    if (graceful && this.config.snapshots.on_shutdown) await step('shutdown snapshot', () => this.snapshotService?.take('shutdown'));
    for (const extension of [...this.startedExtensions].reverse()) await step(`stop ${extension.name}`, () => extension.stop());
    this.startedExtensions.length = 0;
    await step('close HTTP', () => this.http?.close());
    await step('stop health sampling', () => this.systemHealth.stop());
    await step('stop actuators', () => this.actuatorBank?.stop());
    await step('close serial links', () => this.serialPool?.closeAll());
    await step('close brain', () => this.runtimeInstance?.setBrain(null)?.close());
    if (this.store !== undefined) {
      await step('audit', () => this.store!.audit.append({ actor: 'system', action: 'agent.stop', details: { reason, bootId: this.bootId } }));
      await step('close store', () => this.store!.close());
    }
    this.releaseLock?.();
    this.setState('stopped', reason);
    this.log.info({ reason }, 'agent stopped');
  }

  private setState(state: AgentState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.events.emit('state', reason === undefined ? { state } : { state, reason });
  }

  private recordConfig(): void {
    const store = this.store!;
    const json = JSON.stringify(this.config);
    const current = store.config.current();
    if (current?.json !== json) store.config.record({ config: this.config, source: 'file', status: 'applied' });
    store.audit.append({ actor: 'system', action: 'agent.start', details: { bootId: this.bootId, version: VERSION } });
  }

  private context(): AgentContext {
    return {
      config: this.config,
      log: this.log,
      events: this.events,
      store: this.store!,
      runtime: this.runtimeInstance!,
      snapshots: this.snapshotService!,
      bootId: this.bootId,
      status: () => this.status(),
    };
  }

  /** Where the HTTP server listens (after start), e.g. http://127.0.0.1:8080. */
  get url(): string | null {
    return this.http?.url ?? null;
  }

  get runtime(): AgentRuntime {
    if (this.runtimeInstance === undefined) throw new HasnError('E_AGENT_NOT_STARTED', 'the agent has not started');
    return this.runtimeInstance;
  }

  // ───────────────────────────── reconfiguration (the fleet link's AgentControl) ─────────────────────────────

  /** The backend in force: requested, active, and why they differ. */
  backendChoice(): BackendChoice {
    return { ...this.backend };
  }

  /**
   * Runs `spec` (from `snapshot` when given; null: no brain) under `config`: checks that the config fits it, builds the
   * brain, then swaps brain, backend, reward rules and I/O between two ticks. When the check or the build fails
   * nothing changed: the previous brain keeps running. `file` is where the spec lives (status shows it).
   */
  async installBrain(spec: NetworkSpec | null, options: { config?: AgentConfig; snapshot?: Uint8Array; file?: string } = {}): Promise<void> {
    const runtime = this.runtime;
    const config = options.config ?? this.config;
    const io = effectiveIo(config, spec);
    const issues = [...configSelfIssues(config), ...(spec === null ? [] : configSpecIssues(config, spec, io))];
    if (issues.length > 0) {
      throw new HasnError('E_CONFIG_INVALID', `the config does not fit brain "${spec?.name}" (${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${issues[0]!.path}: ${issues[0]!.message})`, { path: issues[0]!.path, issues });
    }
    const brain = spec === null ? null : await Brain.create(spec, { workers: config.engine.workers, now: () => this.clock.now(), ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }) });
    for (const warning of brain?.restoreWarnings ?? []) this.log.warn(warning);
    // The I/O belongs to the brain's channels and sinks: close the old set before the new one opens the same pins.
    await this.sensorHub?.stop();
    await this.actuatorBank?.stop();
    await runtime.setBrain(brain)?.close();
    runtime.setRewardRules(brain === null ? [] : config.reward.rules);
    this.config = config;
    this.backend = chooseBackend(config.backend);
    if (this.backend.fallbackReason !== null) this.log.warn({ requested: this.backend.requested, active: this.backend.active }, this.backend.fallbackReason);
    this.brainSource = spec === null ? null : { spec, file: options.file ?? this.brainSource?.file ?? storedBrainFile(config.data_dir) };
    this.restoredFrom = null;
    await this.openIo(io);
    if (this.state === 'running' || this.state === 'idle') this.setState(brain === null ? 'idle' : 'running');
    this.log.info({ brain: spec?.name ?? null, specHash: brain?.specHash ?? null, step: brain?.startStep ?? null, backend: this.backend.requested }, spec === null ? 'brain removed: running idle' : `brain "${spec.name}" installed at step ${brain!.startStep}`);
  }

  // ───────────────────────────── operations (HTTP API, later MQTT) ─────────────────────────────

  get tokens() {
    return this.store!.tokens;
  }

  get audit() {
    return this.store!.audit;
  }

  private requireBrain(): Brain {
    const brain = this.runtimeInstance?.brain ?? null;
    if (brain === null) throw new HasnError('E_NO_BRAIN', 'no brain is running (none configured or deployed)');
    return brain;
  }

  status(): AgentStatus {
    const runtime = this.runtimeInstance;
    const brain = runtime?.brain ?? null;
    const counters = runtime?.counters;
    const sensors = this.sensorHub?.list() ?? [];
    const actuators = this.actuatorBank?.list() ?? [];
    const extensions = this.extensions.map((e) => {
      const health = e.health?.() ?? { ok: true };
      return { name: e.name, ok: health.ok, detail: health.detail ?? null };
    });
    const reasons: string[] = [];
    for (const s of sensors) if (s.state === 'failed') reasons.push(`sensor ${s.id} failed: ${s.last_error}`);
    for (const a of actuators) if (a.state === 'failed') reasons.push(`actuator ${a.id} failed: ${a.last_error}`);
    for (const e of extensions) if (!e.ok) reasons.push(`${e.name}: ${e.detail ?? 'unhealthy'}`);
    if (this.backend.fallbackReason !== null) reasons.push(this.backend.fallbackReason);
    if (brain === null && this.state !== 'starting') reasons.push('no brain deployed');
    const degraded = this.state === 'running' && (sensors.some((s) => s.state === 'failed') || actuators.some((a) => a.state === 'failed') || extensions.some((e) => !e.ok));
    const percentiles = (recorder: LatencyRecorder | undefined) => {
      const [p50, p99] = recorder?.percentiles([50, 99]) ?? [null, null];
      return { p50: p50 ?? null, p99: p99 ?? null, samples: Math.min(recorder?.written ?? 0, recorder?.capacity ?? 0) };
    };
    return {
      device: { id: this.config.device.id, name: this.config.device.name ?? null },
      state: degraded ? 'degraded' : this.state,
      reasons,
      version: VERSION,
      boot_id: this.bootId,
      started_at: this.startedAt.toISOString(),
      uptime_s: (Date.now() - this.startedAt.getTime()) / 1000,
      simulation: this.config.simulation,
      backend: { requested: this.backend.requested, active: this.backend.active, engine: brain?.engine.kind ?? null, fallback_reason: this.backend.fallbackReason },
      brain: brain === null ? null : {
        name: brain.spec.name,
        spec_hash: brain.specHash,
        file: this.brainSource?.file ?? '',
        dt_ms: brain.spec.dt_ms,
        step: brain.step,
        sim_time_s: (brain.step * brain.spec.dt_ms) / 1000,
        neurons: brain.net.neuronCount,
        synapses: brain.net.synapseCount,
        restored_from: this.restoredFrom,
        reward: brain.rewardLevels(),
      },
      rates: runtime?.rateSnapshot() ?? { steps_per_second: 0, realtime_factor: 0, engine_load: 0 },
      loop: {
        ticks: counters?.ticks ?? 0,
        steps_run: counters?.stepsRun ?? 0,
        steps_skipped: counters?.stepsSkipped ?? 0,
        step_errors: runtime?.stepErrors ?? 0,
        last_step_error: runtime?.lastStepError ?? null,
      },
      populations: runtime?.populationRates() ?? [],
      sensors,
      actuators,
      snapshots: { count: this.snapshotService?.stored ?? 0, last_age_s: this.snapshotService?.ageSeconds() ?? null },
      latency_ms: { to_step: percentiles(brain?.stepLatency), to_spike: percentiles(brain?.spikeLatency) },
      extensions,
      health: this.systemHealth.latest,
    };
  }

  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (this.state === 'starting') reasons.push('starting');
    if (this.state === 'stopping' || this.state === 'stopped') reasons.push(this.state);
    if (!this.readyNotified && this.state !== 'stopping' && this.state !== 'stopped') reasons.push('engine loop has not ticked yet');
    if (this.runtimeInstance?.brain == null && this.state === 'idle') reasons.push('no brain deployed');
    for (const e of this.extensions) {
      const health = e.health?.();
      if (health !== undefined && !health.ok) reasons.push(`${e.name}: ${health.detail ?? 'unhealthy'}`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  spec(): NetworkSpec {
    return this.requireBrain().spec;
  }

  inputs(): InputValue[] {
    const brain = this.requireBrain();
    return brain.inputs.map((input) => ({ id: input.id, channel: input.channel, population: input.population.id, encoder: input.encoder.kind, value: input.value }));
  }

  outputs(): OutputValue[] {
    const brain = this.requireBrain();
    const last = this.runtime.lastOutputs();
    return brain.outputs.map((output) => ({ id: output.id, sink: output.sink, population: output.population.id, decoded: last[output.id] ?? output.read() }));
  }

  spikes(options: { cursor?: number; fromStep?: number; limit: number }): SpikeWindow {
    const brain = this.requireBrain();
    const cursor = options.fromStep !== undefined ? brain.raster.cursorAtStep(options.fromStep) : (options.cursor ?? brain.raster.cursorAtStep(Math.max(0, brain.step - Math.round(1000 / brain.spec.dt_ms))));
    return { ...brain.raster.read(cursor, options.limit), step: brain.step, dt_ms: brain.spec.dt_ms };
  }

  setInput(id: string, value: number | readonly number[]): void {
    const brain = this.requireBrain();
    const input = brain.input(id);
    if (input === undefined) throw new HasnError('E_BRAIN_UNKNOWN_INPUT', `brain "${brain.spec.name}" has no input "${id}"`, { path: 'id' });
    input.setValue(value, this.clock.now());
  }

  injectSpikes(population: string, neurons: readonly number[]): { step: number } {
    const brain = this.requireBrain();
    brain.injectSpikes(population, neurons);
    return { step: brain.step };
  }

  reward(amount: number, actor: string, projection?: string, via: RewardVia = 'api'): { projections: string[]; step: number } {
    const brain = this.requireBrain();
    const projections = this.runtime.reward(amount, actor, projection, via);
    this.store!.audit.append({ actor, action: 'brain.reward', target: projection ?? '', details: { amount, step: brain.step, via } });
    return { projections, step: brain.step };
  }

  learning(options: { from?: number } = {}): LearningReport {
    const brain = this.requireBrain();
    const runtime = this.runtime;
    return {
      brain: brain.spec.name,
      step: brain.step,
      sim_time_s: (brain.step * brain.spec.dt_ms) / 1000,
      rules: runtime.learning.list().map((curve) => ({ ...curve.summary(), curve: curve.curve(options.from) })),
      rewards: runtime.rewardTally(),
      projections: plasticSummaries(brain.net),
    };
  }

  projectionWeights(id: string, limit: number): ProjectionWeights {
    return projectionWeights(this.requireBrain().net, id, limit);
  }

  listSnapshots(): SnapshotInfo[] {
    return this.snapshotService?.list() ?? [];
  }

  createSnapshot(actor: string): SnapshotInfo {
    this.requireBrain();
    const info = this.snapshotService!.take('manual')!;
    this.store!.audit.append({ actor, action: 'snapshot.create', target: String(info.id), details: { step: info.step } });
    return info;
  }

  async restoreSnapshot(id: number, actor: string): Promise<{ step: number }> {
    const current = this.requireBrain();
    const snapshot = this.snapshotService!.get(id);
    if (snapshot.specHash !== current.specHash) {
      throw new HasnError('E_SNAPSHOT_SPEC_MISMATCH', `snapshot ${id} belongs to another brain (spec ${snapshot.specHash.slice(0, 12)}…); the running brain is ${current.specHash.slice(0, 12)}…`, { path: 'id' });
    }
    const brain = await Brain.create(current.spec, { workers: this.config.engine.workers, now: () => this.clock.now(), snapshot: snapshot.bytes });
    if (this.runtime.brain !== current) {
      // Another restore (or a stop) swapped the brain while this one was being built: this one is stale.
      await brain.close();
      throw new HasnError('E_BRAIN_BUSY', 'the brain changed while the snapshot was being restored; try again');
    }
    await this.runtime.setBrain(brain)?.close();
    this.restoredFrom = { snapshot: id, step: brain.startStep };
    for (const warning of brain.restoreWarnings) this.log.warn(warning);
    this.store!.audit.append({ actor, action: 'snapshot.restore', target: String(id), details: { step: brain.startStep } });
    this.log.info({ snapshot: id, step: brain.startStep, actor }, `brain restored from snapshot ${id} (step ${brain.startStep})`);
    return { step: brain.startStep };
  }

  latencySince(kind: 'to_step' | 'to_spike', cursor: number): { values: number[]; next: number } {
    const brain = this.runtimeInstance?.brain;
    return (kind === 'to_step' ? brain?.stepLatency : brain?.spikeLatency)?.since(cursor) ?? { values: [], next: 0 };
  }

  outboxDepth(): number {
    return this.store === undefined || this.state === 'stopped' ? 0 : this.store.outbox.stats().rows;
  }

  effectiveConfig(): AgentConfig {
    return this.config;
  }
}
