// The long-running controller (`hasn fleet [--dev]`): connection + registry + web page, and in dev mode the broker.
//
// Dev mode: an embedded aedes broker on 127.0.0.1 (devices confined to their own subtree by client id) and
// signing keys created on first use. In both modes <data-dir>/fleet.json records the broker (and the web page)
// so that the other `hasn fleet …` commands find it without repeating the flags.
import { silentLogger } from '../agent/log.ts';
import type { Logger } from '../agent/log.ts';
import { startEmbeddedBroker } from '../agent/mqtt/embedded-broker.ts';
import type { EmbeddedBroker } from '../agent/mqtt/embedded-broker.ts';
import { FleetController } from './controller.ts';
import type { BrokerSettings } from './controller.ts';
import { initKeys, loadKeys } from './keys.ts';
import { readSettings, writeSettings } from './settings.ts';
import type { FleetSettingsFile } from './settings.ts';
import { FleetStore } from './store/fleet-store.ts';
import { startWebServer } from './web/server.ts';
import type { WebServer } from './web/server.ts';

export interface DaemonOptions {
  dataDir: string;
  /** Start an embedded broker on this port (dev mode); otherwise `broker` must be given. */
  dev?: { brokerPort: number };
  broker?: BrokerSettings;
  /** How the broker was named (flags), recorded in fleet.json for the other `hasn fleet …` commands. */
  brokerRecord?: FleetSettingsFile['broker'];
  http?: { host: string; port: number } | null;
  log?: Logger;
  /** Telemetry and events older than this are deleted (checked hourly). */
  retentionMs?: number;
}

export interface FleetDaemon {
  readonly brokerUrl: string;
  readonly httpUrl: string | null;
  readonly controller: FleetController;
  readonly store: FleetStore;
  stop(): Promise<void>;
}

export async function startFleetDaemon(options: DaemonOptions): Promise<FleetDaemon> {
  const log = options.log ?? silentLogger;
  let broker: EmbeddedBroker | undefined;
  let settings: BrokerSettings;
  if (options.dev !== undefined) {
    broker = await startEmbeddedBroker({ port: options.dev.brokerPort, confineDevices: true });
    settings = { url: broker.url, protocol: 4 };
  } else if (options.broker !== undefined) {
    settings = options.broker;
  } else {
    throw new Error('startFleetDaemon needs dev or broker settings');
  }
  const store = FleetStore.open(options.dataDir);
  let web: WebServer | undefined;
  let controller: FleetController | undefined;
  try {
    let keys = loadKeys(options.dataDir);
    if (keys === undefined && options.dev !== undefined) {
      initKeys(options.dataDir);
      keys = loadKeys(options.dataDir);
    }
    if (keys === undefined) log.warn('no signing keys (`hasn fleet keys init`): commands that change state cannot be sent');
    controller = new FleetController({ ...settings, store, ...(keys === undefined ? {} : { keys }), clientId: 'fleet_controller', persistentSession: true, log }).start();
    if (options.http !== null) web = await startWebServer(store, options.http ?? { host: '127.0.0.1', port: 8090 });
    const previous = readSettings(options.dataDir);
    const broker = options.dev !== undefined ? { url: settings.url } : (options.brokerRecord ?? previous?.broker ?? { url: settings.url });
    writeSettings(options.dataDir, { ...previous, broker, ...(web === undefined ? {} : { http: { url: web.url } }) });
  } catch (err) {
    await controller?.stop();
    store.close();
    await broker?.close();
    throw err;
  }
  const retentionMs = options.retentionMs ?? 7 * 86_400_000;
  const pruner = setInterval(() => {
    try {
      store.prune(Date.now() - retentionMs);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'pruning old telemetry failed');
    }
  }, 3_600_000);
  pruner.unref();
  const running = controller;
  return {
    brokerUrl: settings.url,
    httpUrl: web?.url ?? null,
    controller: running,
    store,
    async stop() {
      clearInterval(pruner);
      await web?.close();
      await running.stop();
      store.close();
      await broker?.close();
    },
  };
}
