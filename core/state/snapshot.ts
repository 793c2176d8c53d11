// The brain-state snapshot: a versioned, checksummed binary format, and restoring it into a compiled network.
//
// Layout (little-endian):
//   magic "HASNSNAP" (8) | format version u16 | flags u16 (0) | spec hash (32 bytes, sha256) | step u64
//   | section count u32 | sections … | sha256 of everything before (32)
// Section: name length u16 | name (UTF-8) | dtype u8 (0 f32, 1 f64, 2 i32, 3 u8) | element count u32
//   | padding to a multiple of 8 from the file start | the elements.
// Sections named `extra.<name>` carry opaque bytes of other layers (e.g. encoder state).
import { createHash } from 'node:crypto';
import { HasnError } from '../errors.ts';
import type { CompiledNetwork } from '../compile/types.ts';
import { DTYPES, stateSections, type Dtype, type SectionArray } from './sections.ts';

export const SNAPSHOT_MAGIC = 'HASNSNAP';
export const SNAPSHOT_FORMAT_VERSION = 1;
const HEADER_BYTES = 8 + 2 + 2 + 32 + 8 + 4;
const CHECKSUM_BYTES = 32;
const BYTES_PER: Record<Dtype, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };

interface RawSection {
  name: string;
  dtype: Dtype;
  bytes: Uint8Array;
}

export interface SnapshotHeader {
  formatVersion: number;
  specHash: string;
  step: number;
  sections: { name: string; dtype: Dtype; length: number }[];
}

/** Serialises the network's state at `step` (the next step to run), plus opaque `extra` sections. */
export function encodeSnapshot(net: CompiledNetwork, step: number, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const raw: RawSection[] = stateSections(net).map((s) => {
    const values = s.read();
    return { name: s.name, dtype: s.dtype, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  });
  for (const [name, bytes] of Object.entries(extra)) raw.push({ name: `extra.${name}`, dtype: 'u8', bytes });
  return writeSnapshot(net.specHash, step, raw);
}

function writeSnapshot(specHashHex: string, step: number, sections: RawSection[]): Uint8Array {
  const names = sections.map((s) => Buffer.from(s.name, 'utf8'));
  let size = HEADER_BYTES;
  for (let i = 0; i < sections.length; i++) size = align8(size + 2 + names[i]!.length + 1 + 4) + sections[i]!.bytes.length;
  size += CHECKSUM_BYTES;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(SNAPSHOT_MAGIC, 'ascii'), 0);
  view.setUint16(8, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint16(10, 0, true);
  out.set(Buffer.from(specHashHex, 'hex'), 12);
  view.setBigUint64(44, BigInt(step), true);
  view.setUint32(52, sections.length, true);
  let at = HEADER_BYTES;
  sections.forEach((s, i) => {
    const name = names[i]!;
    view.setUint16(at, name.length, true);
    out.set(name, at + 2);
    at += 2 + name.length;
    view.setUint8(at, DTYPES.indexOf(s.dtype));
    view.setUint32(at + 1, s.bytes.length / BYTES_PER[s.dtype], true);
    at = align8(at + 5);
    out.set(s.bytes, at);
    at += s.bytes.length;
  });
  out.set(createHash('sha256').update(out.subarray(0, at)).digest(), at);
  return out;
}

/** Parses and verifies a snapshot's structure and checksum (not yet against a network). */
export function readSnapshot(bytes: Uint8Array): { header: SnapshotHeader; sections: RawSection[] } {
  const corrupt = (why: string): HasnError => new HasnError('E_SNAPSHOT_CORRUPT', `snapshot is corrupt: ${why}`);
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) throw corrupt(`only ${bytes.length} bytes`);
  if (Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== SNAPSHOT_MAGIC) throw corrupt('not a HASN snapshot (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint16(8, true);
  if (formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw new HasnError('E_SNAPSHOT_VERSION', `snapshot format version ${formatVersion} is not supported (this build reads ${SNAPSHOT_FORMAT_VERSION})`);
  }
  const bodyEnd = bytes.length - CHECKSUM_BYTES;
  const expected = Buffer.from(bytes.subarray(bodyEnd));
  const actual = createHash('sha256').update(bytes.subarray(0, bodyEnd)).digest();
  if (!actual.equals(expected)) throw corrupt('checksum mismatch (truncated or modified)');
  const specHashHex = Buffer.from(bytes.subarray(12, 44)).toString('hex');
  const step = Number(view.getBigUint64(44, true));
  const count = view.getUint32(52, true);
  const sections: RawSection[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 2 > bodyEnd) throw corrupt(`section ${i} starts past the end`);
    const nameLength = view.getUint16(at, true);
    const name = Buffer.from(bytes.subarray(at + 2, at + 2 + nameLength)).toString('utf8');
    at += 2 + nameLength;
    const dtype = DTYPES[view.getUint8(at)];
    if (dtype === undefined) throw corrupt(`section "${name}" has an unknown element type`);
    const length = view.getUint32(at + 1, true);
    at = align8(at + 5);
    const byteLength = length * BYTES_PER[dtype];
    if (at + byteLength > bodyEnd) throw corrupt(`section "${name}" runs past the end`);
    sections.push({ name, dtype, bytes: bytes.subarray(at, at + byteLength) });
    at += byteLength;
  }
  if (at !== bodyEnd) throw corrupt('trailing bytes after the last section');
  return {
    header: { formatVersion, specHash: specHashHex, step, sections: sections.map((s) => ({ name: s.name, dtype: s.dtype, length: s.bytes.length / BYTES_PER[s.dtype] })) },
    sections,
  };
}

