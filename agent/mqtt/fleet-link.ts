// The device's fleet link: an agent extension that keeps the device connected to the fleet per MQTT contract v1.
//
// On every (re)connect: subscribe to the device's →dev topics, publish the retained status (the will
// publishes `offline` if the device vanishes) and the birth, resume a deployment in progress, then drain
// the durable outbox. Status and birth go straight to the broker rather than through the outbox: they
// describe the live connection and are regenerated on each connect, and queuing them behind a backlog
// would both delay them and let a stale state overwrite the retained one. Everything else — telemetry,
// events, responses, config reports, pulled chunks — is enqueued in the outbox first.
import type { KeyObject } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { AgentControl } from '../contract/agent-control.ts';
import { COMMAND_NAMES } from '../contract/commands.ts';
import type { BirthPayload, StatusPayload } from '../contract/messages.ts';
import { deviceTopics, parseTopic } from '../contract/topics.ts';
import { DEFAULT_CHUNK_BYTES, MAX_BUNDLE_BYTES, MAX_CHUNK_BYTES } from '../contract/transfer.ts';
import { silentLogger } from '../log.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { MessageAuthenticator } from './authenticator.ts';
import type { BackoffOptions } from './backoff.ts';
import type { IncomingMessage, MqttSession } from './client.ts';
import { CommandHandler } from './command-handler.ts';
import { ConfigHandler } from './config-handler.ts';
import { createConnection } from './connection.ts';
import type { ProtocolChoice } from './connection.ts';
import { DeployReceiver } from './deploy-receiver.ts';
import { DeviceSender } from './device-sender.ts';
import { OutboxPump } from './outbox-pump.ts';
import { PullSender } from './pull-sender.ts';
import { Rejections } from './rejections.ts';
import { DEFAULT_TELEMETRY, TelemetryBatcher } from './telemetry-batcher.ts';
import type { TelemetryOptions } from './telemetry-batcher.ts';

export interface FleetLinkOptions {
  deviceId: string;
  /** Identifies this run of the agent; telemetry seq numbers restart at 1 for each. */
  bootId: string;
  url: string;
  /** Default 'auto': MQTT 5 where the broker speaks it, else 3.1.1. */
  protocol?: ProtocolChoice;
  username?: string;
  password?: string;
  /** PEM of the CA of the broker's certificate. */
  ca?: string | Buffer;
  /** Without it every state-changing message is refused (E_SIGNATURE_KEY_MISSING). */
  controllerPublicKey?: KeyObject;
  store: Pick<Store, 'outbox' | 'audit'>;
  control: AgentControl;
  /** Deployments being received and pulls are kept here (e.g. <data_dir>/fleet). */
  stagingDir: string;
  log?: Logger;
  telemetry?: Partial<TelemetryOptions>;
  telemetryQos?: 0 | 1;
  /** Reconnect delays; the cap is `maxMs`. */
  backoff?: Partial<BackoffOptions>;
  /** Chunk size of pulled brains. */
  chunkSize?: number;
  deploy?: { stallMs?: number; stagingTtlMs?: number; maxBundleBytes?: number };
  /** How long `stop` waits for the outbox to drain before disconnecting. */
  drainTimeoutMs?: number;
  keepaliveS?: number;
  now?: () => number;
}

export interface FleetLinkStats {
  connected: boolean;
  connects: number;
  protocol: 4 | 5 | null;
  published: number;
  acked: number;
  events: number;
  telemetryBatches: number;
  droppedTelemetry: number;
  responses: number;
  commands: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  deploy: DeployReceiver['counters'];
}

export interface FleetLink {
  start(): void;
  /** Flushes telemetry, drains the outbox (bounded), publishes `offline`, disconnects. */
  stop(): Promise<void>;
  /** Enqueues an event (alarm, decoder output of interest, audit record); returns its id. */
  publishEvent(type: string, severity: 'info' | 'warning' | 'error', data?: unknown): string;
  flushTelemetry(): void;
  /** Resolves true once the outbox is empty and nothing is in flight (false after `timeoutMs`). */
  drained(timeoutMs: number): Promise<boolean>;
  readonly connected: boolean;
  stats(): FleetLinkStats;
}

