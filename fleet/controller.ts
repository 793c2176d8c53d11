// The fleet controller's connection: subscribes to every device's dev→ topics, feeds the registry, sends signed requests.
//
// The controller's client id is `fleet_…` (an underscore, so it can never be a device id: the embedded
// broker's ACL and Mosquitto's %u patterns treat it as the controller). A long-running controller keeps a
// persistent session (clean=false) so that the broker queues device messages while it is away.
import { randomBytes, randomUUID } from 'node:crypto';
import { HasnError } from '../core/errors.ts';
import { UNSIGNED_COMMANDS } from '../agent/contract/commands.ts';
import type { CommandName, CommandResponse } from '../agent/contract/commands.ts';
import { signPayload } from '../agent/contract/signing.ts';
import type { SigningKeys } from '../agent/contract/signing.ts';
import { controllerSubscriptions, deviceTopics, DEVICE_ID_PATTERN, TRANSFER_ID_PATTERN } from '../agent/contract/topics.ts';
import type { MqttSession, Qos } from '../agent/mqtt/client.ts';
import { createConnection } from '../agent/mqtt/connection.ts';
import type { Connection, ProtocolChoice } from '../agent/mqtt/connection.ts';
import { silentLogger } from '../agent/log.ts';
import type { Logger } from '../agent/log.ts';
import { Ingestor } from './ingest.ts';
import type { FleetStore } from './store/fleet-store.ts';

export interface BrokerSettings {
  url: string;
  username?: string;
  password?: string;
  ca?: string | Buffer;
  protocol?: ProtocolChoice;
}

export interface ControllerOptions extends BrokerSettings {
  store: FleetStore;
  keys?: SigningKeys;
  /** Default: a random `fleet_…` id (a one-off CLI command). */
  clientId?: string;
  /** Keep the broker-side session between connections (the long-running controller). */
  persistentSession?: boolean;
  log?: Logger;
  now?: () => number;
}

export class FleetController {
  readonly clientId: string;
  readonly ingest: Ingestor;
  private readonly connection: Connection;
  private readonly pending = new Map<string, { resolve: (r: CommandResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private connectWaiters: (() => void)[] = [];
  private readonly log: Logger;
  readonly now: () => number;

  constructor(private readonly options: ControllerOptions) {
    this.clientId = options.clientId ?? `fleet_${randomBytes(6).toString('hex')}`;
    if (DEVICE_ID_PATTERN.test(this.clientId) || !TRANSFER_ID_PATTERN.test(this.clientId)) {
      throw new HasnError('E_FLEET_CLIENT_ID', `the controller client id must be [A-Za-z0-9_-] and not a device id (use an underscore, e.g. fleet_main), got ${this.clientId}`, { path: 'clientId' });
    }
    this.log = (options.log ?? silentLogger).child({ component: 'fleet' });
    this.now = options.now ?? Date.now;
    this.ingest = new Ingestor(options.store, this.log, this.now);
    this.ingest.on('response', (_deviceId, response) => {
      const waiter = this.pending.get(response.correlationId);
      if (waiter === undefined) return;
      this.pending.delete(response.correlationId);
      clearTimeout(waiter.timer);
      waiter.resolve(response);
    });
    this.connection = createConnection({
      url: options.url,
      clientId: this.clientId,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      clean: options.persistentSession !== true,
      protocol: options.protocol ?? 'auto',
      backoff: { initialMs: 250, maxMs: 10_000 },
      log: this.log,
      onConnect: async (session) => {
        session.onMessage((message) => this.ingest.accept(message));
        const granted = await session.subscribe(controllerSubscriptions(this.clientId), 1);
        if (granted.includes(128)) this.log.error({ granted }, 'the broker refused some controller subscriptions (check the ACL)');
        setImmediate(() => {
          for (const wake of this.connectWaiters.splice(0)) wake();
        });
      },
    });
  }

  get store(): FleetStore {
    return this.options.store;
  }

  get keys(): SigningKeys | undefined {
    return this.options.keys;
  }

  get connected(): boolean {
    return this.connection.session !== undefined;
  }

  start(): this {
    this.connection.start();
    return this;
  }

  /** Resolves once connected and subscribed; rejects with E_FLEET_OFFLINE after `timeoutMs`. */
  async waitConnected(timeoutMs = 10_000): Promise<MqttSession> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const session = this.connection.session;
      if (session !== undefined) return session;
      const left = deadline - this.now();
      if (left <= 0) throw new HasnError('E_FLEET_OFFLINE', `cannot reach the MQTT broker at ${this.options.url}`, { path: 'broker' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.connectWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async publish(topic: string, payload: unknown, options: { qos?: Qos; retain?: boolean; properties?: { responseTopic?: string; correlationData?: Uint8Array } } = {}): Promise<void> {
    const session = await this.waitConnected();
    await session.publish(topic, Buffer.from(JSON.stringify(payload), 'utf8'), { qos: options.qos ?? 1, retain: options.retain === true, ...(options.properties === undefined ? {} : { properties: options.properties }) });
  }

  requireKeys(): SigningKeys {
    if (this.options.keys === undefined) throw new HasnError('E_KEYS_MISSING', 'no controller signing key: run `hasn fleet keys init` and provision the public key on the devices', { path: 'keys' });
    return this.options.keys;
  }

  /** Signs a payload for `topic` with the controller key (`ttlMs: null` for retained desired configs). */
  sign<T extends Record<string, unknown>>(topic: string, payload: T, ttlMs?: number | null): T & { auth: unknown; signature: string } {
    return signPayload(topic, payload, this.requireKeys(), { now: this.now(), ...(ttlMs === undefined ? {} : { ttlMs }) });
  }

  /** Sends a command and waits for its response (E_COMMAND_TIMEOUT when none comes). */
  async command(deviceId: string, name: CommandName | string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<CommandResponse> {
    const topics = deviceTopics(deviceId);
    const topic = topics.cmd(name);
    const correlationId = randomUUID();
    const responseTopic = topics.response(this.clientId);
    const request = { correlationId, responseTopic, args };
    const payload = UNSIGNED_COMMANDS.has(name as CommandName) ? request : this.sign(topic, request);
    const response = new Promise<CommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new HasnError('E_COMMAND_TIMEOUT', `${deviceId} did not answer ${name} within ${timeoutMs} ms (offline?)`, { path: deviceId }));
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
    try {
      // On MQTT 5 the request/response pair is mirrored in the standard properties.
      await this.publish(topic, payload, { properties: { responseTopic, correlationData: Buffer.from(correlationId, 'utf8') } });
    } catch (err) {
      const waiter = this.pending.get(correlationId);
      if (waiter !== undefined) clearTimeout(waiter.timer);
      this.pending.delete(correlationId);
      throw err;
    }
    return response;
  }

  /** Publishes a signed, retained desired config with the device's next version; returns the version. */
  async setConfig(deviceId: string, config: Record<string, unknown>): Promise<number> {
    const topic = deviceTopics(deviceId).configDesired;
    const version = this.store.nextConfigVersion(deviceId);
    await this.publish(topic, this.sign(topic, { version, config }, null), { retain: true });
    this.store.recordDesiredConfig(deviceId, version, config);
    return version;
  }

  async stop(): Promise<void> {
    await this.connection.stop();
    this.ingest.flush();
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      this.pending.delete(id);
      waiter.reject(new HasnError('E_FLEET_STOPPED', 'the controller stopped before the device answered'));
    }
  }
}
