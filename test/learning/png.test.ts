// The PNG encoder (checked by an independent decoder: chunk layout, our own CRC-32, inflated scanlines) and the receptive-field grid.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyscalePng } from '../../bench/learn/png.ts';
import { receptiveFieldGrid } from '../../bench/learn/receptive-fields.ts';

/** Bitwise CRC-32 (IEEE), written here so the test does not trust the encoder's CRC. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function decodeGreyscale(png: Uint8Array): { width: number; height: number; pixels: Uint8Array; types: string[] } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const types: string[] = [];
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    expect(view.getUint32(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    types.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      expect(Array.from(data.subarray(8))).toEqual([8, 0, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, pixels, types };
}

describe('encodeGreyscalePng', () => {
  it('writes IHDR, IDAT, IEND with valid CRCs and the pixels row by row', () => {
    const pixels = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
    const decoded = decodeGreyscale(encodeGreyscalePng(5, 3, pixels));
    expect(decoded.types).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([decoded.width, decoded.height]).toEqual([5, 3]);
    expect(Array.from(decoded.pixels)).toEqual(Array.from(pixels));
  });

  it('refuses a pixel count that does not match the size', () => {
    expect(() => encodeGreyscalePng(2, 2, new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('receptiveFieldGrid', () => {
  it('places tile n at row n / columns, column n % columns, each scaled to its own maximum, with grey gaps', () => {
    // three 2 × 2 tiles, two columns
    const weights = Float32Array.of(0, 1, 2, 4, 0.5, 0, 0, 0, 0, 0, 0, 0);
    const grid = receptiveFieldGrid(weights, 3, 2, 2, { columns: 2, gap: 1 });
    expect([grid.width, grid.height]).toEqual([7, 7]);
    const at = (x: number, y: number) => grid.pixels[y * grid.width + x];
    expect([at(1, 1), at(2, 1), at(1, 2), at(2, 2)]).toEqual([0, 64, 128, 255]);
    expect(at(4, 1)).toBe(255);
    expect([at(1, 4), at(2, 5)]).toEqual([0, 0]);
    expect([at(0, 0), at(3, 1), at(5, 5)]).toEqual([96, 96, 96]);
  });
});
