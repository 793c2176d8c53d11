// Commands on `cmd/<name>`: envelope, response topic, signature and arguments checked, run on the agent, answered.
//
// A request that cannot be answered (not JSON, no usable response topic) is refused with an error event;
// every other failure is answered with {ok: false, error}. State-changing commands run one at a time.
import { HasnError } from '../../core/errors.ts';
import type { AgentControl } from '../contract/agent-control.ts';
import { COMMAND_ARGS, COMMAND_NAMES, CommandRequest, UNSIGNED_COMMANDS } from '../contract/commands.ts';
import type { CommandName } from '../contract/commands.ts';
import { decodePayload, errorInfo, MAX_PAYLOAD_BYTES } from '../contract/decode.ts';
import { parseTopic } from '../contract/topics.ts';
import type { DeviceTopics } from '../contract/topics.ts';
import type { Logger } from '../log.ts';
import type { AuditLog } from '../store/index.ts';
import type { MessageAuthenticator } from './authenticator.ts';
import type { IncomingMessage } from './client.ts';
import type { DeviceSender } from './device-sender.ts';
import type { PullSender } from './pull-sender.ts';
import type { Rejections } from './rejections.ts';

export interface CommandHandlerDeps {
  deviceId: string;
  topics: DeviceTopics;
  control: AgentControl;
  sender: DeviceSender;
  authenticator: MessageAuthenticator;
  rejections: Rejections;
  audit: AuditLog;
  pull: PullSender;
  log: Logger;
  /** The answer to `status`. */
  statusReport(): unknown;
  /** After the running brain changed (rollback). */
  onBrainChanged(): void;
}

interface Outcome {
  result: unknown;
  afterResponse?: () => void;
}

export class CommandHandler {
  private serial: Promise<unknown> = Promise.resolve();
  handled = 0;

  constructor(private readonly deps: CommandHandlerDeps) {}

  async handle(name: string, message: IncomingMessage): Promise<void> {
    const { deps } = this;
    const decoded = decodePayload(CommandRequest, message.payload, MAX_PAYLOAD_BYTES.cmd);
    if (!decoded.ok) {
      deps.rejections.reject(message.topic, decoded.error);
      return;
    }
    const request = decoded.value;
    const target = parseTopic(request.responseTopic);
    if (target?.kind !== 'response' || target.deviceId !== deps.deviceId) {
      deps.rejections.reject(message.topic, new HasnError('E_COMMAND_RESPONSE_TOPIC', `responseTopic must be ${deps.topics.root}/response/<requester>`, { path: 'responseTopic' }));
      return;
    }
    const answer = (result: { ok: true; result: unknown } | { ok: false; error: unknown }): void => {
      const response = result.ok
        ? { correlationId: request.correlationId, ok: true as const, result: result.result ?? null }
        : { correlationId: request.correlationId, ok: false as const, error: errorInfo(result.error) };
      deps.sender.response(request.responseTopic, response);
    };
    if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
      answer({ ok: false, error: new HasnError('E_COMMAND_UNKNOWN', `unknown command "${name}"; known: ${COMMAND_NAMES.join(', ')}`, { path: 'cmd' }) });
      return;
    }
    const command = name as CommandName;
    const signed = !UNSIGNED_COMMANDS.has(command);
    try {
      if (signed) deps.authenticator.check(message.topic, decoded.raw, request.auth, true);
    } catch (err) {
      deps.rejections.reject(message.topic, err as HasnError);
      answer({ ok: false, error: err });
      return;
    }
    const args = COMMAND_ARGS[command].safeParse(request.args);
    if (!args.success) {
      const issue = args.error.issues[0];
      answer({ ok: false, error: new HasnError('E_COMMAND_ARGS', `bad arguments for ${command}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), { path: 'args' }) });
      return;
    }
    const run = (): Promise<Outcome> => this.run(command, args.data as Record<string, unknown>, request.correlationId);
    const outcome = signed ? (this.serial = this.serial.then(run, run)) : run();
    try {
      const { result, afterResponse } = (await outcome) as Outcome;
      answer({ ok: true, result });
      afterResponse?.();
    } catch (err) {
      answer({ ok: false, error: err });
    } finally {
      this.handled += 1;
      if (signed) {
        deps.audit.append({ actor: `fleet:${request.auth?.keyId ?? 'unknown'}`, action: `cmd.${command}`, target: deps.deviceId, details: { correlationId: request.correlationId } });
      }
    }
  }

  private async run(command: CommandName, args: Record<string, unknown>, correlationId: string): Promise<Outcome> {
    const { control } = this.deps;
    this.deps.log.info({ command, correlationId }, 'fleet command');
    switch (command) {
      case 'status':
        return { result: this.deps.statusReport() };
      case 'snapshot':
        return { result: await control.snapshot() };
      case 'restore':
        return { result: await control.restore(args.snapshotId as number) };
      case 'set-backend':
        return { result: await control.setBackend(args.backend as string) };
      case 'restart':
        await control.restart();
        return { result: { restarting: true } };
      case 'reward':
        await control.reward(args.value as number, args.projection as string | undefined);
        return { result: { rewarded: args.value } };
      case 'rollback': {
        const result = await control.rollbackBrain();
        return { result, afterResponse: () => this.deps.onBrainChanged() };
      }
      case 'pull': {
        const { result, queueChunks } = await this.deps.pull.handle(args.pullId as string, args.chunks as number[] | undefined);
        // The chunks go behind the response in the FIFO outbox, so the controller has the manifest first.
        return { result, afterResponse: queueChunks };
      }
    }
  }
}
