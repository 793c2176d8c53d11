// A connection that stays up: opens MQTT sessions, reconnects with jittered exponential backoff, picks the protocol.
//
// `protocol: 'auto'` tries MQTT 5 first and falls back to 3.1.1 when the broker refuses the version (the
// embedded aedes 1.x answers "Unacceptable protocol version"); the contract works on both.
import type { Logger } from '../log.ts';
import { createBackoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { MqttConnectError, openSession } from './client.ts';
import type { MqttProtocolVersion, MqttSession, SessionOptions } from './client.ts';

export type ProtocolChoice = MqttProtocolVersion | 'auto';

export interface ConnectionOptions extends Omit<SessionOptions, 'protocolVersion'> {
  protocol: ProtocolChoice;
  backoff: BackoffOptions;
  log: Logger;
  /** Called after every successful connect, before anything else uses the session. A throw closes the session. */
  onConnect(session: MqttSession): Promise<void>;
  onDisconnect?(error?: Error): void;
}

export interface Connection {
  start(): void;
  /** The live session, if any (set once onConnect resolved). */
  readonly session: MqttSession | undefined;
  readonly connects: number;
  /** Stops reconnecting; `before` runs on the live session (e.g. publish offline) before a clean disconnect. */
  stop(before?: (session: MqttSession) => Promise<void>): Promise<void>;
}

export function createConnection(options: ConnectionOptions): Connection {
  const backoff = createBackoff(options.backoff);
  let protocol: MqttProtocolVersion = options.protocol === 'auto' ? 5 : options.protocol;
  let live: MqttSession | undefined;
  let opening: MqttSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let connects = 0;
  let attempt: Promise<void> | undefined;

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      attempt = connectOnce();
    }, delayMs);
  };

  const connectOnce = async (): Promise<void> => {
    if (stopped) return;
    let session: MqttSession;
    try {
      session = await openSession({ ...options, protocolVersion: protocol });
    } catch (err) {
      if (err instanceof MqttConnectError && err.unsupportedProtocol && options.protocol === 'auto' && protocol === 5) {
        options.log.info({ url: options.url }, 'broker refuses MQTT 5; using MQTT 3.1.1');
        protocol = 4;
        schedule(0);
        return;
      }
      const delay = backoff.next();
      options.log.warn({ url: options.url, err: (err as Error).message, retryInMs: delay }, 'MQTT connect failed');
      schedule(delay);
      return;
    }
    if (stopped) {
      await session.end(true);
      return;
    }
    opening = session;
    session.onClose((error) => {
      if (live === session) live = undefined;
      if (opening === session) opening = undefined;
      if (stopped) return;
      options.onDisconnect?.(error);
      const delay = backoff.next();
      options.log.warn({ url: options.url, err: error?.message, retryInMs: delay }, 'MQTT connection lost');
      schedule(delay);
    });
    try {
      await options.onConnect(session);
    } catch (err) {
      options.log.error({ err: (err as Error).message }, 'MQTT session set-up failed; reconnecting');
      await session.end(true);
      return;
    }
    if (session.closed) return;
    opening = undefined;
    live = session;
    connects += 1;
    backoff.reset();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    get session() {
      return live;
    },
    get connects() {
      return connects;
    },
    async stop(before) {
      stopped = true;
      clearTimeout(timer);
      await attempt?.catch(() => undefined);
      const session = live ?? opening;
      live = undefined;
      if (session === undefined || session.closed) return;
      if (before !== undefined) {
        try {
          await before(session);
        } catch (err) {
          options.log.warn({ err: (err as Error).message }, 'MQTT last words failed');
        }
      }
      await session.end(false);
    },
  };
}
