// The IDX file format (LeCun's MNIST format, also Fashion-MNIST): parses the bytes of an unsigned-byte IDX file.
//
// Layout: two zero bytes, a type byte (0x08 = unsigned byte, the only type MNIST-style data uses), the
// number of dimensions, then each dimension as a big-endian uint32, then the data, row-major. The file is
// read elsewhere (core does no I/O); this only checks and views the bytes.
import { HasnError } from '../errors.ts';

export interface IdxArray {
  /** Sizes of the dimensions, outermost first (e.g. [60000, 28, 28] for images, [60000] for labels). */
  readonly dims: readonly number[];
  /** The values, row-major; a view of the input bytes (not a copy). */
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** Parses an unsigned-byte IDX file; `name` (e.g. the file path) is named in errors. Throws HasnError E_IDX_*. */
export function parseIdx(bytes: Uint8Array, name = 'idx'): IdxArray {
  if (bytes.length < 4) throw new HasnError('E_IDX_HEADER', `${name}: ${bytes.length} bytes is too short for an IDX header (4-byte magic number)`, { path: name });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new HasnError('E_IDX_HEADER', `${name}: not an IDX file (the magic number must start with two zero bytes; is it still gzip-compressed?)`, { path: name });
  }
  const type = bytes[2]!;
  if (type !== UNSIGNED_BYTE) {
    const what = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, '0')}`;
    throw new HasnError('E_IDX_TYPE', `${name}: element type ${what}; only unsigned-byte IDX (type 0x08) is supported`, { path: name });
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new HasnError('E_IDX_HEADER', `${name}: the header declares no dimensions`, { path: name });
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new HasnError('E_IDX_HEADER', `${name}: the header declares ${rank} dimensions (${headerLength} bytes) but the file has ${bytes.length} bytes`, { path: name });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n;
  }
  const dataLength = bytes.length - headerLength;
  if (size !== dataLength) {
    throw new HasnError('E_IDX_LENGTH', `${name}: dimensions ${dims.join('×')} need ${size} data bytes but the file has ${dataLength} (truncated or not this format)`, { path: name });
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Builds the bytes of an unsigned-byte IDX file (for tests and for writing subsets). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new HasnError('E_IDX_LENGTH', `dimensions ${dims.join('×')} need ${size} values, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = UNSIGNED_BYTE;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
