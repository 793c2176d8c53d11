// s16.15 / u0.32 arithmetic of the SpiNNaker emulation against BigInt transcriptions of the C (libgcc, decay.h).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addK, ceilK, decayK, divK, fromAccum, mulK, roundHalfEven, toAccum, toU032 } from '../../drivers/backends/spinnaker/accum.ts';

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const wrap32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

describe('SpiNNaker accum arithmetic', () => {
  it('multiplies like libgcc __mulsa3: (a·b + 2^14) >> 15 in 64 bits, wrapped to 32', () => {
    fc.assert(fc.property(int32, int32, (a, b) => {
      const ref = wrap32((BigInt(a) * BigInt(b) + 16384n) >> 15n);
      expect(mulK(a, b)).toBe(ref);
    }), { numRuns: 5000, seed: 7 });
  });

  it('rounds a product exactly half an LSB away upward (round half up, not to even)', () => {
    expect(mulK(1, 16384)).toBe(1); // 2^14 / 2^15 = 0.5 LSB → 1
    expect(mulK(-1, 16384)).toBe(0); // −0.5 LSB → 0 (floor(−0.5 + 0.5))
    expect(mulK(toAccum(2), toAccum(3))).toBe(toAccum(6));
  });

  it('decays like decay_s1615: (int64)x · (uint64)d >> 32, flooring', () => {
    fc.assert(fc.property(int32, u32, (x, d) => {
      expect(decayK(x, d)).toBe(wrap32((BigInt(x) * BigInt(d)) >> 32n));
    }), { numRuns: 5000, seed: 11 });
  });

  it('adds with 32-bit wrap-around, as non-saturating accum does', () => {
    expect(addK(0x7fffffff, 1)).toBe(-0x80000000);
    fc.assert(fc.property(int32, int32, (a, b) => { expect(addK(a, b)).toBe(wrap32(BigInt(a) + BigInt(b))); }), { seed: 3 });
  });

  it('encodes reals as the host does: round half to even on x·2^15, range-checked', () => {
    expect(toAccum(1)).toBe(32768);
    expect(toAccum(-65)).toBe(-65 * 32768);
    expect(toAccum(2.5 / 32768)).toBe(2); // 2.5 LSB → 2 (even)
    expect(toAccum(3.5 / 32768)).toBe(4);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(fromAccum(toAccum(0.1))).toBeCloseTo(0.1, 4);
    expect(() => toAccum(70000, 'v_rest_mV')).toThrowError(/s16\.15/);
  });

  it('truncates u0.32 decay factors like numpy astype("uint32")', () => {
    const d = Math.exp(-0.1 / 5);
    expect(toU032(d)).toBe(Math.floor(d * 2 ** 32));
    expect(() => toU032(1)).toThrow();
  });

  it('divides and takes ceilings like kdivk and lif_ceil_accum', () => {
    expect(divK(toAccum(5), toAccum(0.1))).toBe(Number((BigInt(toAccum(5)) << 15n) / BigInt(toAccum(0.1))));
    expect(ceilK(toAccum(49.9))).toBe(50);
    expect(ceilK(toAccum(50))).toBe(50);
    // τref = 5 ms at dt = 0.1 ms: 0.1 is not exact in s16.15, so the quotient is just under 50 and rounds up to 50
    expect(ceilK(divK(toAccum(5), toAccum(0.1)))).toBe(50);
  });
});
