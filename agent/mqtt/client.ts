// The only adapter of mqtt.js: one MQTT connection (a "session") with promise-based publish/subscribe.
//
// A session never reconnects by itself (mqtt.js's fixed-interval reconnect is turned off, its in-memory
// queue is not relied on): when the connection closes, every pending publish is rejected and the owner
// decides when to open a new session (see connection.ts for the jittered backoff).
import mqtt from 'mqtt';
import type { IClientOptions, IClientPublishOptions, MqttClient } from 'mqtt';
import { HasnError } from '../../core/errors.ts';

export type MqttProtocolVersion = 4 | 5;
export type Qos = 0 | 1;

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos: Qos;
  retain: boolean;
}

export interface SessionOptions {
  url: string;
  clientId: string;
  protocolVersion: MqttProtocolVersion;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the broker's certificate (mqtts://). */
  ca?: string | Buffer;
  /** False keeps the broker-side session (subscriptions and queued QoS 1 messages) across connections. */
  clean: boolean;
  /** MQTT 5 only: how long the broker keeps a non-clean session after a disconnect (default one day). */
  sessionExpiryS?: number;
  keepaliveS?: number;
  connectTimeoutMs?: number;
  will?: WillMessage;
}

/** MQTT 5 request/response properties (absent on 3.1.1 connections). */
export interface ResponseProperties {
  responseTopic?: string;
  correlationData?: Uint8Array;
}

export interface IncomingMessage {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
  properties: ResponseProperties;
}

export interface PublishOptions {
  qos: Qos;
  retain?: boolean;
  properties?: ResponseProperties;
}

export interface MqttSession {
  readonly protocolVersion: MqttProtocolVersion;
  readonly closed: boolean;
  /** Resolves when the broker acknowledged (QoS 1) or the packet was written (QoS 0); rejects if the session closes first. */
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void>;
  /** Resolves with the granted QoS per topic; 128 means the broker refused that subscription. */
  subscribe(topics: readonly string[], qos: Qos): Promise<number[]>;
  onMessage(handler: (message: IncomingMessage) => void): void;
  /** Called once when the connection is gone (after `end` too). */
  onClose(handler: (error?: Error) => void): void;
  /** Disconnects cleanly (the broker then does not publish the will) unless `force`. */
  end(force?: boolean): Promise<void>;
}

/** Thrown when the broker refuses a CONNECT; `reasonCode` 1 (3.1.1) / 132 (5) means the protocol version. */
export class MqttConnectError extends HasnError {
  constructor(
    message: string,
    readonly reasonCode: number | undefined,
    cause?: unknown,
  ) {
    super('E_MQTT_CONNECT', message, { cause });
  }

  get unsupportedProtocol(): boolean {
    return this.reasonCode === 1 || this.reasonCode === 132;
  }

  get notAuthorized(): boolean {
    return this.reasonCode === 4 || this.reasonCode === 5 || this.reasonCode === 134 || this.reasonCode === 135;
  }
}

/** Connects; resolves once the broker accepted (CONNACK 0), rejects with MqttConnectError otherwise. */
export function openSession(options: SessionOptions): Promise<MqttSession> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: options.protocolVersion,
    clean: options.clean,
    keepalive: options.keepaliveS ?? 30,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    // MQTT 5 ends a session at disconnect unless it carries a Session Expiry Interval (3.1.1 keeps it until clean).
    ...(options.protocolVersion === 5 && !options.clean ? { properties: { sessionExpiryInterval: options.sessionExpiryS ?? 86_400 } } : {}),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca, rejectUnauthorized: true }),
    ...(options.will === undefined
      ? {}
      : { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: options.will.qos, retain: options.will.retain } }),
  };
  return new Promise((resolve, reject) => {
    let client: MqttClient;
    try {
      client = mqtt.connect(options.url, clientOptions);
    } catch (err) {
      reject(new MqttConnectError(`cannot connect to ${options.url}: ${(err as Error).message}`, undefined, err));
      return;
    }
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      client.end(true);
      const code = (err as { code?: unknown }).code;
      reject(new MqttConnectError(`cannot connect to ${options.url}: ${err.message}`, typeof code === 'number' ? code : undefined, err));
    };
    client.once('error', fail);
    client.once('close', () => fail(new Error('connection closed before the broker accepted it')));
    client.once('connect', () => {
      if (settled) return;
      settled = true;
      client.removeListener('error', fail);
      resolve(new Session(client, options.protocolVersion));
    });
  });
}

class Session implements MqttSession {
  private isClosed = false;
  private ending = false;
  private readonly pending = new Set<(error: Error) => void>();
  private readonly closeHandlers: ((error?: Error) => void)[] = [];
  private lastError: Error | undefined;

  constructor(
    private readonly client: MqttClient,
    readonly protocolVersion: MqttProtocolVersion,
  ) {
    client.on('error', (err) => {
      this.lastError = err;
    });
    client.on('close', () => this.markClosed());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError());
    const publishOptions: IClientPublishOptions = { qos: options.qos, retain: options.retain === true };
    if (this.protocolVersion === 5 && options.properties !== undefined) {
      publishOptions.properties = {
        ...(options.properties.responseTopic === undefined ? {} : { responseTopic: options.properties.responseTopic }),
        ...(options.properties.correlationData === undefined ? {} : { correlationData: Buffer.from(options.properties.correlationData) }),
      };
    }
    return new Promise((resolve, reject) => {
      const abort = (error: Error): void => reject(error);
      this.pending.add(abort);
      this.client.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), publishOptions, (err) => {
        if (!this.pending.delete(abort)) return;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  subscribe(topics: readonly string[], qos: Qos): Promise<number[]> {
    if (this.isClosed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const abort = (error: Error): void => reject(error);
      this.pending.add(abort);
      this.client.subscribe([...topics], { qos }, (err, granted) => {
        if (!this.pending.delete(abort)) return;
        if (err) reject(err);
        else resolve(topics.map((topic) => granted?.find((g) => g.topic === topic)?.qos ?? 128));
      });
    });
  }

  onMessage(handler: (message: IncomingMessage) => void): void {
    this.client.on('message', (topic, payload, packet) => {
      const props = packet.properties;
      handler({
        topic,
        payload,
        retain: packet.retain === true,
        properties: {
          ...(typeof props?.responseTopic === 'string' ? { responseTopic: props.responseTopic } : {}),
          ...(props?.correlationData === undefined ? {} : { correlationData: props.correlationData }),
        },
      });
    });
  }

  onClose(handler: (error?: Error) => void): void {
    if (this.isClosed) handler(this.lastError);
    else this.closeHandlers.push(handler);
  }

  end(force = false): Promise<void> {
    return new Promise((resolve) => {
      if (this.isClosed || this.ending) {
        this.onClose(() => resolve());
        return;
      }
      this.ending = true;
      this.client.end(force, () => {
        this.markClosed();
        resolve();
      });
    });
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const error = closedError();
    for (const abort of this.pending) abort(error);
    this.pending.clear();
    // mqtt.js must not keep its own queue alive for a session we consider dead.
    if (!this.ending) {
      this.ending = true;
      this.client.end(true);
    }
    for (const handler of this.closeHandlers.splice(0)) handler(this.lastError);
  }
}

function closedError(): HasnError {
  return new HasnError('E_MQTT_CLOSED', 'the MQTT connection closed before the broker acknowledged');
}
