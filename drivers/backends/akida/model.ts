// A layered integrate-and-fire network as Akida FullyConnected layers: float weights from the spec, and their quantized integers.
//
// The mapping (one Akida inference = one frame of `windowSteps` steps):
//   input      a neuron's spike count in the frame, clipped to the InputData range (2^input_bits − 1)
//   potential  p_j = Σ_i x_i · w_ij, where w_ij is the membrane jump one input spike finally causes in a
//              non-leaky lif: weight · τ_syn / cm (mV; negative for the inh receptor), summed over synapses i→j
//   activation Akida's step function (akida user guide, "Activation parameters"): with threshold T and interval
//              s, T + n·s < p ≤ T + (n + 1)·s gives n + 1, clipped to 2^act_bits − 1; p ≤ T gives 0.
//              T = v_thresh − v_rest (the first spike), s = v_thresh − v_reset (each further one): the spike
//              count of a non-leaky integrate-and-fire neuron with a strict threshold that receives its input
//              all at once and resets by subtracting s.
// Float model: the same algebra without any quantization (unclipped counts). Integer model: per-layer scale,
// weights rounded to signed (2^(b−1) − 1) levels (1 bit: unsigned {0, 1}), threshold rounded to an integer,
// the interval kept as Akida's float act_step.
import { forEachCompiledSynapse } from '../../../core/compile/synapse-reader.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import type { Layering } from './layers.ts';

export type WeightBits = 1 | 2 | 4 | 8;
export type ActivationBits = 1 | 2 | 4;

export interface AkidaLayer {
  /** Layer depth (1 = first FullyConnected). */
  readonly depth: number;
  /** Spec indices of the populations concatenated into this layer, and each one's first unit. */
  readonly populations: readonly number[];
  readonly unitOffsets: readonly number[];
  readonly inputSize: number;
  readonly units: number;
  /** Sparse weights by input: rowPtr[i] .. rowPtr[i+1] index `unit`, `weight` (float, mV) and `weightQ` (integer). */
  readonly rowPtr: Uint32Array;
  readonly unit: Uint32Array;
  readonly weight: Float64Array;
  readonly weightQ: Int8Array;
  /** mV per integer weight unit. */
  readonly scale: number;
  /** Float threshold T and interval s per unit (mV); their integer-model forms (weight units). */
  readonly threshold: Float64Array;
  readonly step: Float64Array;
  readonly thresholdQ: Int32Array;
  readonly stepQ: Float32Array;
  /** Largest |quantized − float| / |float| over the weights that stay non-zero. */
  readonly maxRelativeWeightError: number;
  /** Non-zero float weights that quantize to 0. */
  readonly zeroedWeights: number;
  readonly nonZeroWeights: number;
}

export interface AkidaModel {
  readonly windowSteps: number;
  readonly weightBits: WeightBits;
  readonly actBits: ActivationBits;
  readonly inputBits: ActivationBits;
  /** Input populations (spec indices) in InputData order, each one's first input index. */
  readonly inputPopulations: readonly number[];
  readonly inputOffsets: readonly number[];
  readonly inputSize: number;
  readonly layers: readonly AkidaLayer[];
  /** Global neuron index of input i, and of unit j of layer l (globalOfUnit[l][j]). */
  readonly globalOfInput: Uint32Array;
  readonly globalOfUnit: readonly Uint32Array[];
}

export interface ModelOptions {
  windowSteps: number;
  weightBits: WeightBits;
  actBits: ActivationBits;
  inputBits: ActivationBits;
}

function offsets(net: CompiledNetwork, pops: readonly number[]): { starts: number[]; total: number; globals: Uint32Array } {
  const starts: number[] = [];
  let total = 0;
  for (const p of pops) {
    starts.push(total);
    total += net.populations[p]!.size;
  }
  const globals = new Uint32Array(total);
  pops.forEach((p, k) => {
    const pop = net.populations[p]!;
    for (let i = 0; i < pop.size; i++) globals[starts[k]! + i] = pop.offset + i;
  });
  return { starts, total, globals };
}

/** Builds the float and quantized layers of a network that passed checkAkida (its layering has no violations). */
export function buildAkidaModel(net: CompiledNetwork, layering: Layering, opts: ModelOptions): AkidaModel {
  const spec = net.spec;
  const popIndex = new Map(spec.populations.map((p, i) => [p.id, i]));
  const input = offsets(net, layering.layers[0]!);
  const layerInfo = layering.layers.map((pops) => offsets(net, pops));
  const layers: AkidaLayer[] = [];
  for (let d = 1; d < layering.layers.length; d++) {
    const prev = layerInfo[d - 1]!;
    const here = layerInfo[d]!;
    const pops = layering.layers[d]!;
    const cells: Map<number, number>[] = Array.from({ length: prev.total }, () => new Map());
    spec.projections.forEach((proj, k) => {
      const t = popIndex.get(proj.target)!;
      const local = pops.indexOf(t);
      if (local < 0) return;
      const s = popIndex.get(proj.source)!;
      const sourceStart = prev.starts[layering.layers[d - 1]!.indexOf(s)]!;
      const model = spec.populations[t]!.model;
      if (model.type !== 'lif') throw new HasnError('E_AKIDA_MODEL_UNSUPPORTED', `population '${proj.target}' is not a lif`);
      const tau = proj.receptor === 'inh' ? model.tau_syn_i_ms : model.tau_syn_e_ms;
      const jump = (proj.receptor === 'inh' ? -1 : 1) * tau / model.cm_nF;
      forEachCompiledSynapse(net, k, (src, tgt, w) => {
        const row = cells[sourceStart + src]!;
        const unit = here.starts[local]! + tgt;
        row.set(unit, (row.get(unit) ?? 0) + w * jump);
      });
    });
    layers.push(quantizeLayer(net, d, pops, here.starts, prev.total, here.total, cells, opts));
  }
  return {
    windowSteps: opts.windowSteps, weightBits: opts.weightBits, actBits: opts.actBits, inputBits: opts.inputBits,
    inputPopulations: layering.layers[0]!, inputOffsets: input.starts, inputSize: input.total,
    layers, globalOfInput: input.globals, globalOfUnit: layerInfo.slice(1).map((l) => l.globals),
  };
}

