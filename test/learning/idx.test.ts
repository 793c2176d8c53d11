// The IDX reader: well-formed files parse to their dims and bytes; malformed headers fail with a stable code; the real data loads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../bench/learn/fashion-mnist.ts';
import { HasnError } from '../../core/errors.ts';
import { encodeIdx, parseIdx } from '../../core/learning/idx.ts';
import { classCount, labelledImages, sliceImages } from '../../core/learning/images.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof HasnError ? err.code : `not a HasnError: ${String(err)}`;
  }
  return undefined;
}

const IMAGE_DIMS = [3, 2, 2];
const PIXELS = Uint8Array.from({ length: 12 }, (_, i) => i * 20);

describe('parseIdx', () => {
  it('reads the dimensions big-endian and returns the data row-major', () => {
    const bytes = encodeIdx(IMAGE_DIMS, PIXELS);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2]);
    const idx = parseIdx(bytes);
    expect(idx.dims).toEqual(IMAGE_DIMS);
    expect(Array.from(idx.data)).toEqual(Array.from(PIXELS));
  });

  it('reads dimensions above 2^24 and 2^31 without sign trouble', () => {
    const header = Uint8Array.of(0, 0, 8, 2, 0x80, 0, 0, 0, 0, 0, 0, 0);
    expect(parseIdx(header).dims).toEqual([0x80000000, 0]);
  });

  it('rejects a file shorter than the magic number (E_IDX_HEADER)', () => {
    expect(codeOf(() => parseIdx(Uint8Array.of(0, 0, 8)))).toBe('E_IDX_HEADER');
  });

  it('rejects a gzip file that was not decompressed, naming the likely cause', () => {
    const gz = gzipSync(encodeIdx(IMAGE_DIMS, PIXELS));
    expect(() => parseIdx(new Uint8Array(gz), 'x.gz')).toThrow(/gzip/);
    expect(codeOf(() => parseIdx(new Uint8Array(gz)))).toBe('E_IDX_HEADER');
  });

  it('rejects element types other than unsigned byte (E_IDX_TYPE)', () => {
    const bytes = encodeIdx([1], Uint8Array.of(7));
    bytes[2] = 0x0d;
    expect(codeOf(() => parseIdx(bytes))).toBe('E_IDX_TYPE');
    expect(() => parseIdx(bytes)).toThrow(/float32/);
  });

  it('rejects zero dimensions and a header cut short (E_IDX_HEADER)', () => {
    expect(codeOf(() => parseIdx(Uint8Array.of(0, 0, 8, 0)))).toBe('E_IDX_HEADER');
    expect(codeOf(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1)))).toBe('E_IDX_HEADER');
  });

  it('rejects data shorter or longer than the dimensions say (E_IDX_LENGTH)', () => {
    const bytes = encodeIdx(IMAGE_DIMS, PIXELS);
    expect(codeOf(() => parseIdx(bytes.subarray(0, bytes.length - 1)))).toBe('E_IDX_LENGTH');
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(codeOf(() => parseIdx(longer))).toBe('E_IDX_LENGTH');
  });
});

describe('labelledImages', () => {
  const images = parseIdx(encodeIdx(IMAGE_DIMS, PIXELS));
  const labels = parseIdx(encodeIdx([3], Uint8Array.of(2, 0, 1)));

  it('pairs images with labels and slices without copying', () => {
    const set = labelledImages(images, labels);
    expect([set.count, set.height, set.width]).toEqual([3, 2, 2]);
    expect(classCount(set)).toBe(3);
    const tail = sliceImages(set, 1, 2);
    expect(Array.from(tail.pixels)).toEqual(Array.from(PIXELS.subarray(4)));
    expect(Array.from(tail.labels)).toEqual([0, 1]);
    expect(codeOf(() => sliceImages(set, 2, 2))).toBe('E_IMAGES_RANGE');
  });

  it('rejects mismatched counts and wrong ranks (E_IDX_SHAPE)', () => {
    expect(codeOf(() => labelledImages(images, parseIdx(encodeIdx([2], Uint8Array.of(1, 2)))))).toBe('E_IDX_SHAPE');
    expect(codeOf(() => labelledImages(labels, labels))).toBe('E_IDX_SHAPE');
    expect(codeOf(() => labelledImages(images, images))).toBe('E_IDX_SHAPE');
  });
});

describe('loadFashionMnist', () => {
  it('names the Debian package when the files are missing (E_DATASET_MISSING)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hasn-fmnist-'));
    expect(codeOf(() => loadFashionMnist(empty))).toBe('E_DATASET_MISSING');
    expect(() => loadFashionMnist(empty)).toThrow(/dataset-fashion-mnist/);
  });

  it('reads uncompressed and gzip-compressed files from a configurable directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-fmnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx(IMAGE_DIMS, PIXELS));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([3], Uint8Array.of(2, 0, 1))));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx([1, 2, 2], PIXELS.subarray(0, 4))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([1], Uint8Array.of(1)));
    const data = loadFashionMnist(dir);
    expect(data.train.count).toBe(3);
    expect(Array.from(data.train.labels)).toEqual([2, 0, 1]);
    expect(data.test.count).toBe(1);
  });

  it('rejects a corrupt gzip file (E_DATASET_CORRUPT)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-fmnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
    expect(codeOf(() => loadFashionMnist(dir))).toBe('E_DATASET_CORRUPT');
  });

  // Needs Debian's dataset-fashion-mnist (test/setup.sh installs it); without it this fails with E_DATASET_MISSING.
  it('loads the installed Fashion-MNIST: 60,000 + 10,000 images of 28 × 28 in 10 classes', () => {
    const data = loadFashionMnist();
    expect([data.train.count, data.train.height, data.train.width]).toEqual([60000, 28, 28]);
    expect(data.test.count).toBe(10000);
    expect(classCount(data.train)).toBe(10);
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  });
});
