// The durable MQTT queue: everything the agent sends to the fleet is enqueued here first, then peeked, published, acked.
//
// Order is FIFO by id across all kinds. Capacity (rows and bytes) is bounded by dropping the oldest
// TELEMETRY only: events, audit records, status and responses are never dropped. When the queue is
// over capacity and holds no telemetry, an enqueue still succeeds and `outbox_over_capacity` counts it.
// Invariant after every enqueue: the queue is within capacity, or it holds no telemetry.
// Durability: telemetry enqueues, acks and sequence numbers commit NORMAL (a power cut may lose the last
// moments of telemetry, or re-send an acked message, which at-least-once delivery allows; a power cut
// also means a new boot id, so a lost sequence number is never reused within a boot); every other
// kind commits FULL.
import { HasnError } from '../../core/errors.ts';
import type { Clock } from './environment.ts';
import { checkLimit } from './query-limit.ts';
import type { Database, Durability } from './sqlite.ts';

export const OUTBOX_KINDS = ['telemetry', 'event', 'audit', 'status', 'response'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export type MqttQos = 0 | 1 | 2;

/** A payload as raw bytes, or a value to send as JSON text. */
export type OutboxPayload = { payload: Uint8Array; json?: never } | { json: unknown; payload?: never };

/** A message to publish: where, how, and what. */
export type MessageInput = { topic: string; qos: MqttQos; retain?: boolean } & OutboxPayload;

export type EnqueueInput = MessageInput & { kind: OutboxKind };

export interface OutboxMessage {
  id: number;
  kind: OutboxKind;
  topic: string;
  qos: MqttQos;
  retain: boolean;
  createdAt: number;
  payload: Uint8Array;
}

export interface EnqueueResult {
  id: number;
  /** Telemetry rows this enqueue dropped to stay within capacity (may include this one if it alone is too big). */
  droppedTelemetry: number;
  /** True when the queue is still over capacity because it holds no telemetry left to drop. */
  overCapacity: boolean;
}

export interface OutboxCapacity {
  maxRows: number;
  maxBytes: number;
}

export const DEFAULT_OUTBOX_CAPACITY: OutboxCapacity = { maxRows: 50_000, maxBytes: 64 * 1024 * 1024 };

export interface OutboxStats {
  rows: number;
  bytes: number;
  byKind: Record<OutboxKind, { rows: number; bytes: number }>;
  /** Telemetry rows ever dropped by the capacity policy (persisted). */
  droppedTelemetry: number;
  /** Enqueues that left the queue over capacity with no telemetry to drop (persisted). */
  overCapacityEnqueues: number;
}

interface MessageRow {
  id: number;
  kind: OutboxKind;
  topic: string;
  qos: MqttQos;
  retain: number;
  created_at: number;
  payload: Uint8Array;
}

const TOPIC_MAX_LENGTH = 65_535; // MQTT topic names are length-prefixed with 16 bits

export function checkCapacity(capacity: OutboxCapacity): OutboxCapacity {
  for (const key of ['maxRows', 'maxBytes'] as const) {
    if (!Number.isSafeInteger(capacity[key]) || capacity[key] < 1) {
      throw new HasnError('E_OUTBOX_CAPACITY_INVALID', `${key} must be an integer ≥ 1, got ${String(capacity[key])}`, { path: key });
    }
  }
  return capacity;
}

function payloadBytes(input: EnqueueInput): Uint8Array {
  if (input.payload !== undefined) {
    if (!(input.payload instanceof Uint8Array)) {
      throw new HasnError('E_OUTBOX_PAYLOAD_INVALID', 'payload must be a Uint8Array; use `json` for values', { path: 'payload' });
    }
    return input.payload;
  }
  const text = JSON.stringify(input.json);
  if (typeof text !== 'string') {
    throw new HasnError('E_OUTBOX_PAYLOAD_INVALID', 'the json value cannot be written as JSON', { path: 'json' });
  }
  return Buffer.from(text, 'utf8');
}

function checkEnvelope(input: EnqueueInput): void {
  if (!OUTBOX_KINDS.includes(input.kind)) {
    throw new HasnError('E_OUTBOX_KIND_INVALID', `kind must be one of ${OUTBOX_KINDS.join(', ')}`, { path: 'kind' });
  }
  if (typeof input.topic !== 'string' || input.topic.length === 0 || input.topic.length > TOPIC_MAX_LENGTH || /[#+\0]/.test(input.topic)) {
    throw new HasnError('E_OUTBOX_TOPIC_INVALID', 'topic must be a non-empty MQTT topic name without wildcards', { path: 'topic' });
  }
  if (input.qos !== 0 && input.qos !== 1 && input.qos !== 2) {
    throw new HasnError('E_OUTBOX_QOS_INVALID', `qos must be 0, 1 or 2, got ${String(input.qos)}`, { path: 'qos' });
  }
}

function messageFromRow(row: MessageRow): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    topic: row.topic,
    qos: row.qos,
    retain: row.retain === 1,
    createdAt: row.created_at,
    payload: row.payload,
  };
}

