// What the fleet link needs from the agent: the interface the agent implements and the link calls.
//
// Every method may throw a HasnError; the link turns it into an error response or event and carries on.
// Methods that change state are only called after the request's signature has been verified.
import type { Brain } from './bundle.ts';
import type { ErrorInfo } from './messages.ts';

export interface AgentHealth {
  /** 'degraded': running, but something needs attention (backend fell back, sensor lost, engine lagging). */
  state: 'online' | 'degraded';
  /** The backend actually running. */
  backend: string;
  reason?: string;
}

export interface AgentDescription {
  /** The agent's software version. */
  version: string;
  backends: { id: string; available: boolean; mode?: string; reason?: string }[];
  /** The running brain (null when none runs). */
  brain: { specHash: string; name?: string; deployId?: string } | null;
  /** The fleet config version applied now; null when only the local file applies. */
  configVersion: number | null;
}

export interface ConfigApplyResult {
  applied: boolean;
  /** True when the config was applied, the agent did not become healthy, and the previous one was restored. */
  rolledBack?: boolean;
  error?: ErrorInfo;
}

export interface AgentControl {
  health(): AgentHealth;
  describe(): AgentDescription;
  /** One telemetry sample: metric name → value (e.g. `engine.lag_ms`, `spikes.rate_hz`). */
  metrics(): Record<string, number>;
  /**
   * Validates `config` with the agent's config schema, applies it atomically, waits until the agent is healthy,
   * and restores the previous config if it is not. Resolves with what happened; never leaves a half-applied config.
   */
  applyConfig(desired: { version: number; config: Record<string, unknown> }): Promise<ConfigApplyResult>;
  /** Takes a snapshot now; resolves with its store id. */
  snapshot(): Promise<{ id: number; step: number; specHash: string }>;
  restore(snapshotId: number): Promise<{ step: number }>;
  setBackend(backend: string): Promise<{ backend: string; fallbackReason?: string }>;
  /** Restarts the brain (engine and I/O); resolves once the restart is under way. */
  restart(): Promise<void>;
  reward(value: number, projection?: string): Promise<void>;
  /**
   * Runs a verified brain (spec checked, snapshot checked against it), keeping the previous brain for
   * `rollbackBrain`. Throws (and keeps the previous brain running) when it cannot.
   */
  deploy(deployId: string, brain: Brain): Promise<{ specHash: string }>;
  /** Goes back to the brain that ran before the last deploy. Throws E_NO_PREVIOUS_BRAIN when there is none. */
  rollbackBrain(): Promise<{ specHash: string }>;
  /** The running brain with a fresh snapshot (for `hasn fleet pull`). */
  exportBrain(): Promise<Brain>;
}
