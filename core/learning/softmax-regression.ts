// Multinomial logistic regression (softmax) trained by mini-batch SGD with momentum: the linear read-out and the pixel baseline.
//
// Features are standardised with the training set's mean and standard deviation (constant features are
// ignored), which makes one learning rate fit raw pixels and spike counts alike. The loss is the mean
// cross-entropy plus l2/2 · ‖W‖² (bias not penalised). Samples are shuffled each epoch from the seed, so
// training is deterministic.
import { HasnError } from '../errors.ts';
import { streamId, uniform53 } from '../random.ts';

export interface SoftmaxOptions {
  epochs?: number;
  batchSize?: number;
  /** Initial step size; it falls linearly to 10 % of this over the epochs. */
  learningRate?: number;
  momentum?: number;
  l2?: number;
  seed?: number;
}

export interface SoftmaxModel {
  readonly features: number;
  readonly classes: number;
  /** Standardisation: z = (x − mean) · scale (scale 0 for constant features). */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** classes × (features + 1): each class's weights, then its bias. */
  readonly weights: Float64Array;
}

const SHUFFLE_STREAM = streamId('learning/softmax/shuffle');

/** Trains on `x` (samples × features, row-major) with class labels in 0…classes−1. */
export function trainSoftmaxRegression(x: ArrayLike<number>, labels: ArrayLike<number>, classes: number, options: SoftmaxOptions = {}): SoftmaxModel {
  const n = labels.length;
  if (n === 0) throw new HasnError('E_LEARNING_SHAPE', 'no training samples', { path: 'labels' });
  const d = x.length / n;
  if (!Number.isInteger(d) || d === 0) throw new HasnError('E_LEARNING_SHAPE', `${x.length} feature values are not ${n} rows`, { path: 'x' });
  for (let k = 0; k < n; k++) {
    const c = labels[k]!;
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new HasnError('E_LEARNING_LABEL', `label ${k} is ${c}, not a class in 0…${classes - 1}`, { path: `labels[${k}]` });
  }
  const epochs = options.epochs ?? 15;
  const batch = options.batchSize ?? 64;
  const lr0 = options.learningRate ?? 0.01;
  const momentum = options.momentum ?? 0.9;
  const l2 = options.l2 ?? 1e-3;
  const seed = options.seed ?? 0;

  const { mean, scale } = standardisation(x, n, d);
  const stride = d + 1;
  const W = new Float64Array(classes * stride);
  const velocity = new Float64Array(classes * stride);
  const grad = new Float64Array(classes * stride);
  const z = new Float64Array(d);
  const p = new Float64Array(classes);
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const steps = epochs * Math.ceil(n / batch);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(uniform53(seed, SHUFFLE_STREAM, epoch, k) * (k + 1));
      const t = order[k]!;
      order[k] = order[j]!;
      order[j] = t;
    }
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      grad.fill(0);
      for (let b = start; b < end; b++) {
        const k = order[b]!;
        standardiseRow(x, k * d, d, mean, scale, z);
        probabilities(W, z, d, classes, p);
        p[labels[k]!]! -= 1;
        for (let c = 0; c < classes; c++) {
          const g = p[c]!;
          if (g === 0) continue;
          const row = c * stride;
          for (let f = 0; f < d; f++) grad[row + f]! += g * z[f]!;
          grad[row + d]! += g;
        }
      }
      const lr = lr0 * (1 - (0.9 * step) / steps);
      const inv = 1 / (end - start);
      for (let c = 0; c < classes; c++) {
        const row = c * stride;
        for (let f = 0; f <= d; f++) {
          const penalty = f < d ? l2 * W[row + f]! : 0;
          const v = momentum * velocity[row + f]! - lr * (grad[row + f]! * inv + penalty);
          velocity[row + f] = v;
          W[row + f]! += v;
        }
      }
      step++;
    }
  }
  return { features: d, classes, mean, scale, weights: W };
}

/** The most probable class of each row of `x` (samples × model.features). */
export function predictSoftmax(model: SoftmaxModel, x: ArrayLike<number>): Int16Array {
  const d = model.features;
  const n = x.length / d;
  if (!Number.isInteger(n)) throw new HasnError('E_LEARNING_SHAPE', `${x.length} feature values are not rows of ${d}`, { path: 'x' });
  const z = new Float64Array(d);
  const p = new Float64Array(model.classes);
  const out = new Int16Array(n);
  for (let k = 0; k < n; k++) {
    standardiseRow(x, k * d, d, model.mean, model.scale, z);
    probabilities(model.weights, z, d, model.classes, p);
    let best = 0;
    for (let c = 1; c < model.classes; c++) if (p[c]! > p[best]!) best = c;
    out[k] = best;
  }
  return out;
}

function standardisation(x: ArrayLike<number>, n: number, d: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const row = k * d;
    for (let f = 0; f < d; f++) {
      const v = x[row + f]!;
      mean[f]! += v;
      sq[f]! += v * v;
    }
  }
  const scale = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    mean[f]! /= n;
    const variance = sq[f]! / n - mean[f]! * mean[f]!;
    scale[f] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, scale };
}

function standardiseRow(x: ArrayLike<number>, at: number, d: number, mean: Float64Array, scale: Float64Array, z: Float64Array): void {
  for (let f = 0; f < d; f++) z[f] = (x[at + f]! - mean[f]!) * scale[f]!;
}

/** Softmax of W·z + b into p (max-subtracted, so large scores do not overflow). */
function probabilities(W: Float64Array, z: Float64Array, d: number, classes: number, p: Float64Array): void {
  const stride = d + 1;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    const row = c * stride;
    let s = W[row + d]!;
    for (let f = 0; f < d; f++) s += W[row + f]! * z[f]!;
    p[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const e = Math.exp(p[c]! - max);
    p[c] = e;
    sum += e;
  }
  for (let c = 0; c < classes; c++) p[c]! /= sum;
}
