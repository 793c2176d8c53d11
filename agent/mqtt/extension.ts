// The fleet link as an agent extension: started by the lifecycle after the I/O, stopped after the shutdown snapshot.
//
// With `mqtt:` in the config it connects there (TLS CA, per-device password, controller key from files).
// In simulation mode without `mqtt:` it starts the embedded aedes broker on 127.0.0.1 (port 1883, or a free
// port when that is taken) and connects to it, so `hasn agent --sim` runs the whole fleet path on a laptop;
// `hasn agent --sim --broker mqtt://127.0.0.1:PORT` (which sets mqtt.url) joins a `hasn fleet --dev` instead.
import { join } from 'node:path';
import type { AgentControl } from '../contract/agent-control.ts';
import type { AgentContext, AgentExtension } from '../extensions.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { createFleetLink } from './fleet-link.ts';
import type { FleetLink } from './fleet-link.ts';
import { loadLinkCredentials } from './link-settings.ts';
import type { LinkCredentials } from './link-settings.ts';

export const DEFAULT_EMBEDDED_BROKER_PORT = 1883;

export interface FleetLinkExtensionOptions {
  /** The agent's implementation of what fleet messages ask of it. */
  control(context: AgentContext): AgentControl;
  /** Port of the embedded broker in simulation mode (0: any free port). */
  embeddedBrokerPort?: number;
}

export function fleetLinkExtension(options: FleetLinkExtensionOptions): AgentExtension {
  let link: FleetLink | undefined;
  let broker: EmbeddedBroker | undefined;
  let url: string | undefined;
  const unsubscribers: (() => void)[] = [];

  return {
    name: 'fleet-link',
    async start(context) {
      const log = context.log.child({ component: 'fleet-link' });
      let credentials: LinkCredentials;
      if (context.config.mqtt !== undefined) {
        credentials = loadLinkCredentials(context.config.mqtt);
      } else if (context.config.simulation) {
        broker = await startBrokerPreferring(options.embeddedBrokerPort ?? DEFAULT_EMBEDDED_BROKER_PORT);
        log.info({ url: broker.url }, `embedded MQTT broker (aedes, MQTT 3.1.1) on ${broker.url}`);
        credentials = { url: broker.url };
      } else {
        log.info('no mqtt section in the config: the fleet link is off');
        return;
      }
      url = credentials.url;
      link = createFleetLink({
        deviceId: context.config.device.id,
        bootId: context.bootId,
        ...credentials,
        store: context.store,
        control: options.control(context),
        stagingDir: join(context.config.data_dir, 'fleet'),
        log: context.log,
      });
      // Agent events of fleet interest; decoder outputs are too frequent to forward one by one.
      const forward = link;
      unsubscribers.push(
        context.events.on('state', (e) => void forward.publishEvent('agent.state', e.state === 'degraded' ? 'warning' : 'info', e)),
        context.events.on('snapshot', (e) => void forward.publishEvent('snapshot', 'info', e)),
      );
      link.start();
    },
    async stop() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      await link?.stop();
      await broker?.close();
    },
    health() {
      if (link === undefined) return { ok: true, detail: 'off' };
      const stats = link.stats();
      return { ok: true, detail: stats.connected ? `connected to ${url}` : `disconnected from ${url}; messages wait in the outbox` };
    },
  };
}

async function startBrokerPreferring(port: number): Promise<EmbeddedBroker> {
  try {
    return await startEmbeddedBroker({ port });
  } catch {
    return startEmbeddedBroker({ port: 0 });
  }
}
