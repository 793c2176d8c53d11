// Brain deployments on the device: signed manifest, chunks checked one by one and kept on disk, then the whole.
//
// Flow: `deploy` (signed manifest) → the device answers with a `deploy` event {state: receiving, missing}
// → the controller sends those chunks on `deploy/<id>/<n>` → each is checked against its sha256 from the
// signed manifest and stored → when all are there the blob is checked as a whole (size, sha256, spec hash,
// snapshot) and handed to AgentControl.deploy, which keeps the previous brain for rollback → `applied` or
// `failed`. Resumable: chunks survive a restart in the staging directory; after every (re)connect, and when
// chunks stop coming, the device asks again for what is missing. Nothing is applied before the manifest's
// signature is verified, and nothing that does not match the manifest is ever written.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HasnError } from '../../core/errors.ts';
import type { AgentControl } from '../contract/agent-control.ts';
import { chunkMatches, openBundle } from '../contract/bundle.ts';
import { decodePayload, errorInfo, MAX_PAYLOAD_BYTES } from '../contract/decode.ts';
import type { ErrorInfo } from '../contract/messages.ts';
import { BrainManifest, ChunkPayload, DEPLOY_STATES, DeployRequest, MAX_BUNDLE_BYTES } from '../contract/transfer.ts';
import type { DeployProgress } from '../contract/transfer.ts';
import type { Logger } from '../log.ts';
import type { AuditLog } from '../store/index.ts';
import type { MessageAuthenticator } from './authenticator.ts';
import type { IncomingMessage } from './client.ts';
import type { DeviceSender } from './device-sender.ts';
import type { Rejections } from './rejections.ts';

const MAX_MISSING_LISTED = 4096;
const FINISHED_KEPT = 32;

const StagedDeploy = z.object({ deployId: z.string(), manifest: BrainManifest, acceptedAt: z.number(), keyId: z.string().optional() });
type StagedDeploy = z.infer<typeof StagedDeploy>;
const Finished = z.array(z.object({ deployId: z.string(), state: z.enum(DEPLOY_STATES), specHash: z.string().optional(), error: z.unknown().optional() }));
type Finished = z.infer<typeof Finished>;

export interface DeployReceiverDeps {
  deviceId: string;
  stagingDir: string;
  control: AgentControl;
  sender: DeviceSender;
  authenticator: MessageAuthenticator;
  rejections: Rejections;
  audit: AuditLog;
  log: Logger;
  now: () => number;
  isConnected: () => boolean;
  /** After the running brain changed (the link reports it with a `brain` event). */
  onBrainChanged: () => void;
  maxBundleBytes?: number;
  /** Ask again for missing chunks when none arrived for this long. */
  stallMs?: number;
  /** A staged deployment not completed within this time is discarded. */
  stagingTtlMs?: number;
}

export class DeployReceiver {
  private readonly dir: string;
  private readonly currentDir: string;
  private staged: StagedDeploy | undefined;
  private received = new Set<number>();
  private applying = false;
  private lastChunkAt = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly counters = { chunksStored: 0, chunksDuplicate: 0, applied: 0, failed: 0 };

  constructor(private readonly deps: DeployReceiverDeps) {
    this.dir = join(deps.stagingDir, 'deploy');
    this.currentDir = join(this.dir, 'current');
    mkdirSync(this.dir, { recursive: true });
    this.loadStaged();
  }

