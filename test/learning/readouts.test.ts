// Read-outs: neuron labelling and vote classification (Diehl & Cook), softmax regression, accuracy.
import { describe, expect, it } from 'vitest';
import { HasnError } from '../../core/errors.ts';
import { normal, streamId } from '../../core/random.ts';
import { predictSoftmax, trainSoftmaxRegression } from '../../core/learning/softmax-regression.ts';
import { accuracy, assignNeuronLabels, classifyByVote } from '../../core/learning/vote-readout.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof HasnError ? err.code : `not a HasnError: ${String(err)}`;
  }
  return undefined;
}

describe('assignNeuronLabels', () => {
  it('labels each neuron with the class of its highest mean response, not its highest total', () => {
    // 4 neurons; class 0 has three images, class 1 one image.
    const responses = Uint32Array.of(
      2, 0, 1, 0, // class 0
      2, 0, 1, 0, // class 0
      2, 0, 1, 0, // class 0
      1, 5, 2, 0, // class 1
    );
    const labels = Uint8Array.of(0, 0, 0, 1);
    // neuron 2: total 3 for class 0 vs 2 for class 1, but mean 1 vs 2 → class 1. Neuron 3 never fired → −1.
    expect(Array.from(assignNeuronLabels(responses, labels, 4, 2))).toEqual([0, 1, 1, -1]);
  });

  it('rejects labels outside the classes and mis-sized responses', () => {
    expect(codeOf(() => assignNeuronLabels(Uint32Array.of(1, 2), Uint8Array.of(3), 2, 2))).toBe('E_LEARNING_LABEL');
    expect(codeOf(() => assignNeuronLabels(Uint32Array.of(1, 2, 3), Uint8Array.of(0), 2, 2))).toBe('E_LEARNING_SHAPE');
  });
});

describe('classifyByVote', () => {
  it('picks the class whose neurons fire most on average, so a class with many neurons has no head start', () => {
    const assigned = Int16Array.of(0, 0, 0, 1, -1);
    const responses = Uint32Array.of(
      1, 1, 1, 2, 9, // class 0 mean 1, class 1 mean 2 → 1 (the unlabelled neuron's 9 spikes do not vote)
      3, 0, 0, 0, 0, // class 0 mean 1 → 0
      0, 0, 0, 0, 7, // no labelled neuron fired → −1
    );
    expect(Array.from(classifyByVote(responses, assigned, 3))).toEqual([1, 0, -1]);
  });

  it('never picks a class without neurons', () => {
    expect(Array.from(classifyByVote(Uint32Array.of(4, 4), Int16Array.of(2, 2), 3))).toEqual([2]);
  });
});

describe('accuracy', () => {
  it('is the fraction of matching predictions; a −1 prediction counts as wrong', () => {
    expect(accuracy(Int16Array.of(1, 2, -1, 0), Uint8Array.of(1, 2, 0, 1))).toBe(0.5);
    expect(codeOf(() => accuracy([1], [1, 2]))).toBe('E_LEARNING_SHAPE');
  });
});

/** Three Gaussian blobs in 4 dimensions (the 4th constant), well separated. */
function blobs(n: number, seed: number): { x: Float64Array; y: Uint8Array } {
  const centres = [[0, 0, 0], [4, 0, 2], [0, 4, -2]];
  const x = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  const stream = streamId('test/blobs');
  for (let k = 0; k < n; k++) {
    const c = k % 3;
    y[k] = c;
    for (let f = 0; f < 3; f++) x[k * 4 + f] = centres[c]![f]! + normal(seed, stream, k, f);
    x[k * 4 + 3] = 5;
  }
  return { x, y };
}

describe('softmax regression', () => {
  it('separates separable classes on unseen samples (≥ 95 %), ignoring a constant feature', () => {
    const train = blobs(600, 1);
    const test = blobs(300, 2);
    const model = trainSoftmaxRegression(train.x, train.y, 3, { epochs: 10, seed: 3 });
    expect(model.scale[3]).toBe(0);
    expect(accuracy(predictSoftmax(model, test.x), test.y)).toBeGreaterThanOrEqual(0.95);
  });

  it('is deterministic for a seed and depends on it', () => {
    const { x, y } = blobs(90, 4);
    const a = trainSoftmaxRegression(x, y, 3, { epochs: 2, seed: 5 });
    const b = trainSoftmaxRegression(x, y, 3, { epochs: 2, seed: 5 });
    const c = trainSoftmaxRegression(x, y, 3, { epochs: 2, seed: 6 });
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(Array.from(c.weights)).not.toEqual(Array.from(a.weights));
  });

  it('rejects bad labels and shapes', () => {
    expect(codeOf(() => trainSoftmaxRegression([1, 2, 3], [0, 1], 2))).toBe('E_LEARNING_SHAPE');
    expect(codeOf(() => trainSoftmaxRegression([1, 2], [0, 2], 2))).toBe('E_LEARNING_LABEL');
    expect(codeOf(() => trainSoftmaxRegression([], [], 2))).toBe('E_LEARNING_SHAPE');
  });
});
