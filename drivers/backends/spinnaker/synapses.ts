// Synapses as sPyNNaker stores them: 16-bit unsigned weights per synapse type, scaled by a per-(population, receptor) ring-buffer shift.
//
// sPyNNaker (spynnaker/pyNN/models/neuron/synaptic_matrices, get_ring_buffer_shifts) picks for each target
// population and synapse type the smallest left shift s such that the largest input one ring-buffer slot can
// receive fits 16 bits, then stores each weight as rint(|w| · g · 2^(15 − s)) (g = global weight scale).
// On arrival the slot's sum is turned into an s16.15 input by `sum << s`, so one weight unit is 2^(s−15)/g.
// With constant delays sPyNNaker bounds that largest input by Σ (max in-degree × max weight), as here; with
// varied delays it uses a statistical bound (mean + 5σ of Poisson input), which can pick a smaller shift and then
// saturate. We always use the worst-case bound, so slots never saturate (the saturation is still emulated).
import { forEachCompiledSynapse } from '../../../core/compile/synapse-reader.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import { roundHalfEven } from './accum.ts';
import { globalWeightScale, type FixedModel } from './params.ts';

export const WEIGHT_MAX = 0xffff;
/** Largest ring-buffer shift for which a saturated 16-bit slot still fits s16.15. */
export const MAX_SHIFT = 15;

export interface SpinnakerSynapses {
  /** CSR by global source neuron: synapses rowPtr[s] .. rowPtr[s+1]. */
  readonly rowPtr: Uint32Array;
  /** receptor · N + global target (receptor 0 exc, 1 inh): the synapse's ring-buffer column. */
  readonly column: Uint32Array;
  readonly weight: Uint16Array;
  /** Delay in steps, ≥ 1. */
  readonly delay: Uint8Array;
  /** Ring-buffer left shift per population and receptor: shifts[2·p + r]. */
  readonly shifts: Int32Array;
  readonly maxDelay: number;
  /** Largest |quantized − float| / float over all synapses with a non-zero weight. */
  readonly maxRelativeWeightError: number;
}

/** sPyNNaker's power: ⌈log2 w⌉, plus one when w is exactly a power of two (the range is 0 … just under 2^p). */
export function ringBufferShift(maxInput: number): number {
  if (maxInput <= 0) return 0;
  let power = Math.ceil(Math.max(0, Math.log2(maxInput)));
  if (2 ** power <= maxInput) power += 1;
  return power;
}

export function buildSynapses(net: CompiledNetwork, models: readonly FixedModel[]): SpinnakerSynapses {
  const n = net.neuronCount;
  const pops = net.populations;
  const popIndex = new Map(pops.map((p, k) => [p.id, k]));
  const worstInput = new Float64Array(2 * pops.length);
  const biggest = new Float64Array(2 * pops.length);
  const rowCount = new Uint32Array(n + 1);
  const projections = net.spec.projections;

  // Pass 1: synapses per source, and per projection the largest input one target can get in one step.
  projections.forEach((proj, k) => {
    const source = pops[popIndex.get(proj.source)!]!;
    const targetIndex = popIndex.get(proj.target)!;
    const target = pops[targetIndex]!;
    const indegree = new Uint32Array(target.size);
    let maxWeight = 0;
    forEachCompiledSynapse(net, k, (s, t, w) => {
      rowCount[source.offset + s + 1]!++;
      indegree[t]!++;
      if (w > maxWeight) maxWeight = w;
    });
    const g = globalWeightScale(models[targetIndex]!.kind);
    const slot = 2 * targetIndex + (proj.receptor === 'inh' ? 1 : 0);
    let maxIn = 0;
    for (let t = 0; t < target.size; t++) if (indegree[t]! > maxIn) maxIn = indegree[t]!;
    worstInput[slot] = worstInput[slot]! + maxIn * maxWeight * g;
    biggest[slot] = Math.max(biggest[slot]!, maxWeight * g);
  });
  const shifts = new Int32Array(2 * pops.length);
  for (let i = 0; i < shifts.length; i++) {
    shifts[i] = ringBufferShift(Math.max(worstInput[i]!, biggest[i]!));
    // A full 16-bit slot shifted left by more than 15 no longer fits an s16.15 input (it would wrap).
    if (shifts[i]! > MAX_SHIFT) {
      const pop = pops[i >> 1]!;
      throw new HasnError('E_SPINNAKER_RANGE', `population '${pop.id}' can receive up to ${worstInput[i]!.toPrecision(4)} (×${globalWeightScale(models[i >> 1]!.kind)} held) of ${i % 2 === 0 ? 'excitatory' : 'inhibitory'} input in one step, beyond SpiNNaker's s16.15 range; reduce weights or in-degree`, { path: `populations.${pop.id}` });
    }
  }

  for (let i = 1; i <= n; i++) rowCount[i]! += rowCount[i - 1]!;
  const total = rowCount[n]!;
  const rowPtr = Uint32Array.from(rowCount);
  const column = new Uint32Array(total);
  const weight = new Uint16Array(total);
  const delay = new Uint8Array(total);
  const cursor = rowCount.slice(0, n);
  let maxDelay = 1;
  let maxError = 0;

  // Pass 2: quantize and place every synapse.
  projections.forEach((proj, k) => {
    const source = pops[popIndex.get(proj.source)!]!;
    const targetIndex = popIndex.get(proj.target)!;
    const target = pops[targetIndex]!;
    const receptor = proj.receptor === 'inh' ? 1 : 0;
    const scale = globalWeightScale(models[targetIndex]!.kind) * 2 ** (15 - shifts[2 * targetIndex + receptor]!);
    forEachCompiledSynapse(net, k, (s, t, w, d) => {
      const at = cursor[source.offset + s]!++;
      const q = Math.min(WEIGHT_MAX, roundHalfEven(Math.abs(w) * scale));
      column[at] = receptor * n + target.offset + t;
      weight[at] = q;
      delay[at] = d;
      if (d > maxDelay) maxDelay = d;
      if (w !== 0) maxError = Math.max(maxError, Math.abs(q / scale - Math.abs(w)) / Math.abs(w));
    });
  });
  return { rowPtr, column, weight, delay, shifts, maxDelay, maxRelativeWeightError: maxError };
}
