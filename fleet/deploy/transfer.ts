// The controller's half of a brain transfer: a signed manifest per device, then the chunks each device asks for.
//
// The device drives the transfer: its `deploy` events list the chunks it is missing (at the start, after a
// reconnect, when chunks stop coming), and this sender publishes exactly those. A device that was offline
// when the manifest went out gets it again when it comes back (status online).
import { chunkBytes } from '../../agent/contract/bundle.ts';
import type { Bundle } from '../../agent/contract/bundle.ts';
import { deviceTopics } from '../../agent/contract/topics.ts';
import type { DeployProgress } from '../../agent/contract/transfer.ts';
import type { Logger } from '../../agent/log.ts';
import type { FleetController } from '../controller.ts';

const CHUNKS_IN_FLIGHT_PER_DEVICE = 8;

interface Transfer {
  deployId: string;
  bundle: Bundle;
  inFlight: Set<number>;
  progressSeen: boolean;
}

export class DeploySender {
  private readonly transfers = new Map<string, Transfer>();
  readonly counters = { manifests: 0, chunks: 0 };

  constructor(
    private readonly controller: FleetController,
    private readonly log: Logger,
  ) {
    controller.ingest.on('deploy-progress', (deviceId, progress) => void this.onProgress(deviceId, progress));
    controller.ingest.on('status', (deviceId, status) => {
      const transfer = this.transfers.get(deviceId);
      // Back online without having answered: the manifest (QoS 1 to a clean session) was lost while it was away.
      if (transfer !== undefined && !transfer.progressSeen && status.state !== 'offline') void this.sendManifest(deviceId, transfer);
    });
  }

  /** Starts (or restarts) the transfer of `bundle` to a device. */
  async start(deviceId: string, deployId: string, bundle: Bundle): Promise<void> {
    const transfer: Transfer = { deployId, bundle, inFlight: new Set(), progressSeen: false };
    this.transfers.set(deviceId, transfer);
    await this.sendManifest(deviceId, transfer);
  }

  /** Sends the manifest again (a device that never answered). */
  async retry(deviceId: string): Promise<void> {
    const transfer = this.transfers.get(deviceId);
    if (transfer !== undefined) await this.sendManifest(deviceId, transfer);
  }

  forget(deviceId: string): void {
    this.transfers.delete(deviceId);
  }

  private async sendManifest(deviceId: string, transfer: Transfer): Promise<void> {
    const topic = deviceTopics(deviceId).deploy;
    try {
      await this.controller.publish(topic, this.controller.sign(topic, { deployId: transfer.deployId, manifest: transfer.bundle.manifest }));
      this.counters.manifests += 1;
    } catch (err) {
      this.log.warn({ deviceId, deployId: transfer.deployId, err: (err as Error).message }, 'deploy manifest not sent; retried later');
    }
  }

  private async onProgress(deviceId: string, progress: DeployProgress): Promise<void> {
    const transfer = this.transfers.get(deviceId);
    if (transfer === undefined || transfer.deployId !== progress.deployId) return;
    transfer.progressSeen = true;
    if (progress.state !== 'receiving' || progress.missing === undefined) return;
    const topics = deviceTopics(deviceId);
    const queue = progress.missing.filter((index) => index < transfer.bundle.manifest.chunks.length && !transfer.inFlight.has(index));
    const worker = async (): Promise<void> => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        if (this.transfers.get(deviceId) !== transfer) return;
        transfer.inFlight.add(index);
        const data = Buffer.from(chunkBytes(transfer.bundle.manifest, transfer.bundle.blob, index)).toString('base64');
        try {
          await this.controller.publish(topics.deployChunk(transfer.deployId, index), { id: transfer.deployId, index, data });
          this.counters.chunks += 1;
        } catch (err) {
          // The device asks again for what it did not get.
          this.log.debug({ deviceId, index, err: (err as Error).message }, 'chunk not sent');
        } finally {
          transfer.inFlight.delete(index);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHUNKS_IN_FLIGHT_PER_DEVICE, queue.length) }, worker));
  }
}
