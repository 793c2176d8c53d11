// Brain bundles: spec + snapshot packed into one blob with a manifest, split into chunks, and checked on arrival.
import { createHash } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import { canonicalJson, specHash } from '../../core/spec/hash.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import { readSnapshot } from '../../core/state/index.ts';
import { DEFAULT_CHUNK_BYTES, MAX_BUNDLE_BYTES, MAX_CHUNK_BYTES } from './transfer.ts';
import type { BrainManifest } from './transfer.ts';

export interface Brain {
  spec: NetworkSpec;
  /** A core/state snapshot of this spec's network; null to start from the spec's initial state. */
  snapshot: Uint8Array | null;
}

export interface Bundle {
  manifest: BrainManifest;
  blob: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Packs a brain: checks that the snapshot belongs to the spec, then hashes the blob and each chunk. */
export function buildBundle(brain: { spec: unknown; snapshot: Uint8Array | null; name?: string }, chunkSize = DEFAULT_CHUNK_BYTES): Bundle {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) {
    throw new HasnError('E_BUNDLE_CHUNK_SIZE', `chunk size must be 1…${MAX_CHUNK_BYTES} bytes, got ${chunkSize}`, { path: 'chunkSize' });
  }
  const spec = parseSpec(brain.spec);
  const hash = specHash(spec);
  const snapshot = brain.snapshot !== null && brain.snapshot.length > 0 ? brain.snapshot : null;
  if (snapshot !== null) checkSnapshotFits(snapshot, hash);
  const specBytes = Buffer.from(canonicalJson(spec), 'utf8');
  const blob = new Uint8Array(specBytes.length + (snapshot?.length ?? 0));
  blob.set(specBytes, 0);
  if (snapshot !== null) blob.set(snapshot, specBytes.length);
  if (blob.length > MAX_BUNDLE_BYTES) {
    throw new HasnError('E_BUNDLE_TOO_LARGE', `the bundle is ${blob.length} bytes; at most ${MAX_BUNDLE_BYTES} are accepted`, { path: 'size' });
  }
  const chunks: string[] = [];
  for (let at = 0; at < blob.length; at += chunkSize) chunks.push(sha256Hex(blob.subarray(at, at + chunkSize)));
  const manifest: BrainManifest = {
    ...(brain.name === undefined ? {} : { name: brain.name.slice(0, 128) }),
    specHash: hash,
    specBytes: specBytes.length,
    snapshotBytes: snapshot?.length ?? 0,
    snapshotSha256: snapshot === null ? null : sha256Hex(snapshot),
    size: blob.length,
    sha256: sha256Hex(blob),
    chunkSize,
    chunks,
  };
  return { manifest, blob };
}

/** The bytes of chunk `index` of a blob. */
export function chunkBytes(manifest: BrainManifest, blob: Uint8Array, index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || index >= manifest.chunks.length) {
    throw new HasnError('E_BUNDLE_CHUNK_INDEX', `chunk ${index} does not exist (0…${manifest.chunks.length - 1})`, { path: 'index' });
  }
  return blob.subarray(index * manifest.chunkSize, Math.min(manifest.size, (index + 1) * manifest.chunkSize));
}

/** The byte length chunk `index` must have. */
export function expectedChunkLength(manifest: BrainManifest, index: number): number {
  return Math.min(manifest.size, (index + 1) * manifest.chunkSize) - index * manifest.chunkSize;
}

/** Whether `bytes` are exactly chunk `index` of the manifest's blob. */
export function chunkMatches(manifest: BrainManifest, index: number, bytes: Uint8Array): boolean {
  return index >= 0 && index < manifest.chunks.length && bytes.length === expectedChunkLength(manifest, index) && sha256Hex(bytes) === manifest.chunks[index];
}

/**
 * Unpacks a complete blob after checking everything the manifest promises: size, whole sha256, the
 * snapshot's sha256, the spec's validity and hash, and that the snapshot was taken of that spec.
 */
export function openBundle(manifest: BrainManifest, blob: Uint8Array): Brain {
  const fail = (code: string, message: string): HasnError => new HasnError(code, message, { path: 'manifest' });
  if (blob.length !== manifest.size) throw fail('E_BUNDLE_SIZE', `the bundle has ${blob.length} bytes, the manifest says ${manifest.size}`);
  if (sha256Hex(blob) !== manifest.sha256) throw fail('E_BUNDLE_HASH', 'the bundle does not match the manifest sha256');
  const snapshot = manifest.snapshotBytes > 0 ? blob.slice(manifest.specBytes) : null;
  if (snapshot !== null && sha256Hex(snapshot) !== manifest.snapshotSha256) throw fail('E_BUNDLE_HASH', 'the snapshot does not match the manifest snapshotSha256');
  let spec: NetworkSpec;
  try {
    spec = parseSpec(JSON.parse(Buffer.from(blob.subarray(0, manifest.specBytes)).toString('utf8')));
  } catch (err) {
    throw new HasnError('E_BUNDLE_SPEC_INVALID', `the bundle's spec is not a valid network spec: ${(err as Error).message}`, { path: 'spec', cause: err });
  }
  if (specHash(spec) !== manifest.specHash) throw fail('E_BUNDLE_SPEC_HASH', 'the spec does not match the manifest specHash');
  if (snapshot !== null) checkSnapshotFits(snapshot, manifest.specHash);
  return { spec, snapshot };
}

function checkSnapshotFits(snapshot: Uint8Array, hash: string): void {
  const { header } = readSnapshot(snapshot);
  if (header.specHash !== hash) {
    throw new HasnError('E_BUNDLE_SNAPSHOT_MISMATCH', 'the snapshot was taken of another network (its spec hash differs)', { path: 'snapshot' });
  }
}
