// The agent's status as the API, the dashboard and (later) MQTT birth/status report it: JSON-safe, one shape.
import type { PopulationRate } from './brain/population-activity.ts';
import type { AgentState } from './events.ts';
import type { ActuatorStatus } from './io/actuator-bank.ts';
import type { SensorStatus } from './io/sensor-hub.ts';
import type { HealthReading } from './metrics/system-health.ts';
import type { RuntimeRates } from './runtime/runtime.ts';

export interface BackendStatusReport {
  requested: string;
  active: string;
  /** The engine running the brain (e.g. `reference`). */
  engine: string | null;
  /** Why the requested backend is not the active one. */
  fallback_reason: string | null;
}

export interface BrainStatus {
  name: string;
  spec_hash: string;
  file: string;
  dt_ms: number;
  step: number;
  /** Simulated time since the brain's step 0. */
  sim_time_s: number;
  neurons: number;
  synapses: number;
  /** The snapshot the brain resumed from at start or by restore, if any. */
  restored_from: { snapshot: number; step: number } | null;
  reward: Record<string, number>;
}

export interface LatencySummary {
  p50: number | null;
  p99: number | null;
  samples: number;
}

export interface AgentStatus {
  device: { id: string; name: string | null };
  state: AgentState;
  /** Why the agent is degraded or idle. */
  reasons: string[];
  version: string;
  boot_id: string;
  started_at: string;
  uptime_s: number;
  simulation: boolean;
  backend: BackendStatusReport;
  brain: BrainStatus | null;
  rates: RuntimeRates;
  loop: { ticks: number; steps_run: number; steps_skipped: number; step_errors: number; last_step_error: string | null };
  populations: PopulationRate[];
  sensors: SensorStatus[];
  actuators: ActuatorStatus[];
  snapshots: { count: number; last_age_s: number | null };
  /**
   * Sensor value → input, in ms over the recent measurements: `to_step` until a step encoded it (the agent's own
   * delay), `to_spike` until its first input spike (plus the encoder's coding delay).
   */
  latency_ms: { to_step: LatencySummary; to_spike: LatencySummary };
  extensions: { name: string; ok: boolean; detail: string | null }[];
  /** CPU temperature, load and memory of the device. */
  health: HealthReading;
}
