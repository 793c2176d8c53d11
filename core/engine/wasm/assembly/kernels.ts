// AssemblyScript source of the engine's hot loops: neuron updates (f32x4 SIMD), spike propagation and STDP over the shared arena.
//
// Built into ../kernels.wasm by `npm run build:wasm`. Every function is the float32 twin of a
// TypeScript kernel (core/engine/neurons.ts, propagate.ts, plasticity.ts) with the same operations
// in the same order: WebAssembly has no fused multiply-add in these instructions and rounds every
// f32 operation exactly like Math.fround does, so both give bit-identical state and spikes. Change
// one, change the other, and run test/engine.
//
// Pointers are byte offsets into the imported shared memory (the network's arena); neuron i of an
// array at p is at p + 4·i. Neurons [from, to) are updated four at a time, the remainder one by one
// with the same formula. Spiking neurons are appended, ascending, to the u32 list at pOut from
// index `count`; the new count is returned.

const MIN_NORMAL: f32 = 1.17549435e-38;
/** Izhikevich's quadratic coefficient. */
const QUADRATIC: f32 = 0.04;

/** x, or 0 where |x| is below the smallest normal float32 (NaN stays NaN). */
// @ts-ignore: decorator
@inline function flush4(x: v128, minNormal: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), minNormal));
}

