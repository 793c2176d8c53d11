// AgentControl on the real Agent: what fleet messages (configs, commands, deployments) do to the running daemon.
//
// State-changing calls run one at a time (a deploy never interleaves with a config apply) and are written to
// the audit log with actor "fleet". A deploy keeps the previous brain (spec + state at the moment of the deploy,
// also stored as a 'deploy' snapshot) for one rollback.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HasnError, formatPath } from '../core/errors.ts';
import { specHash } from '../core/spec/hash.ts';
import type { NetworkSpec } from '../core/spec/schema.ts';
import { loadBrainSpec, storedBrainFile } from './brain/brain-source.ts';
import { chooseBackend } from './brain/backend-choice.ts';
import { AgentConfig } from './config/schema.ts';
import type { AgentControl, AgentDescription, AgentHealth, ConfigApplyResult } from './contract/agent-control.ts';
import type { Brain as BrainBundle } from './contract/bundle.ts';
import type { AgentContext } from './extensions.ts';
import type { Agent } from './lifecycle/agent.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/index.ts';

/** Keys that say where and as what this process runs: they come from the local config, never from the fleet. */
const PROCESS_KEYS = ['device', 'data_dir', 'simulation', 'http', 'mqtt', 'log', 'engine', 'snapshots'] as const;

const BACKENDS = AgentConfig.shape.backend.unwrap().options;

/** How long a new config must keep the agent healthy before it counts as applied. */
const DEFAULT_SETTLE_MS = 300;

interface KeptBrain {
  spec: NetworkSpec | null;
  snapshot: Uint8Array | undefined;
  file: string | undefined;
  deployId: string | undefined;
}

export interface FleetControlOptions {
  settleMs?: number;
}

/** The `control` option of fleetLinkExtension for this agent. */
export function fleetControlFor(agent: Agent, options: FleetControlOptions = {}): (context: AgentContext) => AgentControl {
  return (context) => new FleetAgentControl(agent, context.store, context.log.child({ component: 'fleet-control' }), options);
}

export class FleetAgentControl implements AgentControl {
  private previous: KeptBrain | undefined;
  private deployId: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly settleMs: number;
  /** The fleet config version in force; null while only the local config applies (after every start, until the retained one is applied again). */
  private fleetVersion: number | null;

  constructor(
    private readonly agent: Agent,
    private readonly store: Store,
    private readonly log: Logger,
    options: FleetControlOptions = {},
  ) {
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    // Each start runs the local config (and records it as current); the retained fleet config then arrives again.
    this.fleetVersion = null;
  }

  health(): AgentHealth {
    const status = this.agent.status();
    const backend = this.agent.backendChoice();
    const degraded = status.state === 'degraded' || backend.fallbackReason !== null || status.sensors.some((s) => s.state === 'failed');
    const reason = status.reasons.join('; ');
    return { state: degraded ? 'degraded' : 'online', backend: backend.active, ...(reason === '' ? {} : { reason }) };
  }

  describe(): AgentDescription {
    const status = this.agent.status();
    const brain = this.agent.runtime.brain;
    return {
      version: status.version,
      backends: BACKENDS.map((id) => {
        const choice = chooseBackend(id);
        return { id, available: choice.fallbackReason === null, ...(choice.fallbackReason === null ? {} : { reason: choice.fallbackReason }) };
      }),
      brain: brain === null ? null : { specHash: brain.specHash, name: brain.spec.name, ...(this.deployId === undefined ? {} : { deployId: this.deployId }) },
      configVersion: this.fleetVersion,
    };
  }

