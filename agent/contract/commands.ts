// Command request/response payloads (`cmd/<name>` → `response/<requester>`) and the arguments of each command.
//
// The response topic and the correlation id travel in the JSON payload, so the protocol works on MQTT 3.1.1
// brokers; on MQTT 5 connections they are mirrored in the Response Topic / Correlation Data properties.
import { z } from 'zod';
import { AuthEnvelope, SignatureValue } from './auth.ts';
import { ErrorInfo } from './messages.ts';
import { TRANSFER_ID_PATTERN } from './topics.ts';

export const COMMAND_NAMES = ['status', 'snapshot', 'restore', 'set-backend', 'restart', 'reward', 'rollback', 'pull'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Commands that only read: every other command changes state and must be signed by the controller. */
export const UNSIGNED_COMMANDS: ReadonlySet<CommandName> = new Set(['status']);

export const CorrelationId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);

export const CommandRequest = z.strictObject({
  correlationId: CorrelationId,
  /** Must be `hasn/v1/<thisDevice>/response/<requester>`: a device publishes only in its own subtree. */
  responseTopic: z.string().min(1).max(256),
  args: z.record(z.string(), z.unknown()).default({}),
  auth: AuthEnvelope.optional(),
  signature: SignatureValue.optional(),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

const NoArgs = z.strictObject({});
/** The arguments of each command, checked after the envelope. */
export const COMMAND_ARGS = {
  status: NoArgs,
  snapshot: NoArgs,
  restore: z.strictObject({ snapshotId: z.number().int().positive() }),
  'set-backend': z.strictObject({ backend: z.enum(['cpu', 'loihi', 'spinnaker', 'akida']) }),
  restart: NoArgs,
  reward: z.strictObject({ value: z.number().min(-1000).max(1000), projection: z.string().min(1).max(64).optional() }),
  /** Back to the brain that ran before the last deployment. */
  rollback: NoArgs,
  /** Sends the running brain as chunks on `pull/<pullId>/<n>`; `chunks` re-sends only those of an earlier pull. */
  pull: z.strictObject({
    pullId: z.string().regex(TRANSFER_ID_PATTERN),
    chunks: z.array(z.number().int().nonnegative()).max(4096).optional(),
  }),
} as const satisfies Record<CommandName, z.ZodType>;
export type CommandArgs<N extends CommandName> = z.infer<(typeof COMMAND_ARGS)[N]>;

export const CommandResponse = z.discriminatedUnion('ok', [
  z.strictObject({ correlationId: CorrelationId, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ correlationId: CorrelationId, ok: z.literal(false), error: ErrorInfo }),
]);
export type CommandResponse = z.infer<typeof CommandResponse>;
