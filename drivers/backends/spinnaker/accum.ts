// s16.15 fixed point ("accum", sPyNNaker's REAL) and u0.32 ("unsigned long fract", its decay_t), computed bit for bit.
//
// Values are plain JS numbers holding the raw integer bits (an accum x is stored as x·2^15 in an int32).
// Semantics, as sPyNNaker's ARM code gets them from GCC/libgcc (non-saturating `accum`, not `sat accum`):
//   add/sub   32-bit two's-complement, wraps on overflow (libgcc FIXED_ADD/FIXED_SUB)
//   mul       (a·b + 2^14) >> 15 in 64 bits, then truncated to 32 bits: round half up, wraps
//             (libgcc FIXED_MULHELPER for SA mode, non-saturating)
//   decay     (int64)x · (uint64)d >> 32, truncating toward −∞ (sPyNNaker neuron/decay.h decay_s1615)
//   >> n      arithmetic shift of the bits
// Every product here is formed from 16-bit halves so it is exact in float64 (no BigInt on the hot path).
import { HasnError } from '../../../core/errors.ts';

export const ACCUM_FRACTION_BITS = 15;
export const ACCUM_ONE = 1 << ACCUM_FRACTION_BITS;
const TWO_32 = 4294967296;
const ACCUM_MAX = 0x7fffffff;
const ACCUM_MIN = -0x80000000;

/** Round half to even, as Python's `round(Decimal)` (DataType.S1615 encoding) and numpy's `rint` (weights). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Encodes a real value as accum bits the way sPyNNaker's host does (round to nearest); out of range is an error. */
export function toAccum(value: number, what = 'value'): number {
  const bits = roundHalfEven(value * ACCUM_ONE);
  if (!Number.isFinite(bits) || bits > ACCUM_MAX || bits < ACCUM_MIN) {
    throw new HasnError('E_SPINNAKER_RANGE', `${what} = ${value} does not fit SpiNNaker's s16.15 range [−65536, 65536)`, { path: what });
  }
  return bits;
}

export function fromAccum(bits: number): number {
  return bits / ACCUM_ONE;
}

/** accum + accum, wrapping. */
export function addK(a: number, b: number): number {
  return (a + b) | 0;
}

/** accum − accum, wrapping. */
export function subK(a: number, b: number): number {
  return (a - b) | 0;
}

/** accum × accum: libgcc's __mulsa3 (round half up, wrap to 32 bits). */
export function mulK(a: number, b: number): number {
  const bl = b & 0xffff; // low half, unsigned
  const bh = (b - bl) / 65536; // high half, signed (exact)
  // (a·b + 2^14) >> 15 = 2·a·bh + ⌊(a·bl + 2^14) / 2^15⌋, each term exact in float64
  return (2 * a * bh + Math.floor((a * bl + 16384) / 32768)) | 0;
}

/** decay_s1615: accum x scaled by a u0.32 factor d (0 ≤ d < 2^32), truncated toward −∞. */
export function decayK(x: number, d: number): number {
  const dl = d % 65536;
  const dh = (d - dl) / 65536;
  const high = x * dh; // exact: |x| < 2^31, dh < 2^16
  const low = x * dl;
  // ⌊(high·2^16 + low) / 2^32⌋ = ⌊(high + ⌊low / 2^16⌋) / 2^16⌋ because 0 ≤ low mod 2^16 < 2^16
  return Math.floor((high + Math.floor(low / 65536)) / 65536) | 0;
}

/** Arithmetic right shift of accum bits (`value >> n` on an accum in C). */
export function shiftRightK(a: number, n: number): number {
  return a >> n;
}

/** A real factor in [0, 1) as u0.32 bits, truncated (numpy `astype("uint32")` of x·2^32, sPyNNaker's host precomputation). */
export function toU032(x: number): number {
  if (!(x >= 0) || x >= 1) throw new HasnError('E_SPINNAKER_RANGE', `decay factor ${x} is outside [0, 1)`);
  return Math.min(TWO_32 - 1, Math.floor(x * TWO_32));
}

/** kdivk: (a << 15) / b with unsigned 64-bit division (sPyNNaker maths-util.h), for positive a and b. */
export function divK(a: number, b: number): number {
  return Number((BigInt(a >>> 0) << 15n) / BigInt(b >>> 0)) | 0;
}

/** lif_ceil_accum: the integer ceiling of an accum. */
export function ceilK(a: number): number {
  const integer = a >> ACCUM_FRACTION_BITS;
  return (a & 0x7fff) > 0 ? integer + 1 : integer;
}