  metrics(): Record<string, number> {
    const status = this.agent.status();
    const metrics: Record<string, number> = {
      'engine.steps': status.loop.steps_run,
      'engine.steps_skipped': status.loop.steps_skipped,
      'engine.step_errors': status.loop.step_errors,
      'engine.steps_per_second': status.rates.steps_per_second,
      'engine.realtime_factor': status.rates.realtime_factor,
      'engine.load': status.rates.engine_load,
      'spikes.rate_hz': status.populations.length === 0 ? 0 : status.populations.reduce((sum, p) => sum + p.rate_hz, 0) / status.populations.length,
      'snapshots.count': status.snapshots.count,
      'outbox.depth': this.agent.outboxDepth(),
    };
    if (status.brain !== null) metrics['brain.step'] = status.brain.step;
    const health = status.health;
    if (health.cpu_temperature_c !== null) metrics['cpu.temperature_c'] = health.cpu_temperature_c;
    if (health.cpu_load !== null) metrics['cpu.load'] = health.cpu_load;
    if (health.memory_used_bytes !== null) metrics['memory.used_bytes'] = health.memory_used_bytes;
    for (const [name, value] of Object.entries(metrics)) if (!Number.isFinite(value)) delete metrics[name];
    return metrics;
  }

  snapshot(): Promise<{ id: number; step: number; specHash: string }> {
    return this.exclusive(async () => {
      const info = this.agent.createSnapshot('fleet');
      return { id: info.id, step: info.step, specHash: info.specHash };
    });
  }

  restore(snapshotId: number): Promise<{ step: number }> {
    return this.exclusive(() => this.agent.restoreSnapshot(snapshotId, 'fleet'));
  }

  async reward(value: number, projection?: string): Promise<void> {
    this.agent.reward(value, 'fleet', projection, 'fleet');
  }

  async exportBrain(): Promise<BrainBundle> {
    const brain = this.runningBrain();
    return { spec: brain.spec, snapshot: brain.snapshot() };
  }

  setBackend(backend: string): Promise<{ backend: string; fallbackReason?: string }> {
    return this.exclusive(async () => {
      const parsed = AgentConfig.shape.backend.safeParse(backend);
      if (!parsed.success) throw new HasnError('E_BACKEND_UNKNOWN', `unknown backend "${backend}"; one of ${BACKENDS.join(', ')}`, { path: 'backend' });
      const choice = chooseBackend(parsed.data);
      const config = this.agent.effectiveConfig();
      // A backend this build cannot run is refused, not half-applied: the running one stays.
      if (choice.fallbackReason !== null) return { backend: this.agent.backendChoice().active, fallbackReason: choice.fallbackReason };
      if (config.backend !== parsed.data) {
        const brain = this.agent.runtime.brain;
        await this.agent.installBrain(brain?.spec ?? null, { config: { ...config, backend: parsed.data }, ...(brain === null ? {} : { snapshot: brain.snapshot() }) });
        this.audit('backend.set', parsed.data, { from: config.backend });
      }
      return { backend: this.agent.backendChoice().active };
    });
  }

  restart(): Promise<void> {
    return this.exclusive(async () => {
      const brain = this.agent.runtime.brain;
      // The brain continues from its state at the restart; engine and I/O are built afresh.
      await this.agent.installBrain(brain?.spec ?? null, brain === null ? {} : { snapshot: brain.snapshot() });
      this.audit('agent.restart', '', { step: brain?.step ?? null });
    });
  }

  deploy(deployId: string, bundle: BrainBundle): Promise<{ specHash: string }> {
    return this.exclusive(async () => {
      const running = this.agent.runtime.brain;
      const kept: KeptBrain = {
        spec: running?.spec ?? null,
        snapshot: running?.snapshot(),
        file: this.agent.status().brain?.file,
        deployId: this.deployId,
      };
      if (running !== null && kept.snapshot !== undefined) this.store.snapshots.save(kept.snapshot, { specHash: running.specHash, step: running.step, reason: 'deploy' });
      const file = storedBrainFile(this.agent.effectiveConfig().data_dir);
      await this.agent.installBrain(bundle.spec, { file, ...(bundle.snapshot === null ? {} : { snapshot: bundle.snapshot }) });
      writeAtomically(file, `${JSON.stringify(bundle.spec, null, 2)}\n`);
      this.previous = kept;
      this.deployId = deployId;
      const hash = specHash(bundle.spec);
      this.audit('brain.deploy', deployId, { specHash: hash, name: bundle.spec.name, previousSpecHash: running?.specHash ?? null });
      this.log.info({ deployId, specHash: hash }, `deployment ${deployId}: brain "${bundle.spec.name}" running`);
      return { specHash: hash };
    });
  }

