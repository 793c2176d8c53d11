// The only adapter of aedes: an in-process MQTT 3.1.1 broker for `hasn agent --sim` and `hasn fleet --dev`.
//
// aedes 1.x refuses MQTT 5 connections ("Unacceptable protocol version"); our clients fall back to 3.1.1.
// Retained messages and sessions live in memory: they last as long as the process. With `confineDevices`,
// a client whose id is a device id may only touch its own subtree (agent/contract/acl.ts), like the
// Mosquitto ACL in production; every other client (the controller) may use the whole tree.
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes } from 'aedes';
import { HasnError } from '../../core/errors.ts';
import { deviceMayPublish, deviceMaySubscribe } from '../contract/acl.ts';
import { DEVICE_ID_PATTERN } from '../contract/topics.ts';

export interface EmbeddedBrokerOptions {
  /** Loopback by default: the embedded broker is for one machine. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  confineDevices?: boolean;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  readonly connectedClients: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  if (options.confineDevices === true) {
    broker.authorizePublish = (client, packet, callback) => {
      const id = client?.id;
      if (id === undefined || !DEVICE_ID_PATTERN.test(id) || deviceMayPublish(id, packet.topic)) callback(null);
      else callback(new Error(`device ${id} may not publish to ${packet.topic}`));
    };
    broker.authorizeSubscribe = (client, subscription, callback) => {
      const id = client.id;
      if (!DEVICE_ID_PATTERN.test(id) || deviceMaySubscribe(id, subscription.topic)) callback(null, subscription);
      else callback(new Error(`device ${id} may not subscribe to ${subscription.topic}`));
    };
  }
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new HasnError('E_BROKER_LISTEN', `the embedded MQTT broker cannot listen on ${host}:${options.port ?? 0}: ${err.message}`, { path: 'port', cause: err })),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    get connectedClients() {
      return broker.connectedClients;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close();
        for (const socket of sockets) socket.destroy();
        broker.close(() => resolve());
      });
      return closing;
    },
  };
}
