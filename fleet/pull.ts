// `hasn fleet pull DEVICE`: brings a device's running brain (spec + fresh snapshot) into the controller's store.
//
// The device answers the signed `pull` command with the manifest and then sends the chunks; each chunk is
// checked against the manifest on arrival, missing ones are asked for again, and the whole is verified
// (sha256, spec hash, snapshot belongs to the spec) before it is stored as a bundle other devices can get.
import { randomBytes } from 'node:crypto';
import { HasnError } from '../core/errors.ts';
import { chunkMatches, openBundle } from '../agent/contract/bundle.ts';
import { PullResult } from '../agent/contract/transfer.ts';
import type { BrainManifest, ChunkPayload } from '../agent/contract/transfer.ts';
import type { FleetController } from './controller.ts';

export interface PullOutcome {
  bundleId: string;
  manifest: BrainManifest;
  /** Chunks asked for again after they went missing. */
  rerequested: number;
}

export async function pullBrain(controller: FleetController, deviceId: string, options: { stallMs?: number; attempts?: number; timeoutMs?: number } = {}): Promise<PullOutcome> {
  const pullId = `p${randomBytes(6).toString('hex')}`;
  const stallMs = options.stallMs ?? 5000;
  const received = new Map<number, Buffer>();
  const early: ChunkPayload[] = [];
  let manifest: BrainManifest | undefined;
  let lastChunkAt = controller.now();
  let rejected = 0;
  const accept = (chunk: ChunkPayload): void => {
    const bytes = Buffer.from(chunk.data, 'base64');
    if (!chunkMatches(manifest!, chunk.index, bytes)) {
      rejected += 1;
      return;
    }
    received.set(chunk.index, bytes);
    lastChunkAt = controller.now();
  };
  const onChunk = (from: string, id: string, chunk: ChunkPayload): void => {
    if (from !== deviceId || id !== pullId) return;
    if (manifest === undefined) early.push(chunk);
    else accept(chunk);
  };
  controller.ingest.on('pull-chunk', onChunk);
  try {
    const response = await controller.command(deviceId, 'pull', { pullId }, options.timeoutMs ?? 30_000);
    if (!response.ok) throw new HasnError(response.error.code, `${deviceId} refused the pull: ${response.error.message}`, { path: deviceId });
    manifest = PullResult.parse(response.result).manifest;
    for (const chunk of early.splice(0)) accept(chunk);
    const total = manifest.chunks.length;
    let rerequested = 0;
    for (let attempt = 0; received.size < total; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (controller.now() - lastChunkAt < stallMs) continue;
      if (++attempt > (options.attempts ?? 3)) {
        throw new HasnError('E_PULL_INCOMPLETE', `${deviceId} sent ${received.size} of ${total} chunks${rejected > 0 ? ` (${rejected} failed their hash)` : ''}; try again`, { path: deviceId });
      }
      const missing = manifest.chunks.map((_, i) => i).filter((i) => !received.has(i)).slice(0, 4096);
      rerequested += missing.length;
      lastChunkAt = controller.now();
      const again = await controller.command(deviceId, 'pull', { pullId, chunks: missing }, options.timeoutMs ?? 30_000);
      if (!again.ok) throw new HasnError(again.error.code, `${deviceId} could not re-send chunks: ${again.error.message}`, { path: deviceId });
    }
    const blob = Buffer.concat(manifest.chunks.map((_, i) => received.get(i)!));
    openBundle(manifest, blob);
    const bundleId = controller.store.deployments.saveBundle({ manifest, blob }, `pull:${deviceId}`);
    return { bundleId, manifest, rerequested };
  } finally {
    controller.ingest.off('pull-chunk', onChunk);
  }
}