export class OutboxStore {
  private readonly capacity: OutboxCapacity;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    capacity: OutboxCapacity = DEFAULT_OUTBOX_CAPACITY,
  ) {
    this.capacity = checkCapacity({ ...capacity });
  }

  enqueue(input: EnqueueInput): EnqueueResult {
    checkEnvelope(input);
    const payload = payloadBytes(input);
    return this.db.transaction(durabilityOf(input.kind), () => this.insertWithinCapacity(input, payload));
  }

  /**
   * Allocates the next telemetry sequence number of `bootId` and enqueues the message built with it,
   * in one transaction: a sequence number is never handed out without its message (gaps in `seq`
   * then mean telemetry dropped by the capacity policy, nothing else).
   */
  enqueueTelemetry(bootId: string, build: (seq: number) => MessageInput): EnqueueResult & { seq: number } {
    return this.db.transaction('normal', () => {
      const seq = this.nextTelemetrySeq(bootId);
      const input: EnqueueInput = { ...build(seq), kind: 'telemetry' };
      checkEnvelope(input);
      return { ...this.insertWithinCapacity(input, payloadBytes(input)), seq };
    });
  }

  /** The next `seq` for telemetry of this boot: 1, 2, 3, … persisted across restarts of the same boot. */
  nextTelemetrySeq(bootId: string): number {
    if (typeof bootId !== 'string' || bootId.length === 0 || bootId.length > 128) {
      throw new HasnError('E_OUTBOX_BOOT_ID_INVALID', 'bootId must be a non-empty string of at most 128 characters', { path: 'bootId' });
    }
    return this.db.transaction('normal', () => {
      const row = this.db.get<{ last_seq: number }>('SELECT last_seq FROM telemetry_seq WHERE boot_id = ?', bootId);
      if (row === undefined) {
        // A new boot: earlier boots' counters are never needed again.
        this.db.run('DELETE FROM telemetry_seq');
        this.db.run('INSERT INTO telemetry_seq (boot_id, last_seq) VALUES (?, 1)', bootId);
        return 1;
      }
      this.db.run('UPDATE telemetry_seq SET last_seq = ? WHERE boot_id = ?', row.last_seq + 1, bootId);
      return row.last_seq + 1;
    });
  }

  /** Up to `limit` oldest messages with id > `afterId` (to read past those already in flight), FIFO. */
  peek(limit = 100, afterId = 0): OutboxMessage[] {
    const rows = this.db.all<MessageRow>(
      'SELECT id, kind, topic, qos, retain, created_at, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?',
      afterId, checkLimit(limit, 100),
    );
    return rows.map(messageFromRow);
  }

  /** Deletes delivered messages; unknown ids (already acked or dropped) are ignored. Returns how many were deleted. */
  ack(ids: readonly number[]): number {
    if (ids.length === 0) return 0;
    if (!ids.every((id) => Number.isSafeInteger(id))) {
      throw new HasnError('E_OUTBOX_ID_INVALID', 'ack takes integer message ids', { path: 'ids' });
    }
    return this.db.transaction('normal', () =>
      this.db.run('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)).changes,
    );
  }

  depth(): Record<OutboxKind, number> {
    const byKind = this.stats().byKind;
    return Object.fromEntries(OUTBOX_KINDS.map((kind) => [kind, byKind[kind].rows])) as Record<OutboxKind, number>;
  }

  stats(): OutboxStats {
    const rows = this.db.all<{ kind: OutboxKind; rows: number; bytes: number }>('SELECT kind, rows, bytes FROM outbox_depth');
    const byKind = Object.fromEntries(OUTBOX_KINDS.map((kind) => [kind, { rows: 0, bytes: 0 }])) as OutboxStats['byKind'];
    for (const row of rows) byKind[row.kind] = { rows: row.rows, bytes: row.bytes };
    return {
      rows: rows.reduce((sum, row) => sum + row.rows, 0),
      bytes: rows.reduce((sum, row) => sum + row.bytes, 0),
      byKind,
      droppedTelemetry: this.counter('dropped_telemetry'),
      overCapacityEnqueues: this.counter('outbox_over_capacity'),
    };
  }

  private insertWithinCapacity(input: EnqueueInput, payload: Uint8Array): EnqueueResult {
    const { lastInsertRowid: id } = this.db.run(
      'INSERT INTO outbox (kind, topic, qos, retain, created_at, payload) VALUES (?, ?, ?, ?, ?, ?)',
      input.kind, input.topic, input.qos, input.retain === true ? 1 : 0, this.now(), payload,
    );
    let droppedTelemetry = 0;
    let total = this.totals();
    while (this.isOver(total)) {
      const dropped = this.db.get<{ id: number }>(
        "DELETE FROM outbox WHERE id = (SELECT min(id) FROM outbox WHERE kind = 'telemetry') RETURNING id",
      );
      if (dropped === undefined) break;
      droppedTelemetry += 1;
      total = this.totals();
    }
    if (droppedTelemetry > 0) {
      this.db.run("UPDATE counters SET value = value + ? WHERE name = 'dropped_telemetry'", droppedTelemetry);
    }
    const overCapacity = this.isOver(total);
    if (overCapacity) this.db.run("UPDATE counters SET value = value + 1 WHERE name = 'outbox_over_capacity'");
    return { id, droppedTelemetry, overCapacity };
  }

  private totals(): { rows: number; bytes: number } {
    return this.db.get<{ rows: number; bytes: number }>('SELECT sum(rows) AS rows, sum(bytes) AS bytes FROM outbox_depth') ?? { rows: 0, bytes: 0 };
  }

  private isOver(total: { rows: number; bytes: number }): boolean {
    return total.rows > this.capacity.maxRows || total.bytes > this.capacity.maxBytes;
  }

  private counter(name: string): number {
    return this.db.get<{ value: number }>('SELECT value FROM counters WHERE name = ?', name)?.value ?? 0;
  }
}

function durabilityOf(kind: OutboxKind): Durability {
  return kind === 'telemetry' ? 'normal' : 'full';
}
