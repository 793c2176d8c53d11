// A set of labelled greyscale images (MNIST-style) built from an image IDX array and a label IDX array.
import { HasnError } from '../errors.ts';
import type { IdxArray } from './idx.ts';

export interface LabelledImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count × height × width pixel intensities 0–255, image after image, row-major. */
  readonly pixels: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
}

/** Pairs images (rank 3: count × height × width) with labels (rank 1: count), checking that they match. Throws E_IDX_SHAPE. */
export function labelledImages(images: IdxArray, labels: IdxArray, names = { images: 'images', labels: 'labels' }): LabelledImages {
  if (images.dims.length !== 3) {
    throw new HasnError('E_IDX_SHAPE', `${names.images}: expected images (3 dimensions: count × height × width), got ${images.dims.length} dimensions`, { path: names.images });
  }
  if (labels.dims.length !== 1) {
    throw new HasnError('E_IDX_SHAPE', `${names.labels}: expected labels (1 dimension), got ${labels.dims.length} dimensions`, { path: names.labels });
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new HasnError('E_IDX_SHAPE', `${names.labels} has ${labels.dims[0]} labels for ${count} images in ${names.images}`, { path: names.labels });
  }
  return { count, height, width, pixels: images.data, labels: labels.data };
}

/** The images [start, start + count) as a view (no copy). */
export function sliceImages(set: LabelledImages, start: number, count: number): LabelledImages {
  if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= set.count)) {
    throw new HasnError('E_IMAGES_RANGE', `images ${start}…${start + count - 1} are outside the set of ${set.count}`, { path: 'images' });
  }
  const size = set.height * set.width;
  return {
    count, height: set.height, width: set.width,
    pixels: set.pixels.subarray(start * size, (start + count) * size),
    labels: set.labels.subarray(start, start + count),
  };
}

/** The number of classes: one more than the largest label. */
export function classCount(set: LabelledImages): number {
  let max = -1;
  for (let i = 0; i < set.count; i++) if (set.labels[i]! > max) max = set.labels[i]!;
  return max + 1;
}