export function createFleetLink(options: FleetLinkOptions): FleetLink {
  const log = (options.log ?? silentLogger).child({ component: 'fleet-link' });
  const now = options.now ?? Date.now;
  const topics = deviceTopics(options.deviceId);
  const { control } = options;
  const pump = new OutboxPump(options.store.outbox, { log });
  const sender = new DeviceSender(options.store.outbox, topics, options.bootId, now, () => pump.kick(), options.telemetryQos ?? 1);
  const rejections = new Rejections(sender, log, now);
  const authenticator = new MessageAuthenticator(options.controllerPublicKey, now);
  let connectedSession: MqttSession | undefined;
  const onBrainChanged = (): void => {
    try {
      sender.event('brain', 'info', control.describe().brain);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not report the new brain');
    }
  };
  const chunkSize = Math.min(options.chunkSize ?? DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES);
  const deploy = new DeployReceiver({
    deviceId: options.deviceId,
    stagingDir: options.stagingDir,
    control,
    sender,
    authenticator,
    rejections,
    audit: options.store.audit,
    log,
    now,
    isConnected: () => connectedSession !== undefined,
    onBrainChanged,
    ...options.deploy,
  });
  const pull = new PullSender(options.stagingDir, topics, control, sender, chunkSize);
  const configs = new ConfigHandler({ deviceId: options.deviceId, control, sender, authenticator, rejections, audit: options.store.audit, log, now });
  const commands = new CommandHandler({
    deviceId: options.deviceId,
    topics,
    control,
    sender,
    authenticator,
    rejections,
    audit: options.store.audit,
    pull,
    log,
    onBrainChanged,
    statusReport: () => ({ status: currentStatus(), describe: control.describe(), outbox: options.store.outbox.stats(), link: stats() }),
  });

  const startedAt = now();
  const initial = control.health();
  let status: StatusPayload = { state: initial.state, bootId: options.bootId, version: control.describe().version, backend: initial.backend, since: startedAt, ...(initial.reason === undefined ? {} : { reason: initial.reason }) };
  const currentStatus = (): StatusPayload => status;
  const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

  const publishStatus = async (session: MqttSession): Promise<void> => {
    await session.publish(topics.status, encode(status), { qos: 1, retain: true });
  };

  const birth = (session: MqttSession): BirthPayload => {
    const description = control.describe();
    const outbox = options.store.outbox.stats();
    const pending = deploy.pending();
    return {
      bootId: options.bootId,
      version: description.version,
      at: now(),
      mqtt: session.protocolVersion,
      capabilities: { commands: [...COMMAND_NAMES], maxChunkBytes: MAX_CHUNK_BYTES, maxBundleBytes: options.deploy?.maxBundleBytes ?? MAX_BUNDLE_BYTES },
      backends: description.backends,
      backend: status.backend,
      brain: description.brain,
      configVersion: description.configVersion,
      outbox: { rows: outbox.rows, droppedTelemetry: outbox.droppedTelemetry },
      ...(pending === undefined ? {} : { pendingDeploy: pending }),
    };
  };

  const dispatch = async (message: IncomingMessage): Promise<void> => {
    const parsed = parseTopic(message.topic);
    try {
      if (parsed === undefined || parsed.deviceId !== options.deviceId) {
        throw new HasnError('E_TOPIC_UNEXPECTED', 'a message arrived on a topic this device does not serve', { path: 'topic' });
      }
      if (parsed.kind === 'config/desired') await configs.handle(message);
      else if (parsed.kind === 'cmd') await commands.handle(parsed.name, message);
      else if (parsed.kind === 'deploy') await deploy.handleManifest(message);
      else if (parsed.kind === 'deploy-chunk') await deploy.handleChunk(message, parsed.transferId, parsed.index);
      else throw new HasnError('E_TOPIC_UNEXPECTED', `the device does not take messages on ${parsed.kind}`, { path: 'topic' });
    } catch (err) {
      rejections.reject(message.topic, err instanceof HasnError ? err : new HasnError('E_INTERNAL', (err as Error).message, { cause: err }));
    }
  };

  const offlineStatus = (reason?: string): StatusPayload => ({
    state: 'offline',
    bootId: options.bootId,
    version: status.version,
    backend: status.backend,
    since: now(),
    ...(reason === undefined ? {} : { reason }),
  });

  const connection = createConnection({
    url: options.url,
    clientId: options.deviceId,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    clean: true,
    keepaliveS: options.keepaliveS ?? 30,
    will: { topic: topics.status, payload: encode({ ...offlineStatus('connection lost'), since: startedAt }), qos: 1, retain: true },
    protocol: options.protocol ?? 'auto',
    backoff: { initialMs: 500, maxMs: 30_000, ...options.backoff },
    log,
    onConnect: async (session) => {
      session.onMessage((message) => void dispatch(message));
      const granted = await session.subscribe(topics.inbound, 1);
      granted.forEach((qos, i) => {
        if (qos === 128) log.error({ topic: topics.inbound[i] }, 'the broker refused a subscription (check the ACL)');
      });
      await publishStatus(session);
      await session.publish(topics.birth, encode(birth(session)), { qos: 1 });
      connectedSession = session;
      log.info({ url: options.url, protocol: session.protocolVersion }, 'connected to the fleet broker');
      deploy.onConnect();
      pump.attach(session);
    },
    onDisconnect: () => {
      connectedSession = undefined;
      pump.detach();
    },
  });

  const checkHealth = (): void => {
    let health;
    try {
      health = control.health();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'agent health check failed');
      return;
    }
    if (health.state === status.state && health.backend === status.backend && health.reason === status.reason) return;
    status = { state: health.state, bootId: options.bootId, version: status.version, backend: health.backend, since: now(), ...(health.reason === undefined ? {} : { reason: health.reason }) };
    const session = connectedSession;
    if (session !== undefined) publishStatus(session).catch((err: Error) => log.debug({ err: err.message }, 'status publish failed; republished on reconnect'));
  };

  const telemetry = new TelemetryBatcher({ ...DEFAULT_TELEMETRY, ...options.telemetry }, () => control.metrics(), sender, now, log, checkHealth);

  const stats = (): FleetLinkStats => ({
    connected: connectedSession !== undefined,
    connects: connection.connects,
    protocol: connectedSession?.protocolVersion ?? null,
    published: pump.stats.published,
    acked: pump.stats.acked,
    ...sender.counters,
    commands: commands.handled,
    rejected: rejections.stats.total,
    rejectedByCode: { ...rejections.stats.byCode },
    deploy: { ...deploy.counters },
  });

  return {
    start() {
      connection.start();
      telemetry.start();
      deploy.start();
    },
    async stop() {
      telemetry.stop();
      deploy.stop();
      if (connectedSession !== undefined) await pump.drained(options.drainTimeoutMs ?? 2000);
      await connection.stop(async (session) => {
        await session.publish(topics.status, encode(offlineStatus('agent stopped')), { qos: 1, retain: true });
      });
      connectedSession = undefined;
      pump.detach();
    },
    publishEvent: (type, severity, data) => sender.event(type, severity, data),
    flushTelemetry: () => telemetry.flush(),
    drained: (timeoutMs) => pump.drained(timeoutMs),
    get connected() {
      return connectedSession !== undefined;
    },
    stats,
  };
}