  rollbackBrain(): Promise<{ specHash: string }> {
    return this.exclusive(async () => {
      const previous = this.previous;
      if (previous === undefined || previous.spec === null) throw new HasnError('E_NO_PREVIOUS_BRAIN', 'there is no previous brain to go back to (no deployment since the agent started)');
      const from = this.agent.runtime.brain?.specHash ?? null;
      await this.agent.installBrain(previous.spec, { ...(previous.snapshot === undefined ? {} : { snapshot: previous.snapshot }), ...(previous.file === undefined ? {} : { file: previous.file }) });
      const stored = storedBrainFile(this.agent.effectiveConfig().data_dir);
      // The stored brain is what the next start runs (when the config names no spec): make it the previous one again.
      if (previous.file === stored) writeAtomically(stored, `${JSON.stringify(previous.spec, null, 2)}\n`);
      else rmSync(stored, { force: true });
      this.previous = undefined;
      this.deployId = previous.deployId;
      const hash = specHash(previous.spec);
      this.audit('brain.rollback', hash, { from });
      return { specHash: hash };
    });
  }

  applyConfig(desired: { version: number; config: Record<string, unknown> }): Promise<ConfigApplyResult> {
    return this.exclusive(() => this.applyConfigNow(desired));
  }

  private async applyConfigNow(desired: { version: number; config: Record<string, unknown> }): Promise<ConfigApplyResult> {
    const { version } = desired;
    const parsed = AgentConfig.safeParse(desired.config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = formatPath(issue.path);
      return this.reject(desired, { code: 'E_CONFIG_INVALID', message: `${path}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : ''}`, path });
    }
    const before = this.agent.effectiveConfig();
    const next: AgentConfig = { ...parsed.data };
    const kept = PROCESS_KEYS.filter((key) => JSON.stringify(parsed.data[key]) !== JSON.stringify(before[key]));
    for (const key of PROCESS_KEYS) (next as Record<string, unknown>)[key] = before[key];
    // The fleet changes brains by deploying them; a config without brain.spec keeps the running one.
    if (parsed.data.brain.spec === undefined) next.brain = before.brain;
    if (kept.length > 0) this.log.warn({ version, kept }, `config ${version}: ${kept.join(', ')} stay as the local config sets them (they belong to this process)`);

    const running = this.agent.runtime.brain;
    const rollbackTo: KeptBrain = { spec: running?.spec ?? null, snapshot: running?.snapshot(), file: this.agent.status().brain?.file, deployId: this.deployId };
    let spec = running?.spec ?? null;
    let file = rollbackTo.file;
    let snapshot = rollbackTo.snapshot;
    if (next.brain.spec !== undefined && next.brain.spec !== before.brain.spec) {
      try {
        const source = loadBrainSpec(next)!;
        ({ spec, file } = source);
        snapshot = undefined;
      } catch (err) {
        return this.reject(desired, errorInfoOf(err, 'brain.spec'));
      }
    }
    let recorded: boolean;
    try {
      recorded = this.record(desired);
      await this.agent.installBrain(spec, { config: next, ...(snapshot === undefined ? {} : { snapshot }), ...(file === undefined ? {} : { file }) });
    } catch (err) {
      return this.reject(desired, errorInfoOf(err, ''));
    }

    if (recorded) this.setStatus(version, 'applied');
    await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    const health = this.health();
    if (health.state === 'online') {
      // A brain chosen by config replaces a deployed one, also at the next start (which prefers a deployed brain).
      const stored = storedBrainFile(before.data_dir);
      if (file !== rollbackTo.file && file !== stored) rmSync(stored, { force: true });
      this.fleetVersion = version;
      this.audit('config.apply', String(version), { kept });
      this.log.info({ version }, `fleet config ${version} applied`);
      return { applied: true };
    }
    const reason = `the agent did not become healthy with config ${version} (${health.reason ?? 'degraded'}); the previous config was restored`;
    await this.agent.installBrain(rollbackTo.spec, { config: before, ...(rollbackTo.snapshot === undefined ? {} : { snapshot: rollbackTo.snapshot }), ...(rollbackTo.file === undefined ? {} : { file: rollbackTo.file }) });
    if (recorded) this.setStatus(version, 'rolled_back', reason);
    this.audit('config.rollback', String(version), { reason });
    this.log.warn({ version }, reason);
    return { applied: false, rolledBack: true, error: { code: 'E_CONFIG_UNHEALTHY', message: reason } };
  }

