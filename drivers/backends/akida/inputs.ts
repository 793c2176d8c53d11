// Input events of the Akida mapping: which input neurons spike at a step (spike_source marks, or Poisson drawn as the CPU engine draws).
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { POISSON_STREAM } from '../../../core/engine/neurons.ts';
import { streamId, uniform32 } from '../../../core/random.ts';
import type { AkidaModel } from './model.ts';

/** The stream test inputs are drawn from (compile's report, the exported test frames). */
export const TEST_STREAM = streamId('akida/test-inputs');

/**
 * Marks in `inject` the spike_source inputs that spike at `step` in the test inputs: each independently with
 * probability rate·dt. Returns their global indices.
 */
export function markTestInputs(net: CompiledNetwork, model: AkidaModel, step: number, rateHz: number, inject: Uint8Array): number[] {
  const perStep = rateHz * net.dt * 0.001;
  const marked: number[] = [];
  for (const p of model.inputPopulations) {
    const pop = net.populations[p]!;
    if (pop.model.type !== 'spike_source') continue;
    for (let g = pop.offset; g < pop.offset + pop.size; g++) {
      if (uniform32(net.seed, TEST_STREAM, g, step) < perStep) {
        inject[g] = 1;
        marked.push(g);
      }
    }
  }
  return marked;
}

/**
 * Writes the input indices (InputData order) spiking at `step` into `out` and returns how many.
 * spike_source inputs fire where `inject` (by global index) is set — the marks are cleared; poisson inputs use the
 * CPU engine's counter-based draw, so both backends see the same input spikes.
 */
export function inputSpikes(net: CompiledNetwork, model: AkidaModel, step: number, inject: Uint8Array, out: Uint32Array): number {
  const rate = net.state.rate;
  const perStep = net.dt * 0.001;
  let count = 0;
  for (let i = 0; i < model.inputSize; i++) {
    const g = model.globalOfInput[i]!;
    if (inject[g] !== 0) {
      inject[g] = 0;
      out[count++] = i;
      continue;
    }
    const r = rate[g]!;
    if (r > 0 && uniform32(net.seed, POISSON_STREAM, g, step) < r * perStep) out[count++] = i;
  }
  return count;
}
