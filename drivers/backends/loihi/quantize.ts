// Float spec → Lava fixed point: decays, threshold, bias, 8-bit weights with one exponent per projection; reports the error.
//
// Mapping of a current-based LIF population (the cpu engine integrates it exactly, which is the same
// linear recurrence Lava's LIF computes, up to quantization):
//   cpu:  i ← i·p_syn + input;  v ← v·p_m + (1 − p_m)·v_inf + k·i      (k = R·kernel, p = e^(−dt/τ))
//   Lava: u ← u·(1 − (du+1)/4096) + a_in·2^6;  v ← v·(1 − dv/4096) + u + bias
// with v measured from the reset potential (Lava resets to 0) in units of `unitsPerMv`, chosen so that
// the threshold is exactly `vth` (default 2^15, which leaves 4 thresholds of headroom below reset in the
// 24-bit voltage). Decays are rounded to the nearest 12-bit value. The bias is computed with the
// quantized voltage decay, so the steady-state potential under a constant current is the float model's;
// weights are scaled by the quantized current decay, so the charge one spike delivers is the float
// model's. Weights are not rescaled for the voltage-decay error: on the recurrent E/I test network that
// rescaling moved rates 5–13 % away from the float run, without it they stay within 1–3 %.
// Weights of a projection share one exponent: the smallest that fits the largest weight in 8 bits.
import { HasnError } from '../../../core/errors.ts';
import type { LifParams, NetworkSpec } from '../../../core/spec/schema.ts';
import { compileNetwork } from '../../../core/compile/compile.ts';
import { projectionCells } from '../synapses.ts';
import type { Violation } from '../types.ts';
import {
  BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MANT_MIN, DECAY_UNITY, DU_MAX, MAX_UV, V_MAX, V_MIN, VTH_MAX, lavaEffectiveWeights,
} from './fixed-point.ts';
import type { LoihiDense, LoihiLif, LoihiNetwork, LoihiPopulation } from './network.ts';

/** Loihi's weight exponent is a 4-bit signed field (−8 … 7); Lava's CPU model itself accepts any integer. */
export const WEIGHT_EXP_MIN = -8;
export const WEIGHT_EXP_MAX = 7;
export const DEFAULT_VTH = 1 << 15;

export interface QuantizeOptions {
  /** Threshold mantissa every population is scaled to (1 … 2^17 − 1). */
  vth?: number;
  /** Weight precision handed to Lava's Dense (1 … 8). */
  numWeightBits?: number;
}

export interface ErrorSummary {
  max: number;
  mean: number;
  count: number;
}

export interface QuantizationErrors {
  /** |represented − intended| / |intended| over every nonzero weight cell. */
  weights: ErrorSummary;
  thresholds: ErrorSummary;
  /** Relative error of the per-step decay rates (1 − p) of currents and voltages. */
  decays: ErrorSummary;
  biases: ErrorSummary;
}

export interface Quantized {
  network: LoihiNetwork;
  errors: QuantizationErrors;
  issues: Violation[];
  notes: string[];
}

class ErrorAccumulator {
  private sum = 0;
  private max = 0;
  private count = 0;
  add(represented: number, intended: number): void {
    if (intended === 0) return;
    const e = Math.abs(represented - intended) / Math.abs(intended);
    this.sum += e;
    if (e > this.max) this.max = e;
    this.count++;
  }
  summary(): ErrorSummary {
    return { max: this.max, mean: this.count === 0 ? 0 : this.sum / this.count, count: this.count };
  }
}

interface LifScale {
  pop: LoihiLif;
  /** Sign-free u units per nA for the receptor in use, including the decay compensation. */
  uPerNa: number;
}