  private reject(desired: { version: number; config: unknown }, error: { code: string; message: string; path?: string }): ConfigApplyResult {
    try {
      const existing = this.store.config.get(desired.version);
      if (existing === undefined) this.store.config.record({ version: desired.version, config: desired.config, source: 'fleet', status: 'rejected', error: error.message });
      else if (existing.status === 'pending') this.store.config.setStatus(desired.version, 'rejected', error.message);
    } catch (err) {
      this.log.error({ err, version: desired.version }, `could not record the refused config ${desired.version}: ${(err as Error).message}`);
    }
    this.audit('config.reject', String(desired.version), { error });
    return { applied: false, error };
  }

  /**
   * Records the version as pending; false when the version history already holds that number for other content
   * (the local file's versions and the controller's share one numbering): the config is applied all the same.
   */
  private record(desired: { version: number; config: unknown }): boolean {
    const existing = this.store.config.get(desired.version);
    // A version applied before (the retained message again after a restart) is recorded once and applied again.
    if (existing?.source === 'fleet' && existing.status !== 'rejected' && existing.json === JSON.stringify(desired.config)) return true;
    if (existing !== undefined) {
      this.log.warn({ version: desired.version, recordedAs: existing.source }, `config version ${desired.version} is already recorded (from ${existing.source}); applying the fleet config without recording it again`);
      return false;
    }
    this.store.config.record({ version: desired.version, config: desired.config, source: 'fleet', status: 'pending' });
    return true;
  }

  private setStatus(version: number, status: 'applied' | 'rolled_back', error?: string): void {
    try {
      this.store.config.setStatus(version, status, error);
    } catch (err) {
      // The config in force is what runs; a version history that cannot take this move must not undo it.
      this.log.error({ err, version }, `could not record config ${version} as ${status}: ${(err as Error).message}`);
    }
  }

  private runningBrain() {
    const brain = this.agent.runtime.brain;
    if (brain === null) throw new HasnError('E_NO_BRAIN', 'no brain is running (none configured or deployed)');
    return brain;
  }

  private audit(action: string, target: string, details: unknown): void {
    this.store.audit.append({ actor: 'fleet', action, target, details });
  }

  /** Runs state changes one after another, whatever their outcome. */
  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const result = this.queue.then(action, action);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function errorInfoOf(err: unknown, fallbackPath: string): { code: string; message: string; path?: string } {
  if (err instanceof HasnError) return { code: err.code, message: err.message, ...(err.path ? { path: err.path } : fallbackPath ? { path: fallbackPath } : {}) };
  return { code: 'E_CONFIG_APPLY', message: (err as Error)?.message ?? String(err), ...(fallbackPath ? { path: fallbackPath } : {}) };
}

/** Writes via a temporary file and a rename, so a crash leaves the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${Date.now()}-${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