function quantizeLayer(net: CompiledNetwork, depth: number, pops: readonly number[], unitOffsets: readonly number[], inputSize: number, units: number, cells: Map<number, number>[], opts: ModelOptions): AkidaLayer {
  const rowPtr = new Uint32Array(inputSize + 1);
  cells.forEach((row, i) => { rowPtr[i + 1] = rowPtr[i]! + row.size; });
  const count = rowPtr[inputSize]!;
  const unit = new Uint32Array(count);
  const weight = new Float64Array(count);
  let maxAbs = 0;
  let negative = false;
  cells.forEach((row, i) => {
    let at = rowPtr[i]!;
    for (const [j, w] of [...row].sort((a, b) => a[0] - b[0])) {
      unit[at] = j;
      weight[at++] = w;
      maxAbs = Math.max(maxAbs, Math.abs(w));
      if (w < 0) negative = true;
    }
  });
  const b = opts.weightBits;
  if (b === 1 && negative) {
    throw new HasnError('E_AKIDA_BITS_UNSUPPORTED', `layer ${depth} has inhibitory weights, but 1-bit Akida weights are unsigned {0, 1}; use 2, 4 or 8 bits`, { path: 'weightBits' });
  }
  const qmax = b === 1 ? 1 : 2 ** (b - 1) - 1;
  const qmin = b === 1 ? 0 : -qmax;
  const scale = maxAbs > 0 ? maxAbs / qmax : 1;
  const weightQ = new Int8Array(count);
  let maxError = 0;
  let zeroed = 0;
  let nonZero = 0;
  for (let k = 0; k < count; k++) {
    const q = Math.min(qmax, Math.max(qmin, Math.round(weight[k]! / scale)));
    weightQ[k] = q;
    if (weight[k] !== 0) {
      nonZero++;
      if (q === 0) zeroed++;
      else maxError = Math.max(maxError, Math.abs(q * scale - weight[k]!) / Math.abs(weight[k]!));
    }
  }
  const threshold = new Float64Array(units);
  const step = new Float64Array(units);
  pops.forEach((p, k) => {
    const m = net.populations[p]!.model;
    if (m.type !== 'lif') return;
    const size = net.populations[p]!.size;
    threshold.fill(m.v_thresh_mV - m.v_rest_mV, unitOffsets[k]!, unitOffsets[k]! + size);
    step.fill(m.v_thresh_mV - m.v_reset_mV, unitOffsets[k]!, unitOffsets[k]! + size);
  });
  const thresholdQ = Int32Array.from(threshold, (t) => Math.round(t / scale));
  const stepQ = Float32Array.from(step, (s) => s / scale);
  return {
    depth, populations: pops, unitOffsets, inputSize, units, rowPtr, unit, weight, weightQ, scale,
    threshold, step, thresholdQ, stepQ, maxRelativeWeightError: maxError, zeroedWeights: zeroed, nonZeroWeights: nonZero,
  };
}

/** Akida's activation: 0 at or below T, else ⌈(p − T)/s⌉, clipped to `max` (Infinity for the float model). */
export function activation(p: number, threshold: number, step: number, max: number): number {
  if (!(p > threshold)) return 0;
  return Math.min(max, Math.ceil((p - threshold) / step));
}

/**
 * One inference of the float model (quantized = false) or the integer model (true): input counts → activations
 * of every layer. `out[l]` receives layer l's activations; buffers are reused (no allocation).
 */
export function forward(model: AkidaModel, counts: ArrayLike<number>, quantized: boolean, out: Float64Array[], potential: Float64Array): void {
  const inputMax = quantized ? 2 ** model.inputBits - 1 : Infinity;
  const actMax = quantized ? 2 ** model.actBits - 1 : Infinity;
  let x: ArrayLike<number> = counts;
  let xMax = inputMax;
  for (let l = 0; l < model.layers.length; l++) {
    const layer = model.layers[l]!;
    potential.fill(0, 0, layer.units);
    const w = quantized ? layer.weightQ : layer.weight;
    for (let i = 0; i < layer.inputSize; i++) {
      const xi = Math.min(xMax, x[i]!);
      if (xi === 0) continue;
      for (let k = layer.rowPtr[i]!; k < layer.rowPtr[i + 1]!; k++) potential[layer.unit[k]!] += xi * w[k]!;
    }
    const a = out[l]!;
    for (let j = 0; j < layer.units; j++) {
      a[j] = quantized
        ? activation(potential[j]!, layer.thresholdQ[j]!, layer.stepQ[j]!, actMax)
        : activation(potential[j]!, layer.threshold[j]!, layer.step[j]!, actMax);
    }
    x = a;
    xMax = actMax;
  }
}

export function activationBuffers(model: AkidaModel): { out: Float64Array[]; potential: Float64Array } {
  const widest = model.layers.reduce((m, l) => Math.max(m, l.units), 1);
  return { out: model.layers.map((l) => new Float64Array(l.units)), potential: new Float64Array(widest) };
}
