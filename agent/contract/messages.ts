// Payload schemas of the device's state topics: status, birth, telemetry, events, config/desired, config/reported.
import { z } from 'zod';
import { signedFields } from './auth.ts';

export const DEVICE_STATES = ['online', 'offline', 'degraded'] as const;
export const DeviceState = z.enum(DEVICE_STATES);
export type DeviceState = z.infer<typeof DeviceState>;

const BootId = z.string().min(1).max(128);
const EpochMs = z.number().int().nonnegative();
const ShortText = z.string().max(512);
export const ErrorInfo = z.strictObject({ code: z.string().regex(/^E_[A-Z0-9_]{1,64}$/), message: ShortText, path: ShortText.optional() });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/** `status` (retained): the device's state; the LWT carries the same shape with state offline. */
export const StatusPayload = z.strictObject({
  state: DeviceState,
  bootId: BootId,
  /** The agent's software version. */
  version: z.string().min(1).max(64),
  backend: z.string().min(1).max(32),
  /** When this state began (ms since the epoch, the device's clock). */
  since: EpochMs,
  /** Why the device is degraded (or went offline on purpose). */
  reason: ShortText.optional(),
});
export type StatusPayload = z.infer<typeof StatusPayload>;

export const BackendInfo = z.strictObject({
  id: z.string().min(1).max(32),
  available: z.boolean(),
  mode: z.string().max(32).optional(),
  reason: ShortText.optional(),
});

/** The running brain: its spec hash, name, and the deployment that brought it. Also the data of a `brain` event. */
export const BrainInfo = z.strictObject({ specHash: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().max(128).optional(), deployId: z.string().max(64).optional() });
export type BrainInfo = z.infer<typeof BrainInfo>;

/** `birth`: the full description a device publishes after every (re)connect. */
export const BirthPayload = z.strictObject({
  bootId: BootId,
  version: z.string().min(1).max(64),
  at: EpochMs,
  /** MQTT protocol version this connection speaks (4 = 3.1.1, 5). */
  mqtt: z.union([z.literal(4), z.literal(5)]),
  capabilities: z.strictObject({
    commands: z.array(z.string().max(32)).max(64),
    /** Largest deployment chunk and bundle the device accepts. */
    maxChunkBytes: z.number().int().positive(),
    maxBundleBytes: z.number().int().positive(),
  }),
  backends: z.array(BackendInfo).max(16),
  backend: z.string().min(1).max(32),
  /** The running brain: its spec hash and the deployment that brought it (null when none runs). */
  brain: BrainInfo.nullable(),
  /** The fleet config version applied now (null: only the local file). */
  configVersion: z.number().int().positive().nullable(),
  outbox: z.strictObject({ rows: z.number().int().nonnegative(), droppedTelemetry: z.number().int().nonnegative() }),
  /** A deployment still being received (it resumes). */
  pendingDeploy: z.strictObject({ deployId: z.string().max(64), received: z.number().int().nonnegative(), total: z.number().int().positive() }).optional(),
});
export type BirthPayload = z.infer<typeof BirthPayload>;

const MetricName = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/);
export const TelemetryRecord = z.strictObject({
  /** Sample time (ms since the epoch). */
  t: EpochMs,
  metrics: z.record(MetricName, z.number()).refine((m) => Object.keys(m).length <= 128, 'at most 128 metrics per record'),
});
export type TelemetryRecord = z.infer<typeof TelemetryRecord>;

/** `telemetry`: a batch of samples; (bootId, seq) identifies it, so a receiver drops duplicates. */
export const TelemetryPayload = z.strictObject({
  bootId: BootId,
  /** 1, 2, 3, … per boot; gaps mean batches dropped by the outbox's capacity policy. */
  seq: z.number().int().positive(),
  records: z.array(TelemetryRecord).min(1).max(1000),
});
export type TelemetryPayload = z.infer<typeof TelemetryPayload>;

export const EVENT_SEVERITIES = ['info', 'warning', 'error'] as const;

/**
 * `events`: things of interest. `id` is unique (a receiver drops duplicates). Types used by the link:
 * `message.rejected` (data: topic, error), `deploy` (data: DeployProgress), `config` (data: reported result),
 * `brain` (data: BrainInfo or null, after a deployment or rollback changed the running brain);
 * the agent adds its own (alarms, decoder outputs, audit records).
 */
export const EventPayload = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  bootId: BootId,
  at: EpochMs,
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
  severity: z.enum(EVENT_SEVERITIES),
  data: z.unknown().optional(),
});
export type EventPayload = z.infer<typeof EventPayload>;

/** `config/desired` (retained, signed): a device applies a version only when it is newer than the one it runs. */
export const DesiredConfigPayload = z.strictObject({
  version: z.number().int().positive(),
  /** Validated by the agent's own config schema before it is applied. */
  config: z.record(z.string(), z.unknown()),
  ...signedFields,
});
export type DesiredConfigPayload = z.infer<typeof DesiredConfigPayload>;

/** `config/reported` (retained): what became of the newest desired version the device saw. */
export const ReportedConfigPayload = z.strictObject({
  version: z.number().int().positive(),
  applied: z.boolean(),
  /** The version running now (the previous one after a rejection or rollback). */
  current: z.number().int().positive().nullable(),
  rolledBack: z.boolean().optional(),
  error: ErrorInfo.optional(),
  at: EpochMs,
});
export type ReportedConfigPayload = z.infer<typeof ReportedConfigPayload>;
