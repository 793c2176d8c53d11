// Everything the device sends that must survive a restart: built per the contract and put into the durable outbox.
import { randomUUID } from 'node:crypto';
import type { OutboxStore } from '../store/index.ts';
import type { CommandResponse } from '../contract/commands.ts';
import type { EventPayload, ReportedConfigPayload, TelemetryPayload, TelemetryRecord } from '../contract/messages.ts';
import type { ChunkPayload } from '../contract/transfer.ts';
import type { DeviceTopics } from '../contract/topics.ts';

export type Severity = EventPayload['severity'];

export interface SenderCounters {
  events: number;
  telemetryBatches: number;
  droppedTelemetry: number;
  responses: number;
}

export class DeviceSender {
  readonly counters: SenderCounters = { events: 0, telemetryBatches: 0, droppedTelemetry: 0, responses: 0 };

  constructor(
    private readonly outbox: OutboxStore,
    private readonly topics: DeviceTopics,
    private readonly bootId: string,
    private readonly now: () => number,
    /** Called after every enqueue (wakes the pump). */
    private readonly onEnqueued: () => void,
    private readonly telemetryQos: 0 | 1 = 1,
  ) {}

  /** Enqueues an event with a fresh unique id; returns the id. */
  event(type: string, severity: Severity, data?: unknown): string {
    const payload: EventPayload = { id: randomUUID(), bootId: this.bootId, at: this.now(), type, severity, ...(data === undefined ? {} : { data }) };
    this.outbox.enqueue({ kind: 'event', topic: this.topics.events, qos: 1, json: payload });
    this.counters.events += 1;
    this.onEnqueued();
    return payload.id;
  }

  /** Enqueues one telemetry batch under the next sequence number of this boot; returns the seq. */
  telemetry(records: TelemetryRecord[]): number {
    const result = this.outbox.enqueueTelemetry(this.bootId, (seq) => {
      const payload: TelemetryPayload = { bootId: this.bootId, seq, records };
      return { topic: this.topics.telemetry, qos: this.telemetryQos, json: payload };
    });
    this.counters.telemetryBatches += 1;
    this.counters.droppedTelemetry += result.droppedTelemetry;
    this.onEnqueued();
    return result.seq;
  }

  response(topic: string, response: CommandResponse): void {
    this.outbox.enqueue({ kind: 'response', topic, qos: 1, json: response });
    this.counters.responses += 1;
    this.onEnqueued();
  }

  /** Chunks of a pulled brain, in index order. */
  chunks(topicOf: (index: number) => string, chunks: Iterable<ChunkPayload>): number {
    let count = 0;
    for (const chunk of chunks) {
      this.outbox.enqueue({ kind: 'response', topic: topicOf(chunk.index), qos: 1, json: chunk });
      count += 1;
    }
    this.onEnqueued();
    return count;
  }

  reportedConfig(report: ReportedConfigPayload): void {
    this.outbox.enqueue({ kind: 'status', topic: this.topics.configReported, qos: 1, retain: true, json: report });
    this.onEnqueued();
  }
}