  start(): void {
    const stallMs = this.deps.stallMs ?? 10_000;
    this.timer = setInterval(() => {
      if (this.staged === undefined || this.applying || !this.deps.isConnected()) return;
      if (this.expireIfStale()) return;
      if (this.deps.now() - this.lastChunkAt >= stallMs) this.askForMissing();
    }, Math.max(100, Math.floor(stallMs / 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The deployment being received, for the birth message. */
  pending(): { deployId: string; received: number; total: number } | undefined {
    if (this.staged === undefined) return undefined;
    return { deployId: this.staged.deployId, received: this.received.size, total: this.staged.manifest.chunks.length };
  }

  /** After every (re)connect: resume a deployment in progress. */
  onConnect(): void {
    if (this.staged !== undefined && !this.applying && !this.expireIfStale()) this.askForMissing();
  }

  async handleManifest(message: IncomingMessage): Promise<void> {
    const { deps } = this;
    const decoded = decodePayload(DeployRequest, message.payload, MAX_PAYLOAD_BYTES.deploy);
    if (!decoded.ok) return deps.rejections.reject(message.topic, decoded.error);
    const request = decoded.value;
    try {
      deps.authenticator.check(message.topic, decoded.raw, request.auth, true);
      const limit = deps.maxBundleBytes ?? MAX_BUNDLE_BYTES;
      if (request.manifest.size > limit) throw new HasnError('E_DEPLOY_TOO_LARGE', `the bundle is ${request.manifest.size} bytes; this device accepts at most ${limit}`, { path: 'manifest.size' });
    } catch (err) {
      deps.rejections.reject(message.topic, err as HasnError);
      return;
    }
    const finished = this.finished().find((f) => f.deployId === request.deployId);
    if (finished !== undefined) {
      this.progress({ deployId: finished.deployId, state: finished.state, received: 0, total: request.manifest.chunks.length, ...(finished.specHash === undefined ? {} : { specHash: finished.specHash }), ...(finished.error === undefined ? {} : { error: finished.error as ErrorInfo }) });
      return;
    }
    if (this.staged?.deployId === request.deployId && sameManifest(this.staged.manifest, request.manifest)) {
      if (!this.applying) this.askForMissing();
      return;
    }
    if (this.applying) {
      deps.rejections.reject(message.topic, new HasnError('E_DEPLOY_BUSY', 'another deployment is being applied; send this one again later', { path: 'deployId' }));
      return;
    }
    if (this.staged !== undefined) this.finish('failed', undefined, { code: 'E_DEPLOY_SUPERSEDED', message: `superseded by deployment ${request.deployId}` });
    this.stage({ deployId: request.deployId, manifest: request.manifest, acceptedAt: deps.now(), ...(request.auth.keyId === undefined ? {} : { keyId: request.auth.keyId }) });
    deps.log.info({ deployId: request.deployId, size: request.manifest.size, chunks: request.manifest.chunks.length }, 'deployment accepted; receiving');
    this.askForMissing();
  }

  async handleChunk(message: IncomingMessage, transferId: string, index: number): Promise<void> {
    const { deps } = this;
    const decoded = decodePayload(ChunkPayload, message.payload, MAX_PAYLOAD_BYTES.chunk);
    if (!decoded.ok) return deps.rejections.reject(message.topic, decoded.error);
    const chunk = decoded.value;
    if (chunk.id !== transferId || chunk.index !== index) {
      return deps.rejections.reject(message.topic, new HasnError('E_CHUNK_MISMATCH', 'the chunk payload names another deployment or index than its topic', { path: 'index' }));
    }
    const staged = this.staged;
    if (staged === undefined || staged.deployId !== chunk.id) {
      // Late copies of a finished deployment's chunks are expected after a resend; anything else is not.
      if (this.finished().some((f) => f.deployId === chunk.id)) {
        this.counters.chunksDuplicate += 1;
        return;
      }
      return deps.rejections.reject(message.topic, new HasnError('E_DEPLOY_UNKNOWN', `no deployment ${chunk.id} is being received`, { path: 'id' }));
    }
    if (this.received.has(index) || this.applying) {
      this.counters.chunksDuplicate += 1;
      return;
    }
    const bytes = Buffer.from(chunk.data, 'base64');
    if (!chunkMatches(staged.manifest, index, bytes)) {
      return deps.rejections.reject(message.topic, new HasnError('E_CHUNK_HASH', `chunk ${index} does not match the signed manifest`, { path: 'data' }));
    }
    const file = join(this.currentDir, `chunk-${index}`);
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    this.received.add(index);
    this.counters.chunksStored += 1;
    this.lastChunkAt = deps.now();
    if (this.received.size === staged.manifest.chunks.length) await this.apply(staged);
  }

  private async apply(staged: StagedDeploy): Promise<void> {
    this.applying = true;
    const total = staged.manifest.chunks.length;
    this.progress({ deployId: staged.deployId, state: 'applying', received: total, total });
    try {
      const blob = Buffer.concat(staged.manifest.chunks.map((_, i) => readFileSync(join(this.currentDir, `chunk-${i}`))));
      const brain = openBundle(staged.manifest, blob);
      const result = await this.deps.control.deploy(staged.deployId, brain);
      this.counters.applied += 1;
      this.finish('applied', result.specHash);
      this.deps.onBrainChanged();
    } catch (err) {
      this.counters.failed += 1;
      this.deps.log.error({ deployId: staged.deployId, err: (err as Error).message }, 'deployment failed; the previous brain keeps running');
      this.finish('failed', undefined, errorInfo(err));
    } finally {
      this.applying = false;
    }
  }

  private finish(state: 'applied' | 'failed', specHash: string | undefined, error?: ErrorInfo): void {
    const staged = this.staged;
    if (staged === undefined) return;
    const total = staged.manifest.chunks.length;
    const received = this.received.size;
    const finished = [{ deployId: staged.deployId, state, ...(specHash === undefined ? {} : { specHash }), ...(error === undefined ? {} : { error }) }, ...this.finished()].slice(0, FINISHED_KEPT);
    writeFileSync(join(this.dir, 'finished.json.tmp'), JSON.stringify(finished));
    renameSync(join(this.dir, 'finished.json.tmp'), join(this.dir, 'finished.json'));
    rmSync(this.currentDir, { recursive: true, force: true });
    this.staged = undefined;
    this.received = new Set();
    this.deps.audit.append({ actor: `fleet:${staged.keyId ?? 'unknown'}`, action: `deploy.${state}`, target: this.deps.deviceId, details: { deployId: staged.deployId, specHash: staged.manifest.specHash, error: error ?? null } });
    this.progress({ deployId: staged.deployId, state, received, total, ...(specHash === undefined ? {} : { specHash }), ...(error === undefined ? {} : { error }) });
  }

  private askForMissing(): void {
    const staged = this.staged;
    if (staged === undefined) return;
    const missing: number[] = [];
    for (let i = 0; i < staged.manifest.chunks.length && missing.length < MAX_MISSING_LISTED; i++) if (!this.received.has(i)) missing.push(i);
    this.lastChunkAt = this.deps.now();
    this.progress({ deployId: staged.deployId, state: 'receiving', received: this.received.size, total: staged.manifest.chunks.length, missing });
  }

  private progress(progress: DeployProgress): void {
    this.deps.sender.event('deploy', progress.state === 'failed' ? 'error' : 'info', progress);
  }

  private stage(staged: StagedDeploy): void {
    rmSync(this.currentDir, { recursive: true, force: true });
    mkdirSync(this.currentDir, { recursive: true });
    writeFileSync(join(this.currentDir, 'manifest.json'), JSON.stringify(staged));
    this.staged = staged;
    this.received = new Set();
  }

  private expireIfStale(): boolean {
    const staged = this.staged;
    if (staged === undefined || this.deps.now() - staged.acceptedAt < (this.deps.stagingTtlMs ?? 3_600_000)) return false;
    this.finish('failed', undefined, { code: 'E_DEPLOY_EXPIRED', message: 'the deployment was not completed in time and was discarded' });
    return true;
  }

  /** Resumes a deployment left in the staging directory by an earlier run; discards anything unreadable. */
  private loadStaged(): void {
    const file = join(this.currentDir, 'manifest.json');
    if (!existsSync(file)) return;
    try {
      const staged = StagedDeploy.parse(JSON.parse(readFileSync(file, 'utf8')));
      const received = new Set<number>();
      for (const name of readdirSync(this.currentDir)) {
        const match = /^chunk-(\d+)$/.exec(name);
        if (match !== null && Number(match[1]) < staged.manifest.chunks.length) received.add(Number(match[1]));
      }
      this.staged = staged;
      this.received = received;
      this.deps.log.info({ deployId: staged.deployId, received: received.size, total: staged.manifest.chunks.length }, 'resuming a deployment');
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'discarding an unreadable staged deployment');
      rmSync(this.currentDir, { recursive: true, force: true });
    }
  }

  private finished(): Finished {
    try {
      return Finished.parse(JSON.parse(readFileSync(join(this.dir, 'finished.json'), 'utf8')));
    } catch {
      return [];
    }
  }
}

function sameManifest(a: BrainManifest, b: BrainManifest): boolean {
  return a.sha256 === b.sha256 && a.chunkSize === b.chunkSize && a.size === b.size;
}
