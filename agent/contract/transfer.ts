// Brain bundle transfer: the manifest, deployment requests, chunks (both directions) and deployment progress.
//
// A bundle's bytes ("blob") are the spec as UTF-8 JSON followed by the brain snapshot (core/state format;
// absent when the brain starts fresh). The manifest names the spec hash, the snapshot's sha256, the blob's
// size and sha256, and the sha256 of every chunk, so each chunk is checked on arrival and the whole before
// anything is applied. A deployment's manifest is signed (with the topic it travels on); chunks need no
// signature because the signed manifest pins their hashes.
import { z } from 'zod';
import { signedFields } from './auth.ts';
import { ErrorInfo } from './messages.ts';
import { TRANSFER_ID_PATTERN } from './topics.ts';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 as 64 lowercase hex digits');
export const TransferId = z.string().regex(TRANSFER_ID_PATTERN, '1–64 of A–Z a–z 0–9 _ -');

/** Chunk sizes a sender may pick; the device refuses bigger ones (its MQTT packet budget). */
export const MAX_CHUNK_BYTES = 256 * 1024;
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export const BrainManifest = z
  .strictObject({
    name: z.string().max(128).optional(),
    specHash: Sha256Hex,
    specBytes: z.number().int().positive(),
    /** 0 when the bundle carries no snapshot (the brain starts from the spec's initial state). */
    snapshotBytes: z.number().int().nonnegative(),
    snapshotSha256: Sha256Hex.nullable(),
    size: z.number().int().positive().max(MAX_BUNDLE_BYTES),
    sha256: Sha256Hex,
    chunkSize: z.number().int().positive().max(MAX_CHUNK_BYTES),
    chunks: z.array(Sha256Hex).min(1).max(Math.ceil(MAX_BUNDLE_BYTES / 1024)),
  })
  .superRefine((m, ctx) => {
    if (m.specBytes + m.snapshotBytes !== m.size) ctx.addIssue({ code: 'custom', path: ['size'], message: 'size must equal specBytes + snapshotBytes' });
    if (Math.ceil(m.size / m.chunkSize) !== m.chunks.length) ctx.addIssue({ code: 'custom', path: ['chunks'], message: 'one sha256 per chunk of chunkSize bytes' });
    if ((m.snapshotBytes === 0) !== (m.snapshotSha256 === null)) ctx.addIssue({ code: 'custom', path: ['snapshotSha256'], message: 'null exactly when snapshotBytes is 0' });
  });
export type BrainManifest = z.infer<typeof BrainManifest>;

/** `deploy` (signed): start (or resume) receiving a brain. */
export const DeployRequest = z.strictObject({
  deployId: TransferId,
  manifest: BrainManifest,
  ...signedFields,
});
export type DeployRequest = z.infer<typeof DeployRequest>;

/** `deploy/<id>/<n>` (→dev) and `pull/<id>/<n>` (dev→): one chunk, base64. */
export const ChunkPayload = z.strictObject({
  id: TransferId,
  index: z.number().int().nonnegative(),
  data: z.string().max(Math.ceil(MAX_CHUNK_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
});
export type ChunkPayload = z.infer<typeof ChunkPayload>;

export const DEPLOY_STATES = ['receiving', 'applying', 'applied', 'failed', 'rolled_back'] as const;
export type DeployState = (typeof DEPLOY_STATES)[number];

/** Data of a `deploy` event: where a deployment stands on the device. `missing` asks for those chunks. */
export const DeployProgress = z.strictObject({
  deployId: TransferId,
  state: z.enum(DEPLOY_STATES),
  received: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  missing: z.array(z.number().int().nonnegative()).max(4096).optional(),
  specHash: Sha256Hex.optional(),
  error: ErrorInfo.optional(),
});
export type DeployProgress = z.infer<typeof DeployProgress>;

/** Result of the `pull` command: the manifest of the chunks that follow on `pull/<pullId>/<n>`. */
export const PullResult = z.strictObject({ pullId: TransferId, manifest: BrainManifest, resent: z.number().int().nonnegative() });
export type PullResult = z.infer<typeof PullResult>;
