// The agent configuration: one zod schema that gives the type, the defaults and (generated) the JSON Schema for editors.
//
// Key names are snake_case and match what provisioning/lib/agent-config.sh writes to /etc/hasn/agent.yaml:
// device.id, data_dir, mqtt.{url, ca_file, username, password_file, controller_public_key_file}, http.{host, port},
// brain.spec, backend. Every object is strict, so a misspelt key is an error with its path, not a silent default.
// Relative paths are resolved against the working directory of the agent (/var/lib/hasn under systemd).
import { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const identifier = z.string().regex(IDENTIFIER, 'an identifier: letters, digits, _ . - (not starting with a digit)');
const filePath = z.string().min(1, 'a file path');
const nonNegative = z.number().nonnegative();
const positive = z.number().positive();

/** Device ids appear in MQTT topics (hasn/v1/<id>/…), so they are restricted to [a-z0-9-]{3,64}. */
export const DeviceId = z.string().regex(/^[a-z0-9-]{3,64}$/, 'a device id: 3–64 of a–z, 0–9 and -');

// ───────────────────────────── sensors ─────────────────────────────

/** A synthetic signal for simulation mode and tests. Time t is seconds since the sensor started. */
export const SimSignal = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sine'),
    /** offset + amplitude · sin(2π t / period_s + phase). */
    amplitude: z.number().default(0.5),
    offset: z.number().default(0.5),
    period_s: positive.default(10),
    phase_deg: z.number().default(0),
  }),
  z.strictObject({ type: z.literal('noise'), mean: z.number().default(0.5), sd: nonNegative.default(0.1) }),
  z.strictObject({
    type: z.literal('step'),
    /** `before` until at_s, then `after`. */
    before: z.number().default(0),
    after: z.number().default(1),
    at_s: nonNegative.default(5),
  }),
  z.strictObject({
    type: z.literal('square'),
    low: z.number().default(0),
    high: z.number().default(1),
    period_s: positive.default(4),
    /** Fraction of each period spent high. */
    duty: z.number().min(0).max(1).default(0.5),
  }),
  z.strictObject({
    type: z.literal('replay'),
    /** A recording: CSV with columns t_ms, channel, value, or JSON lines {"t_ms", "channel", "value"} (.csv, .jsonl). */
    file: filePath,
    /** The recorded channel to play; defaults to the sensor's channel. */
    channel: z.string().min(1).optional(),
    /** Start again from the beginning after the last sample. */
    loop: z.boolean().default(true),
  }),
]);
export type SimSignal = z.infer<typeof SimSignal>;

export const SensorSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sim'),
    signal: SimSignal,
    /** Gaussian noise added to every sample (sd, in the signal's units). */
    noise_sd: nonNegative.default(0),
    /** Seed of that noise (and of a noise signal). */
    seed: z.number().int().nonnegative().max(0xffffffff).default(1),
  }),
  z.strictObject({
    type: z.literal('gpio'),
    /** BCM line number (not a sysfs number: the chip base is resolved at start). */
    line: z.number().int().min(0).max(63),
    /** Debounce before an edge counts. */
    debounce_ms: nonNegative.default(5),
    /** The value reads 1 when the pin is low (pull-up buttons). */
    active_low: z.boolean().default(false),
  }),
  z.strictObject({
    type: z.literal('i2c'),
    /** /dev/i2c-<bus>; 1 on the Pi header, but it can differ with overlays. */
    bus: z.number().int().nonnegative().default(1),
    address: z.number().int().min(0x03).max(0x77),
    register: z.number().int().min(0).max(255),
    /**
     * How the register holds the reading: u8/s8 bytes, or 16-bit words low byte first (…le, the SMBus order) or
     * high byte first (…be, what most sensors send).
     */
    format: z.enum(['u8', 's8', 'u16le', 's16le', 'u16be', 's16be']).default('u16be'),
  }),
  z.strictObject({
    type: z.literal('serial'),
    /** Prefer /dev/serial/by-id/… for USB adapters; /dev/ttyAMA0 is the Pi 5 header UART. */
    path: filePath,
    baud_rate: z.number().int().positive().default(115200),
    /** The device prints JSON lines; this sensor reads the number under this key of each line. */
    field: z.string().min(1),
  }),
]);
export type SensorSource = z.infer<typeof SensorSource>;

