// Lava's fixed-point arithmetic (PyLifModelBitAcc, PyDenseModelBitAcc, weightutils), written from its published source.
//
// Lava (lava-nc/lava, src/lava/proc/lif/models.py, dense/models.py, utils/weightutils.py) keeps u and v in
// int32 arrays holding 24-bit values, multiplies by the decay in int64, shifts right by 12 on the magnitude
// (rounding toward zero), MSB-aligns synaptic input and threshold by 6 bits, wraps u once modulo 2^24
// and clips v to ±(2^23 − 1). Dense sums the integer weights of the inputs that spiked (int64), shifts the
// sum by weight_exp (arithmetic shift, i.e. floor for negative exponents) and sends it one step later
// through an int32 channel. Each helper below reproduces one of these operations with JavaScript numbers,
// which are exact for the integer ranges involved (< 2^53); `| 0` is numpy's int64→int32 wrap.
import type { SignMode } from './network.ts';

export const DECAY_SHIFT = 12;
export const DECAY_UNITY = 1 << DECAY_SHIFT;
/** Synaptic input and threshold are shifted left by 6 bits to align with 24-bit state. */
export const ACT_SHIFT = 6;
export const VTH_SHIFT = 6;
/** 2^23: half the range of the 24-bit state variables. */
export const MAX_UV = 1 << 23;
export const V_MIN = -MAX_UV + 1;
export const V_MAX = MAX_UV - 1;
/** Lava's ds_offset (added to du) and dm_offset (added to dv). */
export const DS_OFFSET = 1;
export const DM_OFFSET = 0;
export const DU_MAX = 4095;
export const VTH_MAX = (1 << 17) - 1;
export const BIAS_MANT_MIN = -4096;
export const BIAS_MANT_MAX = 4095;
export const BIAS_EXP_MAX = 7;

/** x · (4096 − decay) with the product's magnitude shifted right by 12 (toward zero), as Lava decays u and v. */
export function decay(x: number, decayConst: number): number {
  const product = x * (DECAY_UNITY - decayConst);
  return product < 0 ? -Math.floor(-product / DECAY_UNITY) : Math.floor(product / DECAY_UNITY);
}

/** Lava's single wrap of the current into 24 bits: above 2^23 subtract 2^24, at or below −2^23 add 2^24. */
export function wrapCurrent(x: number): number {
  if (x > MAX_UV) return x - 2 * MAX_UV;
  if (x <= -MAX_UV) return x + 2 * MAX_UV;
  return x;
}

export function clipVoltage(x: number): number {
  return x < V_MIN ? V_MIN : x > V_MAX ? V_MAX : x;
}

/** bias_mant · 2^bias_exp, right-shifting (floor) for a negative exponent; int32 like numpy's. */
export function effectiveBias(mant: number, exp: number): number {
  return exp >= 0 ? (mant << exp) | 0 : mant >> -exp;
}

/** Arithmetic right then left shift by `bits` of an int32 (numpy's `(w >> n) << n`). */
function truncateBits(w: number, bits: number): number {
  return (w >> bits) << bits;
}

/**
 * The weights Lava's bit-accurate Dense actually uses: first clipped to 8 bits for the sign mode, then
 * truncated to `numWeightBits` (an extra bit for mixed sign). Inhibitory weights are negated around both.
 */
export function lavaEffectiveWeights(raw: Int32Array, signMode: SignMode, numWeightBits: number): Int32Array {
  const inhibitory = signMode === 'inhibitory';
  const mixed = signMode === 'mixed' ? 1 : 0;
  const min = -(2 ** 8) * mixed;
  const max = 2 ** 8 - 1;
  const truncate = 8 - numWeightBits + mixed;
  const out = new Int32Array(raw.length);
  for (let k = 0; k < raw.length; k++) {
    // Both clip_weights and truncate_weights work on the magnitude of inhibitory weights (negate, act, negate).
    let m = inhibitory ? -raw[k]! : raw[k]!;
    m = m < min ? min : m > max ? max : m;
    m = truncateBits(m, truncate);
    out[k] = inhibitory ? -m : m;
  }
  return out;
}
