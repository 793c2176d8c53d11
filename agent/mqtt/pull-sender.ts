// `pull`: packs the running brain into a bundle, answers with its manifest, and queues its chunks on `pull/<id>/<n>`.
//
// The packed bundle is kept on disk (only the newest pull) so that the controller can ask again for the
// chunks it missed (`pull` with the same pullId and `chunks`), also after the agent restarted.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HasnError } from '../../core/errors.ts';
import type { AgentControl } from '../contract/agent-control.ts';
import { buildBundle, chunkBytes } from '../contract/bundle.ts';
import { BrainManifest } from '../contract/transfer.ts';
import type { ChunkPayload, PullResult } from '../contract/transfer.ts';
import type { DeviceTopics } from '../contract/topics.ts';
import type { DeviceSender } from './device-sender.ts';

export class PullSender {
  private readonly dir: string;

  constructor(
    stagingDir: string,
    private readonly topics: DeviceTopics,
    private readonly control: AgentControl,
    private readonly sender: DeviceSender,
    private readonly chunkSize: number,
  ) {
    this.dir = join(stagingDir, 'pull');
  }

  /** Packs (or reloads) the bundle; `queueChunks` must be called after the response is enqueued. */
  async handle(pullId: string, chunks: number[] | undefined): Promise<{ result: PullResult; queueChunks: () => void }> {
    const staged = chunks === undefined ? await this.pack(pullId) : this.load(pullId);
    const indices = chunks ?? staged.manifest.chunks.map((_, i) => i);
    for (const index of indices) {
      if (index >= staged.manifest.chunks.length) throw new HasnError('E_PULL_CHUNK_INDEX', `chunk ${index} does not exist (the bundle has ${staged.manifest.chunks.length})`, { path: 'chunks' });
    }
    const payloads = function* (): Generator<ChunkPayload> {
      for (const index of indices) yield { id: pullId, index, data: Buffer.from(chunkBytes(staged.manifest, staged.blob, index)).toString('base64') };
    };
    return {
      result: { pullId, manifest: staged.manifest, resent: chunks === undefined ? 0 : indices.length },
      queueChunks: () => this.sender.chunks((index) => this.topics.pullChunk(pullId, index), payloads()),
    };
  }

  private async pack(pullId: string): Promise<{ manifest: BrainManifest; blob: Uint8Array }> {
    const brain = await this.control.exportBrain();
    const bundle = buildBundle({ spec: brain.spec, snapshot: brain.snapshot }, this.chunkSize);
    rmSync(this.dir, { recursive: true, force: true });
    const target = join(this.dir, pullId);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'blob.tmp'), bundle.blob);
    renameSync(join(target, 'blob.tmp'), join(target, 'blob'));
    writeFileSync(join(target, 'manifest.json'), JSON.stringify(bundle.manifest));
    return bundle;
  }

  private load(pullId: string): { manifest: BrainManifest; blob: Uint8Array } {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      // no pull kept
    }
    if (!names.includes(pullId)) throw new HasnError('E_PULL_UNKNOWN', `pull ${pullId} is not kept on this device any more; start a new pull`, { path: 'pullId' });
    const manifest = BrainManifest.parse(JSON.parse(readFileSync(join(this.dir, pullId, 'manifest.json'), 'utf8')));
    return { manifest, blob: readFileSync(join(this.dir, pullId, 'blob')) };
  }
}
