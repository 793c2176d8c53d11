// Independent per-neuron spike draws: neuron i fires in a step with probability pᵢ, from the counter-based generator.
import { streamForStep, uniform32 } from '../random.ts';

/**
 * Writes the neurons that fire in `step` into `out`, ascending, and returns how many. Neuron i fires when
 * uniform32(seed, stream, i, step) < probability[i]: a pure function of (seed, stream, neuron, step), so the
 * spikes do not depend on call order, restarts or which process computes them.
 */
export function emitBernoulli(seed: number, stream: number, step: number, probability: Float64Array, out: Uint32Array): number {
  const key = streamForStep(stream, step);
  const low = step >>> 0;
  let count = 0;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    // Skipping p = 0 changes no result (a draw is never < 0); it only spares the hash for silent inputs.
    if (p > 0 && uniform32(seed, key, i, low) < p) out[count++] = i;
  }
  return count;
}
