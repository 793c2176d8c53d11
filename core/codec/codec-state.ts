// The layout shared by every codec state: [kind tag, population size, …kind-specific fields], checked on restore.
import { HasnError } from '../errors.ts';

/** One tag per codec kind so a state is never restored into a different kind. Stable: stored in brain snapshots. */
export const STATE_TAG = {
  rate_encoder: 1,
  latency_encoder: 2,
  delta_encoder: 3,
  population_encoder: 4,
  rate_decoder: 11,
  first_spike_decoder: 12,
  population_vector_decoder: 13,
  winner_take_all_decoder: 14,
} as const;

export const STATE_HEADER_LENGTH = 2;

export function stateError(message: string, path: string): HasnError {
  return new HasnError('E_CODEC_STATE', message, { path });
}

/** Checks the header and, when given, the exact length. */
export function checkStateHeader(state: Float64Array, tag: number, size: number, path: string, length?: number): void {
  if (state.length < STATE_HEADER_LENGTH || state[0] !== tag) {
    throw stateError(`this state is not from a codec of this kind (expected tag ${tag}, got ${state[0]})`, path);
  }
  if (state[1] !== size) throw stateError(`this state is for a population of ${state[1]} neurons, not ${size}`, path);
  if (length !== undefined && state.length !== length) {
    throw stateError(`this state has ${state.length} numbers; a codec of this kind and size stores ${length}`, path);
  }
}

/** Checks that state[from … to − 1] are all finite (or, with `integer`, non-negative safe integers). */
export function checkStateNumbers(state: Float64Array, from: number, to: number, path: string, integer = false): void {
  for (let i = from; i < to; i++) {
    const x = state[i];
    const ok = integer ? Number.isSafeInteger(x) && x >= 0 : Number.isFinite(x);
    if (!ok) throw stateError(`state entry ${i} is ${x}, expected a ${integer ? 'non-negative integer' : 'finite number'}`, path);
  }
}
