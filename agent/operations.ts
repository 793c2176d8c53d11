// What the agent can be asked to do (the HTTP API today, MQTT commands later): one interface, implemented by Agent.
import type { DecodedOutput } from '../core/codec/decoders.ts';
import type { NetworkSpec } from '../core/spec/schema.ts';
import type { PlasticProjectionSummary, ProjectionWeights } from './brain/plastic-weights.ts';
import type { RasterRead } from './brain/spike-raster.ts';
import type { AgentConfig } from './config/schema.ts';
import type { EventBus } from './events.ts';
import type { LearningCurveSummary, LearningPoint } from './runtime/learning-curve.ts';
import type { RewardTally, RewardVia } from './runtime/runtime.ts';
import type { AgentStatus } from './status.ts';
import type { SnapshotInfo, TokenStore, AuditLog } from './store/index.ts';

export interface InputValue {
  id: string;
  channel: string;
  population: string;
  encoder: string;
  value: number | readonly number[] | null;
}

export interface OutputValue {
  id: string;
  sink: string;
  population: string;
  decoded: DecodedOutput | null;
}

export interface SpikeWindow extends RasterRead {
  /** The step the brain runs next (spikes are complete up to step − 1). */
  step: number;
  dt_ms: number;
}

/** What the running brain learns and has learned: the rules' learning curves, reward received, plastic weights. */
export interface LearningReport {
  brain: string;
  step: number;
  sim_time_s: number;
  rules: (LearningCurveSummary & { curve: LearningPoint[] })[];
  /** Reward received since this brain started in this process, per origin. */
  rewards: RewardTally;
  projections: PlasticProjectionSummary[];
}

export interface AgentOperations {
  readonly events: EventBus;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  status(): AgentStatus;
  /** True once the core runs and nothing required is failing (what /readyz reports). */
  readiness(): { ready: boolean; reasons: string[] };
  /** The running brain's spec; E_NO_BRAIN when idle. */
  spec(): NetworkSpec;
  inputs(): InputValue[];
  outputs(): OutputValue[];
  /** Spikes from a raster cursor (or from a step, when `fromStep` is given). */
  spikes(options: { cursor?: number; fromStep?: number; limit: number }): SpikeWindow;
  /** Sets an input's value as a sensor would (until the next sensor sample). */
  setInput(id: string, value: number | readonly number[]): void;
  injectSpikes(population: string, neurons: readonly number[]): { step: number };
  /** Adds reward (audited as `actor`); `via` says where it came from (default the API). */
  reward(amount: number, actor: string, projection?: string, via?: RewardVia): { projections: string[]; step: number };
  /** Learning curves (points with n ≥ `from`), reward tallies and plastic weight summaries; E_NO_BRAIN when idle. */
  learning(options?: { from?: number }): LearningReport;
  /** The weights of one plastic projection (at most `limit` synapses). */
  projectionWeights(id: string, limit: number): ProjectionWeights;
  listSnapshots(): SnapshotInfo[];
  createSnapshot(actor: string): SnapshotInfo;
  restoreSnapshot(id: number, actor: string): Promise<{ step: number }>;
  /** Sensor-value → input latencies (ms, see AgentStatus.latency_ms) recorded from `cursor` on (a new brain starts at 0). */
  latencySince(kind: 'to_step' | 'to_spike', cursor: number): { values: number[]; next: number };
  /** Messages waiting in the durable outbox. */
  outboxDepth(): number;
  /** The effective config (secrets are file paths, never contents). */
  effectiveConfig(): AgentConfig;
}
