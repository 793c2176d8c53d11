// What the controller receives: every dev→ message decoded against the contract, stored (deduplicated), announced.
//
// Messages are queued and written in one transaction per event-loop turn (hundreds of devices send at once);
// listeners hear about a message after it is committed. A malformed message is counted and dropped.
// Several controller processes may share one store (the daemon and a `hasn fleet deploy`): the store keeps each
// event once, but every process's listeners still hear it once (remembered ids per process, not store rows).
import { EventEmitter } from 'node:events';
import { HasnError } from '../core/errors.ts';
import { CommandResponse } from '../agent/contract/commands.ts';
import { decodePayload, MAX_PAYLOAD_BYTES } from '../agent/contract/decode.ts';
import type { Decoded } from '../agent/contract/decode.ts';
import { BirthPayload, BrainInfo, EventPayload, ReportedConfigPayload, StatusPayload, TelemetryPayload } from '../agent/contract/messages.ts';
import { parseTopic } from '../agent/contract/topics.ts';
import { ChunkPayload, DeployProgress } from '../agent/contract/transfer.ts';
import type { IncomingMessage } from '../agent/mqtt/client.ts';
import type { Logger } from '../agent/log.ts';
import type { FleetStore } from './store/fleet-store.ts';

export interface IngestEvents {
  status: [deviceId: string, status: StatusPayload];
  birth: [deviceId: string, birth: BirthPayload];
  telemetry: [deviceId: string, telemetry: TelemetryPayload];
  event: [deviceId: string, event: EventPayload];
  'deploy-progress': [deviceId: string, progress: DeployProgress];
  'config-reported': [deviceId: string, report: ReportedConfigPayload];
  response: [deviceId: string, response: CommandResponse];
  'pull-chunk': [deviceId: string, pullId: string, chunk: ChunkPayload];
}

export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
}

type Emit = () => void;

export class Ingestor extends EventEmitter<IngestEvents> {
  private queue: IncomingMessage[] = [];
  private readonly heardEvents = new Set<string>();
  private scheduled = false;
  readonly stats: IngestStats = { received: 0, stored: 0, duplicates: 0, rejected: 0, rejectedByCode: {} };

  constructor(
    private readonly store: FleetStore,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    super();
  }

