// Diehl & Cook's read-out: each neuron is labelled with the class it responds to most; an image gets the class whose neurons fire most.
import { HasnError } from '../errors.ts';

/**
 * Labels each of `neurons` neurons with the class of highest mean spike count over the images of that class.
 * `responses` is images × neurons (row per image). Neurons that never fired get −1 (they vote for nothing).
 * Ties go to the lower class index.
 */
export function assignNeuronLabels(responses: ArrayLike<number>, labels: ArrayLike<number>, neurons: number, classes: number): Int16Array {
  const images = labels.length;
  if (responses.length !== images * neurons) {
    throw new HasnError('E_LEARNING_SHAPE', `responses need ${images} × ${neurons} entries, got ${responses.length}`, { path: 'responses' });
  }
  const sums = new Float64Array(classes * neurons);
  const perClass = new Float64Array(classes);
  for (let k = 0; k < images; k++) {
    const c = labels[k]!;
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new HasnError('E_LEARNING_LABEL', `label ${k} is ${c}, not a class in 0…${classes - 1}`, { path: `labels[${k}]` });
    perClass[c]!++;
    const row = k * neurons;
    for (let i = 0; i < neurons; i++) sums[c * neurons + i]! += responses[row + i]!;
  }
  const assigned = new Int16Array(neurons).fill(-1);
  for (let i = 0; i < neurons; i++) {
    let best = 0;
    for (let c = 0; c < classes; c++) {
      if (perClass[c] === 0) continue;
      const mean = sums[c * neurons + i]! / perClass[c]!;
      if (mean > best) {
        best = mean;
        assigned[i] = c;
      }
    }
  }
  return assigned;
}

/**
 * The class of each image: the one whose labelled neurons have the highest mean spike count in its row of
 * `responses`. Classes without neurons are never chosen; an image that drew no spikes from labelled neurons gets −1.
 */
export function classifyByVote(responses: ArrayLike<number>, assigned: Int16Array, classes: number): Int16Array {
  const neurons = assigned.length;
  const images = responses.length / neurons;
  if (!Number.isInteger(images)) throw new HasnError('E_LEARNING_SHAPE', `responses (${responses.length} entries) are not rows of ${neurons} neurons`, { path: 'responses' });
  const members = new Float64Array(classes);
  for (let i = 0; i < neurons; i++) if (assigned[i]! >= 0) members[assigned[i]!]!++;
  const votes = new Float64Array(classes);
  const predicted = new Int16Array(images);
  for (let k = 0; k < images; k++) {
    votes.fill(0);
    const row = k * neurons;
    for (let i = 0; i < neurons; i++) if (assigned[i]! >= 0) votes[assigned[i]!]! += responses[row + i]!;
    let best = -1;
    let bestVote = 0;
    for (let c = 0; c < classes; c++) {
      if (members[c] === 0) continue;
      const v = votes[c]! / members[c]!;
      if (v > bestVote) {
        bestVote = v;
        best = c;
      }
    }
    predicted[k] = best;
  }
  return predicted;
}

/** Fraction of `predicted` equal to `labels`. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new HasnError('E_LEARNING_SHAPE', `${predicted.length} predictions for ${labels.length} labels`, { path: 'predicted' });
  if (labels.length === 0) return 0;
  let right = 0;
  for (let k = 0; k < labels.length; k++) if (predicted[k] === labels[k]) right++;
  return right / labels.length;
}
