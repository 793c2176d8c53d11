// Reading a sensor value into an encoder's per-channel array: scalar broadcast, vector length check, finiteness.
import { HasnError } from '../errors.ts';

/**
 * Copies `value` into `into` (a scalar fills every channel; a vector must have `into.length` entries).
 * Everything is checked before anything is written, so a rejected value leaves the previous one in place.
 */
export function readChannelValues(value: number | ArrayLike<number>, into: Float64Array, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new HasnError('E_CODEC_VALUE', `the value must be a finite number, got ${value}`, { path });
    into.fill(value);
    return;
  }
  if (value.length !== into.length) {
    throw new HasnError('E_CODEC_VALUE', `expected a number or ${into.length} values, got ${value.length} values`, { path });
  }
  for (let i = 0; i < value.length; i++) {
    if (!Number.isFinite(value[i])) {
      throw new HasnError('E_CODEC_VALUE', `value ${i} must be a finite number, got ${value[i]}`, { path: `${path}[${i}]` });
    }
  }
  for (let i = 0; i < value.length; i++) into[i] = value[i];
}

/** Position of `value` within [min, max] as a fraction, clamped to [0, 1]. */
export function normalized(value: number, min: number, max: number): number {
  const x = (value - min) / (max - min);
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}