  accept(message: IncomingMessage): void {
    this.stats.received += 1;
    this.queue.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Processes everything queued now (also called by tests and on shutdown). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const messages = this.queue;
    this.queue = [];
    const emits: Emit[] = [];
    try {
      this.store.batch(() => {
        for (const message of messages) this.process(message, emits);
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message, messages: messages.length }, 'storing received messages failed');
      return;
    }
    for (const emit of emits) {
      try {
        emit();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'an ingest listener threw');
      }
    }
  }

  /** True the first time this process hears an event id (bounded memory: the oldest ids are forgotten). */
  private firstHearing(key: string): boolean {
    if (this.heardEvents.has(key)) return false;
    this.heardEvents.add(key);
    if (this.heardEvents.size > 50_000) this.heardEvents.delete(this.heardEvents.values().next().value as string);
    return true;
  }

  private reject(topic: string, error: HasnError): void {
    this.stats.rejected += 1;
    this.stats.rejectedByCode[error.code] = (this.stats.rejectedByCode[error.code] ?? 0) + 1;
    this.store.bump('rejected_messages');
    if (this.stats.rejected <= 20 || this.stats.rejected % 1000 === 0) {
      this.log.warn({ topic: topic.slice(0, 200), code: error.code, err: error.message, rejected: this.stats.rejected }, 'message rejected');
    }
  }

  private decode<T>(message: IncomingMessage, decoded: Decoded<T>): T | undefined {
    if (decoded.ok) return decoded.value;
    this.reject(message.topic, decoded.error);
    return undefined;
  }

  private process(message: IncomingMessage, emits: Emit[]): void {
    const topic = parseTopic(message.topic);
    if (topic === undefined) return this.reject(message.topic, new HasnError('E_TOPIC_UNEXPECTED', 'not a topic of contract v1'));
    const { deviceId } = topic;
    const at = this.now();
    switch (topic.kind) {
      case 'status': {
        if (message.payload.length === 0) return; // a cleared retained status
        const status = this.decode(message, decodePayload(StatusPayload, message.payload, MAX_PAYLOAD_BYTES.status));
        if (status === undefined) return;
        this.store.recordStatus(deviceId, status, at);
        this.stats.stored += 1;
        emits.push(() => this.emit('status', deviceId, status));
        return;
      }
      case 'birth': {
        const birth = this.decode(message, decodePayload(BirthPayload, message.payload, MAX_PAYLOAD_BYTES.birth));
        if (birth === undefined) return;
        this.store.recordBirth(deviceId, birth, at);
        this.stats.stored += 1;
        emits.push(() => this.emit('birth', deviceId, birth));
        return;
      }
      case 'telemetry': {
        const telemetry = this.decode(message, decodePayload(TelemetryPayload, message.payload, MAX_PAYLOAD_BYTES.telemetry));
        if (telemetry === undefined) return;
        if (!this.store.recordTelemetry(deviceId, telemetry, at)) {
          this.stats.duplicates += 1;
          return;
        }
        this.stats.stored += 1;
        emits.push(() => this.emit('telemetry', deviceId, telemetry));
        return;
      }
      case 'events': {
        const event = this.decode(message, decodePayload(EventPayload, message.payload, MAX_PAYLOAD_BYTES.events));
        if (event === undefined) return;
        if (this.store.recordEvent(deviceId, event, at)) this.stats.stored += 1;
        else this.stats.duplicates += 1;
        if (!this.firstHearing(`${deviceId}/${event.id}`)) return;
        emits.push(() => this.emit('event', deviceId, event));
        if (event.type === 'brain') {
          const brain = BrainInfo.nullable().safeParse(event.data ?? null);
          if (brain.success) this.store.recordBrain(deviceId, brain.data, at);
          else this.reject(message.topic, new HasnError('E_MESSAGE_SCHEMA', 'a brain event without valid brain data'));
        }
        if (event.type === 'deploy') {
          const progress = DeployProgress.safeParse(event.data);
          if (progress.success) emits.push(() => this.emit('deploy-progress', deviceId, progress.data));
          else this.reject(message.topic, new HasnError('E_MESSAGE_SCHEMA', 'a deploy event without valid progress data'));
        }
        return;
      }
      case 'config/reported': {
        if (message.payload.length === 0) return;
        const report = this.decode(message, decodePayload(ReportedConfigPayload, message.payload, MAX_PAYLOAD_BYTES['config/reported']));
        if (report === undefined) return;
        this.store.recordConfigReported(deviceId, report, at);
        this.stats.stored += 1;
        emits.push(() => this.emit('config-reported', deviceId, report));
        return;
      }
      case 'response': {
        const response = this.decode(message, decodePayload(CommandResponse, message.payload, MAX_PAYLOAD_BYTES.response));
        if (response !== undefined) emits.push(() => this.emit('response', deviceId, response));
        return;
      }
      case 'pull-chunk': {
        const chunk = this.decode(message, decodePayload(ChunkPayload, message.payload, MAX_PAYLOAD_BYTES.chunk));
        if (chunk === undefined) return;
        if (chunk.id !== topic.transferId || chunk.index !== topic.index) return this.reject(message.topic, new HasnError('E_CHUNK_MISMATCH', 'the chunk payload names another pull or index than its topic'));
        emits.push(() => this.emit('pull-chunk', deviceId, topic.transferId, chunk));
        return;
      }
      default:
        return this.reject(message.topic, new HasnError('E_TOPIC_UNEXPECTED', `the controller does not take messages on ${topic.kind}`));
    }
  }
}