export function quantizeSpec(spec: NetworkSpec, options: QuantizeOptions = {}): Quantized {
  const vth = options.vth ?? DEFAULT_VTH;
  const numWeightBits = options.numWeightBits ?? 8;
  if (!Number.isInteger(vth) || vth < 1 || vth > VTH_MAX) {
    throw new HasnError('E_BACKEND_OPTION', `vth must be an integer from 1 to ${VTH_MAX} (17 bits), got ${String(vth)}`, { path: 'vth' });
  }
  if (!Number.isInteger(numWeightBits) || numWeightBits < 1 || numWeightBits > 8) {
    throw new HasnError('E_BACKEND_OPTION', `numWeightBits must be an integer from 1 to 8, got ${String(numWeightBits)}`, { path: 'numWeightBits' });
  }
  const issues: Violation[] = [];
  const notes: string[] = [];
  const err = { weights: new ErrorAccumulator(), thresholds: new ErrorAccumulator(), decays: new ErrorAccumulator(), biases: new ErrorAccumulator() };
  const dt = spec.dt_ms;
  // Initial state and synapses drawn exactly as the cpu engine draws them.
  const initial = compileNetwork(spec, { partitions: 1 });

  const populations: LoihiPopulation[] = [];
  const scales = new Map<number, LifScale>();
  let offset = 0;
  spec.populations.forEach((p, index) => {
    const size = p.size;
    if (p.model.type === 'lif') {
      const receptor = receptorInUse(spec, p.id);
      const scale = quantizeLif(p.id, p.model, receptor, offset, size, dt, vth, initial.state, index, err, issues, notes);
      populations.push(scale.pop);
      scales.set(index, scale);
    } else {
      populations.push({ kind: 'input', id: p.id, offset, size });
    }
    offset += size;
  });

  const indexOf = new Map(spec.populations.map((p, i) => [p.id, i]));
  const dense: LoihiDense[] = spec.projections.map((proj, k) => {
    const source = indexOf.get(proj.source)!;
    const target = indexOf.get(proj.target)!;
    const scale = scales.get(target)!;
    const cells = projectionCells(initial, k);
    const perUnit = scale.uPerNa / 2 ** 6;
    let maxX = 0;
    for (let c = 0; c < cells.weight.length; c++) maxX = Math.max(maxX, cells.weight[c]! * perUnit);
    const { exponent, saturated } = chooseWeightExponent(maxX, numWeightBits);
    if (saturated) {
      issues.push({
        code: 'E_LOIHI_WEIGHT_RANGE', path: `projections[${k}].weight`,
        message: `projection "${proj.id}": its largest weight needs a weight exponent above ${WEIGHT_EXP_MAX} at this threshold scale; lower vth or the weights`,
      });
    }
    if (maxX > 0 && maxX / 2 ** exponent < 128) {
      const top = maxX / 2 ** exponent;
      notes.push(`projection "${proj.id}": weights reach only ${top.toFixed(1)} of 255 at the smallest weight exponent (${WEIGHT_EXP_MIN}), ${Math.max(0, Math.floor(Math.log2(top)) + 1)} bits of precision; raise vth for more`);
    }
    const step = 2 ** (8 - numWeightBits);
    const signMode = proj.receptor === 'inh' ? 'inhibitory' as const : 'excitatory' as const;
    const raw = new Int32Array(cells.weight.length);
    for (let c = 0; c < raw.length; c++) {
      const magnitude = Math.min(255 - (255 % step), Math.round((cells.weight[c]! * perUnit) / 2 ** exponent / step) * step);
      raw[c] = signMode === 'inhibitory' ? -magnitude : magnitude;
    }
    const effective = lavaEffectiveWeights(raw, signMode, numWeightBits);
    for (let c = 0; c < raw.length; c++) err.weights.add(Math.abs(effective[c]!) * 2 ** exponent, cells.weight[c]! * perUnit);
    return {
      id: proj.id, source, target, signMode, weightExp: exponent, numWeightBits,
      rowPtr: cells.rowPtr, column: cells.column, weight: raw,
    };
  });

  return {
    network: { populations, dense, neuronCount: offset },
    errors: { weights: err.weights.summary(), thresholds: err.thresholds.summary(), decays: err.decays.summary(), biases: err.biases.summary() },
    issues,
    notes,
  };
}

/** Which receptor's time constant drives the population's single Lava current (exc unless only inh targets it). */
function receptorInUse(spec: NetworkSpec, populationId: string): 'exc' | 'inh' {
  const incoming = spec.projections.filter((p) => p.target === populationId);
  return incoming.length > 0 && incoming.every((p) => p.receptor === 'inh') ? 'inh' : 'exc';
}

/** The smallest exponent at which the largest magnitude fits the mantissa, and whether even 2^7 is not enough. */
function chooseWeightExponent(maxX: number, numWeightBits: number): { exponent: number; saturated: boolean } {
  if (maxX === 0) return { exponent: 0, saturated: false };
  const step = 2 ** (8 - numWeightBits);
  const top = 255 - (255 % step);
  let e = Math.ceil(Math.log2(maxX / top));
  while (Math.round(maxX / 2 ** e / step) * step > top) e++;
  if (e < WEIGHT_EXP_MIN) e = WEIGHT_EXP_MIN;
  if (e > WEIGHT_EXP_MAX) return { exponent: WEIGHT_EXP_MAX, saturated: true };
  return { exponent: e, saturated: false };
}

