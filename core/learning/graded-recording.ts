// The graded variant of a frozen Diehl & Cook network: every neuron equally excitable, so spike counts grade how well an image matches each prototype.
//
// Diehl & Cook's test mode keeps what training left: L1-normalised weights (Σw = 78) and each neuron's own
// adaptive threshold θ. The neuron with the most drive minus θ wins, and a neuron whose prototype is narrow
// (large weights on few pixels) gets more drive from any image that covers those pixels; the counts come out
// close to one-hot. gradeNetwork rescales every neuron's input weights to the same Euclidean norm (the mean
// of the learned norms, so the network is driven about as hard) and gives every neuron the same θ (a fraction
// of the median learned θ, so a few more neurons reach threshold). With input rates of fixed Euclidean norm
// (PresentationConfig.l2RateHz) each neuron's drive is then the cosine of image and prototype, and over a long
// showing the lateral inhibition's noisy race turns those cosines into graded counts: a soft code, which a
// linear read-out uses better (measured on held-out training images, bench/learn/README.md). The learned
// prototypes — the directions of the weight vectors — are unchanged; only their lengths and the thresholds are.
import type { CompiledNetwork } from '../compile/types.ts';
import { HasnError } from '../errors.ts';
import type { DiehlCookLayout } from './diehl-cook-spec.ts';
import { setThresholdOffsets, thresholdOffsets } from './network-state.ts';
import { incomingWeightNorms, normalizeIncomingWeights } from './projection-weights.ts';

export interface GradedRecording {
  /** Every excitatory neuron's θ becomes this fraction of the median learned θ. */
  thetaScale: number;
}

/** Equalises the weight norms and thresholds of `net`'s excitatory neurons in place (between engine runs). */
export function gradeNetwork(net: CompiledNetwork, ids: Pick<DiehlCookLayout, 'learned' | 'excitatory' | 'sizes'>, graded: GradedRecording): void {
  if (!(graded.thetaScale >= 0 && Number.isFinite(graded.thetaScale))) {
    throw new HasnError('E_LEARNING_GRADED', `thetaScale must be a finite number ≥ 0, got ${graded.thetaScale}`, { path: 'graded.thetaScale' });
  }
  // Each neuron's norm, then each rescaled to their mean (normalizeIncomingWeights keeps the directions).
  const norms = ids.learned.flatMap((id) => Array.from(incomingWeightNorms(net, id, 'l2')));
  const meanNorm = norms.reduce((a, b) => a + b, 0) / norms.length;
  for (const id of ids.learned) normalizeIncomingWeights(net, id, meanNorm, { norm: 'l2' });
  const thetas = ids.excitatory.flatMap((id) => Array.from(thresholdOffsets(net, id))).sort((a, b) => a - b);
  const theta = graded.thetaScale * thetas[thetas.length >> 1]!;
  ids.excitatory.forEach((id, g) => setThresholdOffsets(net, id, new Float32Array(ids.sizes[g]!).fill(theta)));
}
