// Independent per-neuron spike draws: neuron i fires in a step with probability pᵢ, from the counter-based generator.
import { mix32, uniform32 } from '../random.ts';

const TWO_POW_32 = 4294967296;

/**
 * The stream key for a step. random.ts keys are 32-bit, so steps past 2³² (≈ 5 days at dt 0.1 ms) would repeat
 * the draws of step − 2³²; each further 2³² steps get their own derived stream instead. Below 2³² it is `stream` itself.
 */
function streamForStep(stream: number, step: number): number {
  const epoch = Math.floor(step / TWO_POW_32);
  return epoch === 0 ? stream : mix32((stream ^ mix32(epoch)) >>> 0);
}

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