function currentKernel(dt: number, tauM: number, tauS: number): number {
  if (Math.abs(tauM - tauS) < 1e-12) return (dt / tauM) * Math.exp(-dt / tauM);
  return (tauS / (tauM - tauS)) * (Math.exp(-dt / tauM) - Math.exp(-dt / tauS));
}

function quantizeLif(
  id: string, m: LifParams, receptor: 'exc' | 'inh', offset: number, size: number, dt: number, vth: number,
  state: { v: Float32Array; synE: Float32Array; synI: Float32Array }, index: number,
  err: Record<keyof QuantizationErrors, ErrorAccumulator>, issues: Violation[], notes: string[],
): LifScale {
  const at = `populations[${index}].model`;
  const tauSyn = receptor === 'exc' ? m.tau_syn_e_ms : m.tau_syn_i_ms;
  const r = m.tau_m_ms / m.cm_nF;
  const pm = Math.exp(-dt / m.tau_m_ms);
  const pSyn = Math.exp(-dt / tauSyn);
  const k = r * currentKernel(dt, m.tau_m_ms, tauSyn);

  const dv = clampInt(Math.round(DECAY_UNITY * (1 - pm)), 0, DU_MAX);
  const du = clampInt(Math.round(DECAY_UNITY * (1 - pSyn)) - 1, 0, DU_MAX);
  const rateV = dv / DECAY_UNITY;
  const rateU = (du + 1) / DECAY_UNITY;
  err.decays.add(rateV, 1 - pm);
  err.decays.add(rateU, 1 - pSyn);
  if (dv === 0) notes.push(`population "${id}": membrane decay per step (${(1 - pm).toExponential(2)}) is below Lava's 1/4096; v does not leak`);

  const unitsPerMv = (vth * 2 ** 6) / (m.v_thresh_mV - m.v_reset_mV);
  err.thresholds.add((vth * 2 ** 6) / unitsPerMv, m.v_thresh_mV - m.v_reset_mV);
  // With the quantized current decay, keep the charge a spike delivers (see the header).
  const uFactor = rateU / (1 - pSyn);
  const uPerNa = unitsPerMv * k * uFactor;

  const vInf = m.v_rest_mV + r * m.i_offset_nA;
  const bias = unitsPerMv * (dv === 0 ? 1 - pm : rateV) * (vInf - m.v_reset_mV);
  const { mant, exp, inRange } = splitBias(bias);
  if (!inRange) {
    issues.push({
      code: 'E_LOIHI_BIAS_RANGE', path: `${at}.i_offset_nA`,
      message: `population "${id}": bias ${bias.toFixed(0)} exceeds Lava's 13-bit mantissa × 2^7; lower vth, v_rest or i_offset`,
    });
  }
  err.biases.add(mant * 2 ** exp, bias);

  const u0 = new Int32Array(size);
  const v0 = new Int32Array(size);
  let clipped = 0;
  for (let i = 0; i < size; i++) {
    const g = offset + i;
    const v = Math.round(unitsPerMv * (state.v[g]! - m.v_reset_mV));
    v0[i] = clampInt(v, V_MIN, V_MAX);
    const u = Math.round((uPerNa * (state.synE[g]! - state.synI[g]!)) / pSyn);
    u0[i] = clampInt(u, -MAX_UV + 1, MAX_UV);
    if (v0[i] !== v || u0[i] !== u) clipped++;
  }
  if (clipped > 0) notes.push(`population "${id}": initial state of ${clipped} neuron(s) clipped to the 24-bit range`);
  return {
    pop: {
      kind: 'lif', id, offset, size, du, dv, vth,
      biasMant: new Int32Array(size).fill(mant), biasExp: new Int32Array(size).fill(exp), u0, v0,
      unitsPerMv, zeroMv: m.v_reset_mV, uPerNa, synapticDecay: pSyn,
    },
    uPerNa,
  };
}

/** bias ≈ mant · 2^exp with the smallest exponent that fits the 13-bit signed mantissa. */
function splitBias(bias: number): { mant: number; exp: number; inRange: boolean } {
  for (let exp = 0; exp <= BIAS_EXP_MAX; exp++) {
    const mant = Math.round(bias / 2 ** exp);
    if (mant >= BIAS_MANT_MIN && mant <= BIAS_MANT_MAX) return { mant, exp, inRange: true };
  }
  const mant = clampInt(Math.round(bias / 2 ** BIAS_EXP_MAX), BIAS_MANT_MIN, BIAS_MANT_MAX);
  return { mant, exp: BIAS_EXP_MAX, inRange: false };
}

function clampInt(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}