/** Restores a snapshot into a network compiled from the same spec (any partition count). */
export function restoreSnapshot(net: CompiledNetwork, bytes: Uint8Array): { step: number; extra: Record<string, Uint8Array> } {
  const { header, sections } = readSnapshot(bytes);
  if (header.specHash !== net.specHash) {
    throw new HasnError('E_SNAPSHOT_SPEC_MISMATCH', `snapshot was taken from another network (spec hash ${header.specHash.slice(0, 12)}…, this network ${net.specHash.slice(0, 12)}…)`);
  }
  const byName = new Map(sections.map((s) => [s.name, s]));
  const expected = stateSections(net);
  // Check everything before writing anything: a refused snapshot leaves the network untouched.
  const decoded = expected.map((s) => {
    const raw = byName.get(s.name);
    if (raw === undefined) throw new HasnError('E_SNAPSHOT_CORRUPT', `snapshot lacks section "${s.name}"`, { path: s.name });
    if (raw.dtype !== s.dtype || raw.bytes.length !== s.length * BYTES_PER[s.dtype]) {
      throw new HasnError('E_SNAPSHOT_CORRUPT', `section "${s.name}" has ${raw.dtype}[${raw.bytes.length / BYTES_PER[raw.dtype]}], expected ${s.dtype}[${s.length}]`, { path: s.name });
    }
    return { section: s, values: typedView(raw) };
  });
  const known = new Set(expected.map((s) => s.name));
  const extra: Record<string, Uint8Array> = {};
  for (const s of sections) {
    if (s.name.startsWith('extra.')) extra[s.name.slice(6)] = new Uint8Array(s.bytes);
    else if (!known.has(s.name)) throw new HasnError('E_SNAPSHOT_CORRUPT', `unknown section "${s.name}"`, { path: s.name });
  }
  for (const { section, values } of decoded) section.write(values);
  return { step: header.step, extra };
}

/** A typed copy of a section's elements (copied, so alignment of the source buffer never matters). */
export function typedView(raw: RawSection): SectionArray {
  const copy = new Uint8Array(raw.bytes); // a real copy: Buffer#slice would be a view
  switch (raw.dtype) {
    case 'f32': return new Float32Array(copy.buffer);
    case 'f64': return new Float64Array(copy.buffer);
    case 'i32': return new Int32Array(copy.buffer);
    case 'u8': return copy;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

export { writeSnapshot as writeSnapshotSections };
export type { RawSection };
