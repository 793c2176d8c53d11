// The portable JSON form of a snapshot: the same header and sections, element values as plain JSON numbers.
import { HasnError } from '../errors.ts';
import { DTYPES, type Dtype } from './sections.ts';
import { readSnapshot, typedView, writeSnapshotSections, type RawSection } from './snapshot.ts';

export interface SnapshotJson {
  format: 'hasn-snapshot';
  version: number;
  spec_hash: string;
  step: number;
  sections: { name: string; dtype: Dtype; values: number[] }[];
}

export function snapshotToJson(bytes: Uint8Array): SnapshotJson {
  const { header, sections } = readSnapshot(bytes);
  return {
    format: 'hasn-snapshot', version: header.formatVersion, spec_hash: header.specHash, step: header.step,
    sections: sections.map((s) => ({ name: s.name, dtype: s.dtype, values: Array.from(typedView(s)) })),
  };
}

export function snapshotFromJson(json: unknown): Uint8Array {
  const bad = (why: string, path = '(root)'): HasnError => new HasnError('E_SNAPSHOT_JSON', `snapshot JSON is invalid: ${why}`, { path });
  if (typeof json !== 'object' || json === null) throw bad('not an object');
  const j = json as Partial<SnapshotJson>;
  if (j.format !== 'hasn-snapshot') throw bad('format must be "hasn-snapshot"', 'format');
  if (typeof j.spec_hash !== 'string' || !/^[0-9a-f]{64}$/.test(j.spec_hash)) throw bad('spec_hash must be 64 hex digits', 'spec_hash');
  if (typeof j.step !== 'number' || !Number.isSafeInteger(j.step) || j.step < 0) throw bad('step must be a non-negative integer', 'step');
  if (!Array.isArray(j.sections)) throw bad('sections must be an array', 'sections');
  const raw: RawSection[] = j.sections.map((s, i) => {
    if (typeof s?.name !== 'string' || !DTYPES.includes(s.dtype) || !Array.isArray(s.values)) throw bad('each section needs name, dtype, values', `sections[${i}]`);
    const values = s.dtype === 'f32' ? Float32Array.from(s.values) : s.dtype === 'f64' ? Float64Array.from(s.values)
      : s.dtype === 'i32' ? Int32Array.from(s.values) : Uint8Array.from(s.values);
    return { name: s.name, dtype: s.dtype, bytes: new Uint8Array(values.buffer) };
  });
  return writeSnapshotSections(j.spec_hash, j.step, raw);
}