export const Sensor = z.strictObject({
  id: identifier,
  /** The spec input channel this sensor feeds (`inputs[].channel`); defaults to the sensor id. */
  channel: z.string().min(1).optional(),
  /** How often a polled source (sim, i2c) is read; gpio and serial report when they change. */
  sample_hz: positive.max(10_000).default(50),
  /** Calibration: value = raw · scale + offset. */
  scale: z.number().default(1),
  offset: z.number().default(0),
  source: SensorSource,
});
export type Sensor = z.infer<typeof Sensor>;

// ───────────────────────────── actuators ─────────────────────────────

/** When a decoded value drives a digital line high. */
export const ActiveWhen = z.union([
  z.strictObject({ equals: z.number() }),
  z.strictObject({ at_least: z.number() }),
]);
export type ActiveWhen = z.infer<typeof ActiveWhen>;

export const ActuatorTarget = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('gpio'),
    /** BCM line number. The line is high while the actuator's value is ≥ 0.5 (use active_when to map values to on/off). */
    line: z.number().int().min(0).max(63),
    /** Drive low for "on" (active-low relay boards). */
    active_low: z.boolean().default(false),
  }),
  z.strictObject({
    type: z.literal('serial'),
    path: filePath,
    baud_rate: z.number().int().positive().default(115200),
    /** Each change is written as a JSON line `{"<field>": value}`; defaults to the actuator id. */
    field: z.string().min(1).optional(),
  }),
  /** Values only go to the event bus (dashboard, MQTT events). */
  z.strictObject({ type: z.literal('event') }),
]);
export type ActuatorTarget = z.infer<typeof ActuatorTarget>;

export const Actuator = z.strictObject({
  id: identifier,
  /** The spec output sink that drives it (`outputs[].sink`); defaults to the actuator id. */
  sink: z.string().min(1).optional(),
  /**
   * Turns the decoded value into on (1) / off (0), e.g. `{ equals: 0 }` for a winner-take-all output whose
   * neuron 0 means "this motor on". Absent: the decoded value itself.
   */
  active_when: ActiveWhen.optional(),
  target: ActuatorTarget,
});
export type Actuator = z.infer<typeof Actuator>;

// ───────────────────────────── reward ─────────────────────────────

/**
 * A reward rule evaluated by the agent (no operator needed): every interval_ms, if the output's decoded value is
 * the index of the largest of `sensors` (e.g. "steer towards the brighter side"), add `reward`; if the output
 * decided otherwise, add −penalty; if it did not decide, nothing (see prediction_rate). Each evaluation is a point
 * on the rule's learning curve.
 */
export const RewardRule = z.strictObject({
  type: z.literal('argmax'),
  /** A spec output id. */
  output: z.string().min(1),
  /** Sensor ids; the expected output value is the index of the largest current value. */
  sensors: z.array(z.string().min(1)).min(2),
  reward: nonNegative.default(1),
  penalty: nonNegative.default(0.5),
  interval_ms: positive.default(200),
  /** Only this reward_stdp projection; default all of them. */
  projection: z.string().optional(),
  /**
   * 0: every evaluation gives reward or −penalty. Above 0: it gives the reward prediction error instead — the outcome
   * minus the outcome expected in this situation (per expected output value, a running average moving by this
   * fraction at each evaluation). Reward then teaches what the brain does not master yet, and situations it
   * masters stop pushing every weight up (reward-modulated STDP needs this to learn a choice, not a bias).
   */
  prediction_rate: z.number().min(0).max(1).default(0),
  /** Evaluations per point of the rule's learning curve (API, dashboard, metrics). reward = penalty = 0 only measures. */
  curve_window: z.number().int().min(1).max(10_000).default(20),
});
export type RewardRule = z.infer<typeof RewardRule>;

// ───────────────────────────── the rest ─────────────────────────────

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const HttpConfig = z.strictObject({
  enabled: z.boolean().default(true),
  /** 127.0.0.1 unless you mean to expose the API (then create tokens: `hasn agent token create`). */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(8080),
  /**
   * The role of a request without a token. Absent: 'viewer' when bound to a loopback address, 'none' otherwise
   * (so a device exposed on the network shows nothing without a token).
   */
  anonymous_role: z.enum(['none', ...ROLES]).optional(),
  cors: z.strictObject({
    /** Origins allowed to call the API from a browser (e.g. the fleet web page); empty = no CORS. */
    origins: z.array(z.string().min(1)).default([]),
  }).prefault({}),
  rate_limit: z.strictObject({
    /** Requests per window per token (or per address without a token). */
    max: z.number().int().positive().default(600),
    window_s: positive.default(60),
  }).prefault({}),
  body_limit_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  dashboard: z.boolean().default(true),
});
export type HttpConfig = z.infer<typeof HttpConfig>;

