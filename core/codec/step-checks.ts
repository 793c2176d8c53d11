// Run-time argument checks shared by encoders and decoders: step numbers, output buffers, spike lists.
import { HasnError } from '../errors.ts';

/** A step is a non-negative safe integer (steps are counted from 0 and never wrap). */
export function checkStep(step: number, path: string): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new HasnError('E_CODEC_STEP', `step must be a non-negative integer, got ${step}`, { path });
  }
}

/** `emit` may write up to `size` indices, so `out` must hold that many. */
export function checkOut(out: Uint32Array, size: number, path: string): void {
  if (out.length < size) {
    throw new HasnError('E_CODEC_OUT', `the output buffer holds ${out.length} indices; it needs the population size ${size}`, { path });
  }
}

/** Checks a whole spike list before any of it is recorded, so a bad list changes nothing. */
export function checkSpikes(spikes: Uint32Array, count: number, size: number, path: string): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > spikes.length) {
    throw new HasnError('E_CODEC_SPIKES', `spike count ${count} is not between 0 and the list length ${spikes.length}`, { path });
  }
  for (let i = 0; i < count; i++) {
    if (spikes[i] >= size) {
      throw new HasnError('E_CODEC_SPIKES', `spike index ${spikes[i]} at position ${i} is outside the population (size ${size})`, { path });
    }
  }
}