// @ts-ignore: decorator
@inline function flush(x: f32): f32 {
  return x < MIN_NORMAL && x > -MIN_NORMAL ? 0 : x;
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Appends the lanes set in `mask` (neurons i … i+3) to the spike list; returns the new count. */
// @ts-ignore: decorator
@inline function record(mask: i32, i: i32, pOut: usize, count: i32): i32 {
  while (mask != 0) {
    store<u32>(at(pOut, count), <u32>(i + ctz(mask)));
    count++;
    mask &= mask - 1;
  }
  return count;
}

/** The four-at-a-time loop of lifCond over [from, to), to a multiple of 4; inlined once per flag combination so the
 * flags are constants there (the loop without flag tests measured ~25 % faster). */
// @ts-ignore: decorator
@inline function lifCondVectors(
  pV: usize, pE: usize, pI: usize, pLast: usize, pTheta: usize, ringed: bool, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  dtOverCm: f32, gl: f32, vRest: f32, eRevE: f32, eRevI: f32, iOffset: f32, decayE: f32, decayI: f32,
  vThresh: f32, vReset: f32, refracSteps: i32, adapt: bool, thetaDecay: f32, thetaPlus: f32,
  pOut: usize, count: i32,
): i32 {
  const minNormal = f32x4.splat(MIN_NORMAL);
  const zero = f32x4.splat(0);
  const sRefrac = i32x4.splat(refracSteps);
  const sStep = i32x4.splat(step);
  const sGl = f32x4.splat(gl);
  const sVRest = f32x4.splat(vRest);
  const sERevE = f32x4.splat(eRevE);
  const sERevI = f32x4.splat(eRevI);
  const sIOffset = f32x4.splat(iOffset);
  const sDt = f32x4.splat(dtOverCm);
  const sDecayE = f32x4.splat(decayE);
  const sDecayI = f32x4.splat(decayI);
  const sVThresh = f32x4.splat(vThresh);
  const sVReset = f32x4.splat(vReset);
  const sThetaDecay = f32x4.splat(thetaDecay);
  const sThetaPlus = f32x4.splat(thetaPlus);
  for (let i = from; i < to; i += 4) {
    let v = v128.load(at(pV, i));
    let ge = v128.load(at(pE, i));
    let gi = v128.load(at(pI, i));
    if (ringed) {
      ge = f32x4.add(ge, v128.load(at(pRingE, i)));
      gi = f32x4.add(gi, v128.load(at(pRingI, i)));
      v128.store(at(pRingE, i), zero);
      v128.store(at(pRingI, i), zero);
    }
    const last = v128.load(at(pLast, i));
    const free = i32x4.ge_s(i32x4.sub(sStep, last), sRefrac); // wraps like the int32 step (see neurons.ts)
    const leakAndExc = f32x4.add(f32x4.mul(sGl, f32x4.sub(sVRest, v)), f32x4.mul(ge, f32x4.sub(sERevE, v)));
    const inhAndOffset = f32x4.add(f32x4.mul(gi, f32x4.sub(sERevI, v)), sIOffset);
    v = v128.bitselect(f32x4.add(v, f32x4.mul(sDt, f32x4.add(leakAndExc, inhAndOffset))), v, free);
    v128.store(at(pE, i), flush4(f32x4.mul(ge, sDecayE), minNormal));
    v128.store(at(pI, i), flush4(f32x4.mul(gi, sDecayI), minNormal));
    let threshold = sVThresh;
    let th = zero;
    if (adapt) {
      th = flush4(f32x4.mul(v128.load(at(pTheta, i)), sThetaDecay), minNormal);
      threshold = f32x4.add(sVThresh, th);
    }
    const spiking = v128.and(free, f32x4.gt(v, threshold));
    if (v128.any_true(spiking)) {
      v = v128.bitselect(sVReset, v, spiking);
      v128.store(at(pLast, i), v128.bitselect(sStep, last, spiking));
      th = v128.bitselect(f32x4.add(th, sThetaPlus), th, spiking);
      count = record(i32x4.bitmask(spiking), i, pOut, count);
    }
    if (adapt) v128.store(at(pTheta, i), th);
    v128.store(at(pV, i), v);
  }
  return count;
}

/** Conductance-based LIF (lif_cond), forward Euler; see updateLifCond in neurons.ts. */
export function lifCond(
  pV: usize, pE: usize, pI: usize, pLast: usize, pTheta: usize, ringed: i32, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  dtOverCm: f32, gl: f32, vRest: f32, eRevE: f32, eRevI: f32, iOffset: f32, decayE: f32, decayI: f32,
  vThresh: f32, vReset: f32, refracSteps: i32, adapt: i32, thetaDecay: f32, thetaPlus: f32,
  pOut: usize, count: i32,
): i32 {
  const vecTo = from + ((to - from) & ~3);
  // Each call is inlined with its flags as constants.
  if (ringed && adapt) count = lifCondVectors(pV, pE, pI, pLast, pTheta, true, pRingE, pRingI, from, vecTo, step,
      dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset, refracSteps, true, thetaDecay, thetaPlus, pOut, count);
  else if (ringed) count = lifCondVectors(pV, pE, pI, pLast, pTheta, true, pRingE, pRingI, from, vecTo, step,
      dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset, refracSteps, false, thetaDecay, thetaPlus, pOut, count);
  else if (adapt) count = lifCondVectors(pV, pE, pI, pLast, pTheta, false, pRingE, pRingI, from, vecTo, step,
      dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset, refracSteps, true, thetaDecay, thetaPlus, pOut, count);
  else count = lifCondVectors(pV, pE, pI, pLast, pTheta, false, pRingE, pRingI, from, vecTo, step,
      dtOverCm, gl, vRest, eRevE, eRevI, iOffset, decayE, decayI, vThresh, vReset, refracSteps, false, thetaDecay, thetaPlus, pOut, count);
  let i = vecTo;
  for (; i < to; i++) {
    let v = load<f32>(at(pV, i));
    let ge = load<f32>(at(pE, i));
    let gi = load<f32>(at(pI, i));
    if (ringed) {
      ge += load<f32>(at(pRingE, i));
      gi += load<f32>(at(pRingI, i));
      store<f32>(at(pRingE, i), 0);
      store<f32>(at(pRingI, i), 0);
    }
    const free = step - load<i32>(at(pLast, i)) >= refracSteps;
    if (free) {
      const leakAndExc: f32 = gl * (vRest - v) + ge * (eRevE - v);
      const inhAndOffset: f32 = gi * (eRevI - v) + iOffset;
      v = v + dtOverCm * (leakAndExc + inhAndOffset);
    }
    store<f32>(at(pE, i), flush(ge * decayE));
    store<f32>(at(pI, i), flush(gi * decayI));
    let threshold = vThresh;
    let th: f32 = 0;
    if (adapt) {
      th = flush(load<f32>(at(pTheta, i)) * thetaDecay);
      threshold = vThresh + th;
    }
    if (free && v > threshold) {
      v = vReset;
      store<i32>(at(pLast, i), step);
      th = th + thetaPlus;
      store<u32>(at(pOut, count), <u32>i);
      count++;
    }
    if (adapt) store<f32>(at(pTheta, i), th);
    store<f32>(at(pV, i), v);
  }
  return count;
}

/** The four-at-a-time loop of lif over [from, to), to a multiple of 4; inlined once per flag combination so the
 * flags are constants there (the loop without flag tests measured ~25 % faster). */
// @ts-ignore: decorator
@inline function lifVectors(
  pV: usize, pE: usize, pI: usize, pLast: usize, pTheta: usize, ringed: bool, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  pm: f32, pe: f32, pi: f32, ke: f32, ki: f32, vInf: f32,
  vThresh: f32, vReset: f32, refracSteps: i32, adapt: bool, thetaDecay: f32, thetaPlus: f32,
  pOut: usize, count: i32,
): i32 {
  const minNormal = f32x4.splat(MIN_NORMAL);
  const zero = f32x4.splat(0);
  const sRefrac = i32x4.splat(refracSteps);
  const sStep = i32x4.splat(step);
  const sPm = f32x4.splat(pm);
  const sPe = f32x4.splat(pe);
  const sPi = f32x4.splat(pi);
  const sKe = f32x4.splat(ke);
  const sKi = f32x4.splat(ki);
  const sVInf = f32x4.splat(vInf);
  const sVThresh = f32x4.splat(vThresh);
  const sVReset = f32x4.splat(vReset);
  const sThetaDecay = f32x4.splat(thetaDecay);
  const sThetaPlus = f32x4.splat(thetaPlus);
  for (let i = from; i < to; i += 4) {
    let v = v128.load(at(pV, i));
    let ie = v128.load(at(pE, i));
    let ii = v128.load(at(pI, i));
    if (ringed) {
      ie = f32x4.add(ie, v128.load(at(pRingE, i)));
      ii = f32x4.add(ii, v128.load(at(pRingI, i)));
      v128.store(at(pRingE, i), zero);
      v128.store(at(pRingI, i), zero);
    }
    const last = v128.load(at(pLast, i));
    const free = i32x4.ge_s(i32x4.sub(sStep, last), sRefrac); // wraps like the int32 step (see neurons.ts)
    const relaxed = f32x4.add(sVInf, f32x4.mul(f32x4.sub(v, sVInf), sPm));
    const input = f32x4.sub(f32x4.mul(ie, sKe), f32x4.mul(ii, sKi));
    v = v128.bitselect(f32x4.add(relaxed, input), v, free);
    v128.store(at(pE, i), flush4(f32x4.mul(ie, sPe), minNormal));
    v128.store(at(pI, i), flush4(f32x4.mul(ii, sPi), minNormal));
    let threshold = sVThresh;
    let th = zero;
    if (adapt) {
      th = flush4(f32x4.mul(v128.load(at(pTheta, i)), sThetaDecay), minNormal);
      threshold = f32x4.add(sVThresh, th);
    }
    const spiking = v128.and(free, f32x4.gt(v, threshold));
    if (v128.any_true(spiking)) {
      v = v128.bitselect(sVReset, v, spiking);
      v128.store(at(pLast, i), v128.bitselect(sStep, last, spiking));
      th = v128.bitselect(f32x4.add(th, sThetaPlus), th, spiking);
      count = record(i32x4.bitmask(spiking), i, pOut, count);
    }
    if (adapt) v128.store(at(pTheta, i), th);
    v128.store(at(pV, i), v);
  }
  return count;
}

/** Current-based LIF (lif), exact integration; see updateLif in neurons.ts. */
export function lif(
  pV: usize, pE: usize, pI: usize, pLast: usize, pTheta: usize, ringed: i32, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  pm: f32, pe: f32, pi: f32, ke: f32, ki: f32, vInf: f32,
  vThresh: f32, vReset: f32, refracSteps: i32, adapt: i32, thetaDecay: f32, thetaPlus: f32,
  pOut: usize, count: i32,
): i32 {
  const vecTo = from + ((to - from) & ~3);
  // Each call is inlined with its flags as constants.
  if (ringed && adapt) count = lifVectors(pV, pE, pI, pLast, pTheta, true, pRingE, pRingI, from, vecTo, step,
      pm, pe, pi, ke, ki, vInf, vThresh, vReset, refracSteps, true, thetaDecay, thetaPlus, pOut, count);
  else if (ringed) count = lifVectors(pV, pE, pI, pLast, pTheta, true, pRingE, pRingI, from, vecTo, step,
      pm, pe, pi, ke, ki, vInf, vThresh, vReset, refracSteps, false, thetaDecay, thetaPlus, pOut, count);
  else if (adapt) count = lifVectors(pV, pE, pI, pLast, pTheta, false, pRingE, pRingI, from, vecTo, step,
      pm, pe, pi, ke, ki, vInf, vThresh, vReset, refracSteps, true, thetaDecay, thetaPlus, pOut, count);
  else count = lifVectors(pV, pE, pI, pLast, pTheta, false, pRingE, pRingI, from, vecTo, step,
      pm, pe, pi, ke, ki, vInf, vThresh, vReset, refracSteps, false, thetaDecay, thetaPlus, pOut, count);
  let i = vecTo;
  for (; i < to; i++) {
    let v = load<f32>(at(pV, i));
    let ie = load<f32>(at(pE, i));
    let ii = load<f32>(at(pI, i));
    if (ringed) {
      ie += load<f32>(at(pRingE, i));
      ii += load<f32>(at(pRingI, i));
      store<f32>(at(pRingE, i), 0);
      store<f32>(at(pRingI, i), 0);
    }
    const free = step - load<i32>(at(pLast, i)) >= refracSteps;
    if (free) v = (vInf + (v - vInf) * pm) + (ie * ke - ii * ki);
    store<f32>(at(pE, i), flush(ie * pe));
    store<f32>(at(pI, i), flush(ii * pi));
    let threshold = vThresh;
    let th: f32 = 0;
    if (adapt) {
      th = flush(load<f32>(at(pTheta, i)) * thetaDecay);
      threshold = vThresh + th;
    }
    if (free && v > threshold) {
      v = vReset;
      store<i32>(at(pLast, i), step);
      th = th + thetaPlus;
      store<u32>(at(pOut, count), <u32>i);
      count++;
    }
    if (adapt) store<f32>(at(pTheta, i), th);
    store<f32>(at(pV, i), v);
  }
  return count;
}

/** The four-at-a-time loop of izhikevich over [from, to), to a multiple of 4; inlined once per flag combination so the
 * flags are constants there (the loop without flag tests measured ~25 % faster). */
// @ts-ignore: decorator
@inline function izhikevichVectors(
  pV: usize, pU: usize, pE: usize, pI: usize, pLast: usize, ringed: bool, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  a: f32, b: f32, c: f32, d: f32, vPeak: f32, iOffset: f32, dt: f32, pe: f32, pi: f32,
  pOut: usize, count: i32,
): i32 {
  const minNormal = f32x4.splat(MIN_NORMAL);
  const zero = f32x4.splat(0);
  const sStep = i32x4.splat(step);
  const sQuadratic = f32x4.splat(QUADRATIC);
  const sFive = f32x4.splat(5);
  const s140 = f32x4.splat(140);
  const sA = f32x4.splat(a);
  const sB = f32x4.splat(b);
  const sC = f32x4.splat(c);
  const sD = f32x4.splat(d);
  const sVPeak = f32x4.splat(vPeak);
  const sIOffset = f32x4.splat(iOffset);
  const sDt = f32x4.splat(dt);
  const sPe = f32x4.splat(pe);
  const sPi = f32x4.splat(pi);
  for (let i = from; i < to; i += 4) {
    const v = v128.load(at(pV, i));
    const u = v128.load(at(pU, i));
    let ie = v128.load(at(pE, i));
    let ii = v128.load(at(pI, i));
    if (ringed) {
      ie = f32x4.add(ie, v128.load(at(pRingE, i)));
      ii = f32x4.add(ii, v128.load(at(pRingI, i)));
      v128.store(at(pRingE, i), zero);
      v128.store(at(pRingI, i), zero);
    }
    const current = f32x4.add(f32x4.sub(ie, ii), sIOffset);
    const square = f32x4.mul(f32x4.mul(sQuadratic, v), v);
    const dv = f32x4.add(f32x4.sub(f32x4.add(f32x4.add(square, f32x4.mul(sFive, v)), s140), u), current);
    let vNext = f32x4.add(v, f32x4.mul(sDt, dv));
    let uNext = f32x4.add(u, f32x4.mul(sDt, f32x4.mul(sA, f32x4.sub(f32x4.mul(sB, v), u))));
    v128.store(at(pE, i), flush4(f32x4.mul(ie, sPe), minNormal));
    v128.store(at(pI, i), flush4(f32x4.mul(ii, sPi), minNormal));
    const spiking = f32x4.ge(vNext, sVPeak);
    if (v128.any_true(spiking)) {
      vNext = v128.bitselect(sC, vNext, spiking);
      uNext = v128.bitselect(f32x4.add(uNext, sD), uNext, spiking);
      v128.store(at(pLast, i), v128.bitselect(sStep, v128.load(at(pLast, i)), spiking));
      count = record(i32x4.bitmask(spiking), i, pOut, count);
    }
    v128.store(at(pV, i), vNext);
    v128.store(at(pU, i), uNext);
  }
  return count;
}

/** Izhikevich (2003), forward Euler, no refractory period; see updateIzhikevich in neurons.ts. */
export function izhikevich(
  pV: usize, pU: usize, pE: usize, pI: usize, pLast: usize, ringed: i32, pRingE: usize, pRingI: usize,
  from: i32, to: i32, step: i32,
  a: f32, b: f32, c: f32, d: f32, vPeak: f32, iOffset: f32, dt: f32, pe: f32, pi: f32,
  pOut: usize, count: i32,
): i32 {
  const vecTo = from + ((to - from) & ~3);
  // Each call is inlined with its flag as a constant.
  if (ringed) count = izhikevichVectors(pV, pU, pE, pI, pLast, true, pRingE, pRingI, from, vecTo, step,
      a, b, c, d, vPeak, iOffset, dt, pe, pi, pOut, count);
  else count = izhikevichVectors(pV, pU, pE, pI, pLast, false, pRingE, pRingI, from, vecTo, step,
      a, b, c, d, vPeak, iOffset, dt, pe, pi, pOut, count);
  let i = vecTo;
  for (; i < to; i++) {
    const v = load<f32>(at(pV, i));
    const u = load<f32>(at(pU, i));
    let ie = load<f32>(at(pE, i));
    let ii = load<f32>(at(pI, i));
    if (ringed) {
      ie += load<f32>(at(pRingE, i));
      ii += load<f32>(at(pRingI, i));
      store<f32>(at(pRingE, i), 0);
      store<f32>(at(pRingI, i), 0);
    }
    const current: f32 = (ie - ii) + iOffset;
    const dv: f32 = ((((QUADRATIC * v) * v + 5 * v) + 140) - u) + current;
    let vNext: f32 = v + dt * dv;
    let uNext: f32 = u + dt * (a * (b * v - u));
    store<f32>(at(pE, i), flush(ie * pe));
    store<f32>(at(pI, i), flush(ii * pi));
    if (vNext >= vPeak) {
      vNext = c;
      uNext = uNext + d;
      store<i32>(at(pLast, i), step);
      store<u32>(at(pOut, count), <u32>i);
      count++;
    }
    store<f32>(at(pV, i), vNext);
    store<f32>(at(pU, i), uNext);
  }
  return count;
}

/**
 * Each propagation loop touches the rows of the next ROW_CHUNK spikes before it adds the current
 * chunk's. A spike's row is a short run of synapses at an unpredictable place (40 targets = 160 bytes
 * in a 40k-neuron network split in two), so the adds alone wait for one cache miss after another;
 * loading one byte of every cache line of the coming rows first lets those misses overlap (WebAssembly
 * has no prefetch instruction). Measured at COBA 40k: propagation 22 → 12 µs per step. The chunk
 * bounds what is fetched ahead (64 rows: ~10 KB there), so the cache still holds it when the adds come.
 */
const ROW_CHUNK = 64;
/** The loads' sum, kept so that the optimiser cannot drop them; never read. */
let touched: u32 = 0;

/** Loads one byte of each cache line of the rows of spikes [from, to) in the array at pData (elements of 1 << log2Size bytes, row-indexed). */
// @ts-ignore: decorator
@inline function touchRows(pRow: usize, pSpikes: usize, from: i32, to: i32, sourceOffset: i32, pData: usize, log2Size: i32): void {
  const stride = 64 >> log2Size;
  let sum: u32 = 0;
  for (let k = from; k < to; k++) {
    const s = <i32>load<u32>(at(pSpikes, k)) - sourceOffset;
    const first = <i32>load<u32>(at(pRow, s));
    const end = <i32>load<u32>(at(pRow, s + 1));
    for (let j = first; j < end; j += stride) sum += load<u8>(pData + (<usize>j << log2Size));
    // A row that starts mid-line may end on a line the stride stepped over.
    if (end > first) sum += load<u8>(pData + (<usize>(end - 1) << log2Size));
  }
  touched += sum;
}

/** touchRows for every array a propagation loop reads per synapse: targets, and weights and delays where it has them. */
// @ts-ignore: decorator
@inline function touchChunk(
  pRow: usize, pSpikes: usize, from: i32, to: i32, sourceOffset: i32,
  pTarget: usize, weighted: bool, pWeight: usize, delayed: bool, pDelay: usize,
): void {
  touchRows(pRow, pSpikes, from, to, sourceOffset, pTarget, 2);
  if (weighted) touchRows(pRow, pSpikes, from, to, sourceOffset, pWeight, 2);
  if (delayed) touchRows(pRow, pSpikes, from, to, sourceOffset, pDelay, 0);
}

/**
 * Spikes pSpikes[from .. to) (global, ascending, all from the block's source population) through a
 * block whose synapses share weight `w` and one delay: every target column gets w added at pDest
 * (the synaptic variables for a one-step delay, else the ring slot of the delay). pRow points at the
 * block's row pointers, sourceOffset is its first source neuron.
 */
export function propagateShared(pRow: usize, pTarget: usize, pSpikes: usize, from: i32, to: i32, sourceOffset: i32, pDest: usize, w: f32): void {
  touchChunk(pRow, pSpikes, from, min(from + ROW_CHUNK, to), sourceOffset, pTarget, false, 0, false, 0);
  for (let chunk = from; chunk < to; chunk += ROW_CHUNK) {
    const chunkEnd = min(chunk + ROW_CHUNK, to);
    touchChunk(pRow, pSpikes, chunkEnd, min(chunkEnd + ROW_CHUNK, to), sourceOffset, pTarget, false, 0, false, 0);
    for (let k = chunk; k < chunkEnd; k++) {
      const s = <i32>load<u32>(at(pSpikes, k)) - sourceOffset;
      const end = <i32>load<u32>(at(pRow, s + 1));
      for (let j = <i32>load<u32>(at(pRow, s)); j < end; j++) {
        const p = at(pDest, <i32>load<u32>(at(pTarget, j)));
        store<f32>(p, load<f32>(p) + w);
      }
    }
  }
}

/** As propagateShared, with a weight per synapse at pWeight + 4·j (pWeight already shifted to the block). */
export function propagateWeighted(pRow: usize, pTarget: usize, pWeight: usize, pSpikes: usize, from: i32, to: i32, sourceOffset: i32, pDest: usize): void {
  touchChunk(pRow, pSpikes, from, min(from + ROW_CHUNK, to), sourceOffset, pTarget, true, pWeight, false, 0);
  for (let chunk = from; chunk < to; chunk += ROW_CHUNK) {
    const chunkEnd = min(chunk + ROW_CHUNK, to);
    touchChunk(pRow, pSpikes, chunkEnd, min(chunkEnd + ROW_CHUNK, to), sourceOffset, pTarget, true, pWeight, false, 0);
    for (let k = chunk; k < chunkEnd; k++) {
      const s = <i32>load<u32>(at(pSpikes, k)) - sourceOffset;
      const end = <i32>load<u32>(at(pRow, s + 1));
      for (let j = <i32>load<u32>(at(pRow, s)); j < end; j++) {
        const p = at(pDest, <i32>load<u32>(at(pTarget, j)));
        store<f32>(p, load<f32>(p) + load<f32>(at(pWeight, j)));
      }
    }
  }
}

/**
 * Per-synapse delays (u8 at pDelay + j, shifted to the block) and, when `weighted`, weights: a
 * one-step synapse adds to the synaptic variables at pSyn, a longer one to ring slot
 * (step + delay) mod slots, each slot `stride` floats from pRing. `step` is the step modulo slots.
 */
export function propagateDelayed(pRow: usize, pTarget: usize, weighted: i32, pWeight: usize, w: f32, pDelay: usize, pSpikes: usize, from: i32, to: i32, sourceOffset: i32, pSyn: usize, pRing: usize, step: i32, slots: i32, stride: i32): void {
  touchChunk(pRow, pSpikes, from, min(from + ROW_CHUNK, to), sourceOffset, pTarget, weighted != 0, pWeight, true, pDelay);
  for (let chunk = from; chunk < to; chunk += ROW_CHUNK) {
    const chunkEnd = min(chunk + ROW_CHUNK, to);
    touchChunk(pRow, pSpikes, chunkEnd, min(chunkEnd + ROW_CHUNK, to), sourceOffset, pTarget, weighted != 0, pWeight, true, pDelay);
    for (let k = chunk; k < chunkEnd; k++) {
      const s = <i32>load<u32>(at(pSpikes, k)) - sourceOffset;
      const end = <i32>load<u32>(at(pRow, s + 1));
      for (let j = <i32>load<u32>(at(pRow, s)); j < end; j++) {
        const delay = <i32>load<u8>(pDelay + <usize>j);
        const column = <i32>load<u32>(at(pTarget, j));
        const p = delay == 1 ? at(pSyn, column) : at(pRing, <i32>(<u32>(step + delay) % <u32>slots) * stride + column);
        const weight: f32 = weighted ? load<f32>(at(pWeight, j)) : w;
        store<f32>(p, load<f32>(p) + weight);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function clampWeight(w: f32, lo: f32, hi: f32): f32 {
  return w < lo ? lo : (w > hi ? hi : w);
}

/** The depression loop of stdpDepress; inlined once per mode so that `multiplicative` is a constant there. */
// @ts-ignore: decorator
@inline function depressRows(
  pRow: usize, pTarget: usize, pW: usize, pPost: usize, columnBase: i32, pSpikes: usize, from: i32, to: i32, sourceOffset: i32,
  decay: f32, aMinus: f32, wMin: f32, wMax: f32, multiplicative: bool,
): void {
  for (let k = from; k < to; k++) {
    const s = <i32>load<u32>(at(pSpikes, k)) - sourceOffset;
    const end = <i32>load<u32>(at(pRow, s + 1));
    for (let j = <i32>load<u32>(at(pRow, s)); j < end; j++) {
      const x: f32 = load<f32>(at(pPost, <i32>load<u32>(at(pTarget, j)) - columnBase)) * decay;
      const w = load<f32>(at(pW, j));
      const delta: f32 = multiplicative ? (aMinus * x) * (w - wMin) : aMinus * x;
      store<f32>(at(pW, j), clampWeight(w - delta, wMin, wMax));
    }
  }
}

/**
 * STDP depression on presynaptic spikes pSpikes[from .. to) (global, ascending, all from the block's source
 * population): every synapse j of their rows loses a₋ · x_post (· (w − w_min) when multiplicative), x_post being
 * the target's trace decayed to this step. pW points at the block's first weight (weight index j there), pPost at
 * the postsynaptic traces, indexed by the synapse's column − columnBase. See applyStdp in plasticity.ts.
 */
export function stdpDepress(
  pRow: usize, pTarget: usize, pW: usize, pPost: usize, columnBase: i32, pSpikes: usize, from: i32, to: i32, sourceOffset: i32,
  decay: f32, aMinus: f32, wMin: f32, wMax: f32, multiplicative: i32,
): void {
  if (multiplicative) depressRows(pRow, pTarget, pW, pPost, columnBase, pSpikes, from, to, sourceOffset, decay, aMinus, wMin, wMax, true);
  else depressRows(pRow, pTarget, pW, pPost, columnBase, pSpikes, from, to, sourceOffset, decay, aMinus, wMin, wMax, false);
}

/** The potentiation loop of stdpPotentiate; inlined once per mode. */
// @ts-ignore: decorator
@inline function potentiateInputs(
  pInPtr: usize, pInSyn: usize, pInSource: usize, pW: usize, pPre: usize, pSpikes: usize, from: i32, to: i32, targetOffset: i32,
  decay: f32, aPlus: f32, wMin: f32, wMax: f32, multiplicative: bool,
): void {
  for (let k = from; k < to; k++) {
    const t = <i32>load<u32>(at(pSpikes, k)) - targetOffset;
    const end = <i32>load<u32>(at(pInPtr, t + 1));
    for (let i = <i32>load<u32>(at(pInPtr, t)); i < end; i++) {
      const syn = <i32>load<u32>(at(pInSyn, i));
      const x: f32 = load<f32>(at(pPre, <i32>load<u32>(at(pInSource, i)))) * decay;
      const w = load<f32>(at(pW, syn));
      const delta: f32 = multiplicative ? (aPlus * x) * (wMax - w) : aPlus * x;
      store<f32>(at(pW, syn), clampWeight(w + delta, wMin, wMax));
    }
  }
}

/**
 * STDP potentiation on postsynaptic spikes pSpikes[from .. to) (global, ascending, all from the target
 * population): every incoming synapse of theirs (the partition's incoming index: inPtr by local target, inSyn the
 * weight index in the partition's weights at pW, inSource the local source) gains a₊ · x_pre (· (w_max − w) when
 * multiplicative). See applyStdp in plasticity.ts.
 */
export function stdpPotentiate(
  pInPtr: usize, pInSyn: usize, pInSource: usize, pW: usize, pPre: usize, pSpikes: usize, from: i32, to: i32, targetOffset: i32,
  decay: f32, aPlus: f32, wMin: f32, wMax: f32, multiplicative: i32,
): void {
  if (multiplicative) potentiateInputs(pInPtr, pInSyn, pInSource, pW, pPre, pSpikes, from, to, targetOffset, decay, aPlus, wMin, wMax, true);
  else potentiateInputs(pInPtr, pInSyn, pInSource, pW, pPre, pSpikes, from, to, targetOffset, decay, aPlus, wMin, wMax, false);
}

/** Multiplies the traces pTrace[from .. to) by `decay`, four at a time (see decayAndBump in plasticity.ts). */
export function decayTraces(pTrace: usize, from: i32, to: i32, decay: f32): void {
  const sDecay = f32x4.splat(decay);
  let i = from;
  for (; i + 4 <= to; i += 4) v128.store(at(pTrace, i), f32x4.mul(v128.load(at(pTrace, i)), sDecay));
  for (; i < to; i++) store<f32>(at(pTrace, i), load<f32>(at(pTrace, i)) * decay);
}