/** The fleet link (issue #8 implements it; the keys are fixed now because provisioning writes them). */
export const MqttConfig = z.strictObject({
  url: z.string().regex(/^(mqtts?|wss?):\/\/.+/, 'an MQTT URL: mqtt://, mqtts://, ws:// or wss://'),
  ca_file: filePath.optional(),
  username: z.string().min(1).optional(),
  password_file: filePath.optional(),
  /** The controller's Ed25519 public key: commands that change state must be signed by it. */
  controller_public_key_file: filePath.optional(),
});
export type MqttConfig = z.infer<typeof MqttConfig>;

export const EngineConfig = z.strictObject({
  /**
   * Engine worker threads: 0 steps the brain in the agent's own thread (best for small brains); N ≥ 1 runs it on
   * N threads that spin between steps (for brains big enough to fill them, with a spare core each).
   */
  workers: z.number().int().min(0).max(64).default(0),
  /** The loop wakes this often and runs every step due since the last wake-up. */
  tick_ms: z.number().min(1).max(100).default(10),
  /** After a stall, run at most this much simulated time at once; the rest is skipped and counted as lag. */
  max_catch_up_ms: z.number().min(1).max(10_000).default(250),
  /** Simulated seconds per wall-clock second. */
  speed: positive.max(100).default(1),
  /** How often decoders are read and actuators driven (decoders observe every step). */
  output_interval_ms: z.number().min(1).max(10_000).default(20),
});
export type EngineConfig = z.infer<typeof EngineConfig>;

export const SnapshotConfig = z.strictObject({
  /** Periodic snapshots; 0 turns them off. */
  interval_s: nonNegative.default(300),
  on_shutdown: z.boolean().default(true),
  /** Resume from the newest valid snapshot of this brain at start. */
  restore_on_start: z.boolean().default(true),
  keep_last: z.number().int().min(1).default(5),
  keep_daily_for_days: z.number().int().nonnegative().default(7),
});
export type SnapshotConfig = z.infer<typeof SnapshotConfig>;

export const AgentConfig = z.strictObject({
  device: z.strictObject({
    id: DeviceId,
    /** A human name for dashboards. */
    name: z.string().optional(),
  }),
  /** The SQLite store and the stored brain live here. */
  data_dir: filePath.default('/var/lib/hasn'),
  /** Simulated sensors for every input without one, event-only actuators: runs anywhere (`hasn agent --sim`). */
  simulation: z.boolean().default(false),
  brain: z.strictObject({
    /**
     * The network spec (JSON). A brain the fleet deployed (<data_dir>/brain/spec.json) runs instead while it fits
     * this config (until a fleet rollback or a fleet config naming a brain.spec); absent: that brain, else idle.
     */
    spec: filePath.optional(),
  }).prefault({}),
  /** The requested backend; the agent falls back to cpu with a logged reason when it is not available here. */
  backend: z.enum(['cpu', 'loihi', 'spinnaker', 'akida']).default('cpu'),
  engine: EngineConfig.prefault({}),
  sensors: z.array(Sensor).default([]),
  actuators: z.array(Actuator).default([]),
  reward: z.strictObject({ rules: z.array(RewardRule).default([]) }).prefault({}),
  snapshots: SnapshotConfig.prefault({}),
  http: HttpConfig.prefault({}),
  mqtt: MqttConfig.optional(),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
});
/** A config as written (defaults may be omitted). */
export type AgentConfigInput = z.input<typeof AgentConfig>;
/** A validated config with every default filled in. */
export type AgentConfig = z.infer<typeof AgentConfig>;

/** The channel a sensor feeds and the sink an actuator serves, with their defaults applied. */
export function sensorChannel(sensor: Sensor): string {
  return sensor.channel ?? sensor.id;
}
export function actuatorSink(actuator: Actuator): string {
  return actuator.sink ?? actuator.id;
}
