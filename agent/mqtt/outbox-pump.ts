// Moves the durable outbox to the broker: peek in FIFO order, publish, delete each message only once acknowledged.
//
// At most `window` messages are in flight. When the session closes, unacknowledged messages stay in the
// outbox and go out again, from the oldest, on the next session: at-least-once delivery, which receivers
// turn into exactly-once with the ids in the payloads (telemetry bootId+seq, event ids, correlation ids).
import type { OutboxMessage, OutboxStore } from '../store/index.ts';
import type { Logger } from '../log.ts';
import type { MqttSession, ResponseProperties } from './client.ts';

export interface PumpStats {
  published: number;
  acked: number;
  failed: number;
}

export interface OutboxPumpOptions {
  window?: number;
  /** Re-check the outbox this often even without a kick (other writers of the agent enqueue too). */
  pollMs?: number;
  log: Logger;
}

export class OutboxPump {
  private session: MqttSession | undefined;
  private generation = 0;
  private lastPeekedId = 0;
  private inFlight = 0;
  private running = false;
  private rerun = false;
  private readonly toAck: number[] = [];
  private ackScheduled = false;
  private poller: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly window: number;
  readonly stats: PumpStats = { published: 0, acked: 0, failed: 0 };

  constructor(
    private readonly outbox: OutboxStore,
    private readonly options: OutboxPumpOptions,
  ) {
    this.window = options.window ?? 64;
  }

  /** Starts publishing on a new session, from the oldest message still in the outbox. */
  attach(session: MqttSession): void {
    this.generation += 1;
    this.session = session;
    this.lastPeekedId = 0;
    this.inFlight = 0;
    clearInterval(this.poller);
    this.poller = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.poller.unref();
    this.kick();
  }

  detach(): void {
    this.generation += 1;
    this.session = undefined;
    this.inFlight = 0;
    clearInterval(this.poller);
    this.poller = undefined;
    this.flushAcks();
    this.settleIdle();
  }

  /** Something was enqueued: publish it soon. */
  kick(): void {
    if (this.session === undefined) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.rerun = false;
        this.fill();
      } while (this.rerun);
    } finally {
      this.running = false;
    }
    this.settleIdle();
  }

  /** Resolves when the outbox is empty and nothing is in flight, or when `timeoutMs` passes (resolves false). */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.kick();
      if (this.isIdle()) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now())));
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.isIdle();
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.toAck.length === 0 && this.outbox.peek(1).length === 0;
  }

  private settleIdle(): void {
    if (this.inFlight === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private fill(): void {
    const session = this.session;
    if (session === undefined || session.closed) return;
    const room = this.window - this.inFlight;
    if (room <= 0) return;
    const messages = this.outbox.peek(room, this.lastPeekedId);
    for (const message of messages) {
      this.lastPeekedId = message.id;
      this.send(session, message);
    }
  }

  private send(session: MqttSession, message: OutboxMessage): void {
    const generation = this.generation;
    this.inFlight += 1;
    this.stats.published += 1;
    const qos = message.qos === 0 ? 0 : 1;
    session.publish(message.topic, message.payload, { qos, retain: message.retain, properties: mqtt5Properties(message) }).then(
      () => {
        // An acknowledged message is delivered whatever happened to the session since.
        this.toAck.push(message.id);
        this.scheduleAckFlush();
        if (generation !== this.generation) return;
        this.inFlight -= 1;
        this.kick();
      },
      (err: Error) => {
        this.stats.failed += 1;
        if (generation !== this.generation) return;
        this.inFlight -= 1;
        this.options.log.debug({ id: message.id, err: err.message }, 'outbox publish not acknowledged; kept for the next session');
      },
    );
  }

  private scheduleAckFlush(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.ackScheduled = false;
    if (this.toAck.length === 0) return;
    const ids = this.toAck.splice(0);
    try {
      this.outbox.ack(ids);
      this.stats.acked += ids.length;
    } catch (err) {
      // The messages will be sent again: receivers drop the duplicates.
      this.options.log.error({ err: (err as Error).message, count: ids.length }, 'outbox ack failed');
    }
    this.settleIdle();
  }
}

/** Responses mirror their correlation id as MQTT 5 Correlation Data (ignored on 3.1.1 sessions). */
function mqtt5Properties(message: OutboxMessage): ResponseProperties | undefined {
  if (message.kind !== 'response' || !message.topic.includes('/response/')) return undefined;
  try {
    const correlationId = (JSON.parse(Buffer.from(message.payload).toString('utf8')) as { correlationId?: unknown }).correlationId;
    return typeof correlationId === 'string' ? { correlationData: Buffer.from(correlationId, 'utf8') } : undefined;
  } catch {
    return undefined;
  }
}
