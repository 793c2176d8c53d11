// Loads Fashion-MNIST from IDX files (Debian's dataset-fashion-mnist by default), gzip-compressed or not.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HasnError } from '../../core/errors.ts';
import { parseIdx } from '../../core/learning/idx.ts';
import { labelledImages, type LabelledImages } from '../../core/learning/images.ts';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

export interface FashionMnist {
  train: LabelledImages;
  test: LabelledImages;
  dir: string;
}

/** Reads `<base>` or `<base>.gz` from `dir`; throws E_DATASET_MISSING naming the Debian package when neither exists. */
function readIdxFile(dir: string, base: string) {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    let bytes: Uint8Array;
    try {
      bytes = name.endsWith('.gz') ? gunzipSync(raw) : raw;
    } catch (err) {
      throw new HasnError('E_DATASET_CORRUPT', `${path} is not valid gzip: ${(err as Error).message}`, { path });
    }
    return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  }
  throw new HasnError(
    'E_DATASET_MISSING',
    `Fashion-MNIST file ${base}(.gz) not found in ${dir}: install Debian's package (sudo apt-get install dataset-fashion-mnist) or pass the directory that holds the IDX files`,
    { path: join(dir, base) },
  );
}

export function loadFashionMnist(dir: string = DEFAULT_FASHION_MNIST_DIR): FashionMnist {
  const part = (prefix: string) => {
    const images = readIdxFile(dir, `${prefix}-images-idx3-ubyte`);
    const labels = readIdxFile(dir, `${prefix}-labels-idx1-ubyte`);
    return labelledImages(images, labels, { images: `${prefix}-images`, labels: `${prefix}-labels` });
  };
  return { train: part('train'), test: part('t10k'), dir };
}
