// Writes NumPy .npy files (format 1.0): the way exported scripts receive large arrays without parsing text.
//
// Layout: "\x93NUMPY" | major 1 | minor 0 | header length u16 LE | ASCII dict padded with spaces and a final
// newline so the data starts at a multiple of 64 bytes | the data, C order, little-endian.
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export type NpyArray = Float64Array | Float32Array | Int32Array | Int8Array | Uint8Array;

function descr(data: NpyArray): string {
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Int8Array) return '|i1';
  return '|u1';
}

/** Encodes `data` (C order) with the given shape as an .npy file. */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // Typed arrays are little-endian on every platform Node runs on here (x86-64, arm64).
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
