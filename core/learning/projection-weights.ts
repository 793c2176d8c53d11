// Per-synapse weights of one projection of a compiled network, as a target × source matrix, and weight normalisation.
//
// These walk the projection's CSR blocks (one per partition), so they work for any partition count,
// for plastic and for frozen projections alike, as long as the projection stores a weight per synapse
// (drawn, explicit or plastic weights; a constant weight is shared and cannot be changed per synapse).
// Call them between engine runs, never while a batch is running.
import type { CompiledNetwork, Partition, PlasticProjection, SynapseBlock } from '../compile/types.ts';
import { HasnError } from '../errors.ts';

interface ProjectionView {
  readonly index: number;
  readonly sourceSize: number;
  readonly targetSize: number;
  /** receptor · N + target offset: subtract from a column to get the local target. */
  readonly columnBase: number;
}

function projectionView(net: CompiledNetwork, projectionId: string, needWeights: boolean): ProjectionView {
  const index = net.spec.projections.findIndex((p) => p.id === projectionId);
  if (index < 0) throw new HasnError('E_LEARNING_PROJECTION', `the network has no projection '${projectionId}'`, { path: 'projection' });
  const proj = net.spec.projections[index]!;
  const source = net.populations.find((p) => p.id === proj.source)!;
  const target = net.populations.find((p) => p.id === proj.target)!;
  if (needWeights && net.partitions.some((part) => part.blocks[index]!.weightConstant !== null)) {
    throw new HasnError('E_LEARNING_SHARED_WEIGHT', `projection '${projectionId}' has one constant weight shared by all synapses; give it drawn or plastic weights to change them per synapse`, { path: `projections[${index}].weight` });
  }
  return { index, sourceSize: source.size, targetSize: target.size, columnBase: (proj.receptor === 'inh' ? net.neuronCount : 0) + target.offset };
}

/** Calls `visit(partition, index into partition.weight, local source, local target)` for every synapse. */
function forEachWeight(net: CompiledNetwork, view: ProjectionView, visit: (part: Partition, weightIndex: number, source: number, target: number) => void): void {
  for (const part of net.partitions) {
    const block: SynapseBlock = part.blocks[view.index]!;
    const { rowPtr, weightShift } = block;
    for (let s = 0; s < view.sourceSize; s++) {
      for (let j = rowPtr[s]!; j < rowPtr[s + 1]!; j++) visit(part, j + weightShift, s, part.target[j]! - view.columnBase);
    }
  }
}

/**
 * The projection's weights as a dense matrix, `m[target · sourceSize + source]` (local indices), 0 where no synapse
 * connects the pair and the sum where several do. Constant-weight projections are read too.
 */
export function projectionWeights(net: CompiledNetwork, projectionId: string): Float32Array {
  const view = projectionView(net, projectionId, false);
  const m = new Float32Array(view.targetSize * view.sourceSize);
  for (const part of net.partitions) {
    const block = part.blocks[view.index]!;
    for (let s = 0; s < view.sourceSize; s++) {
      for (let j = block.rowPtr[s]!; j < block.rowPtr[s + 1]!; j++) {
        const w = block.weightConstant ?? part.weight[j + block.weightShift]!;
        m[(part.target[j]! - view.columnBase) * view.sourceSize + s]! += w;
      }
    }
  }
  return m;
}

/**
 * Sets every synapse's weight from `m[target · sourceSize + source]` (the layout `projectionWeights` returns).
 * Throws E_LEARNING_SHAPE for a matrix of the wrong size and E_LEARNING_DUPLICATE_PAIR when two synapses
 * connect the same pair (a matrix cannot say how to split the weight between them).
 */
export function setProjectionWeights(net: CompiledNetwork, projectionId: string, m: ArrayLike<number>): void {
  const view = projectionView(net, projectionId, true);
  if (m.length !== view.targetSize * view.sourceSize) {
    throw new HasnError('E_LEARNING_SHAPE', `projection '${projectionId}' needs a ${view.targetSize} × ${view.sourceSize} weight matrix (${view.targetSize * view.sourceSize} values), got ${m.length}`, { path: 'weights' });
  }
  const seen = new Uint8Array(view.targetSize * view.sourceSize);
  forEachWeight(net, view, (part, w, s, t) => {
    const k = t * view.sourceSize + s;
    if (seen[k] !== 0) throw new HasnError('E_LEARNING_DUPLICATE_PAIR', `projection '${projectionId}' has several synapses from ${s} to ${t}; set their weights one by one`, { path: 'weights' });
    seen[k] = 1;
    part.weight[w] = m[k]!;
  });
}

/** How the size of a neuron's incoming weights is measured: their sum (Diehl & Cook) or their Euclidean norm. */
export type WeightNorm = 'l1' | 'l2';

/**
 * Each target's incoming weights measured by `norm` into `out[0 … targetSize)`: the sum runs over the target's
 * synapses in source order, in the partition that owns it, so the result does not depend on the partition count.
 */
function measureIncoming(net: CompiledNetwork, view: ProjectionView, norm: WeightNorm, out: Float64Array): void {
  const squares = norm === 'l2';
  out.fill(0, 0, view.targetSize);
  for (const part of net.partitions) {
    const { rowPtr, weightShift } = part.blocks[view.index]!;
    const W = part.weight;
    const T = part.target;
    const base = view.columnBase;
    // A block's synapses are contiguous and in source order, so the per-source rows can be ignored here.
    for (let j = rowPtr[0]!; j < rowPtr[view.sourceSize]!; j++) {
      const w = W[j + weightShift]!;
      out[T[j]! - base]! += squares ? w * w : w;
    }
  }
  if (squares) for (let t = 0; t < view.targetSize; t++) out[t] = Math.sqrt(out[t]!);
}

/** Each target neuron's incoming weights measured by `norm` (sum or Euclidean norm), in target order. */
export function incomingWeightNorms(net: CompiledNetwork, projectionId: string, norm: WeightNorm = 'l1'): Float64Array {
  const view = projectionView(net, projectionId, true);
  const out = new Float64Array(view.targetSize);
  measureIncoming(net, view, norm, out);
  return out;
}

/**
 * Scales each target neuron's incoming weights so that they sum to `total` (Diehl & Cook's normalisation:
 * total synaptic drive stays fixed, so potentiating some inputs depresses the others), or, with `norm: 'l2'`,
 * so that their Euclidean norm is `total`. Targets without weight are left alone. Each target's sum runs over
 * its synapses in source order, in the partition that owns it, so the result does not depend on the partition count.
 *
 * `targets` (a mask over the target population, 1 = normalise) limits the work to the neurons whose weights may
 * have changed — under STDP, those that fired — and on a plastic projection visits only their synapses, through
 * the projection's incoming-synapse index. Scratch space of `targetSize` doubles may be passed to avoid
 * allocating per call.
 */
export function normalizeIncomingWeights(net: CompiledNetwork, projectionId: string, total: number, options: { targets?: Uint8Array; scratch?: Float64Array; norm?: WeightNorm } = {}): void {
  if (!(Number.isFinite(total) && total >= 0)) throw new HasnError('E_LEARNING_TOTAL', `the weight total must be a finite number ≥ 0, got ${total}`, { path: 'total' });
  const view = projectionView(net, projectionId, true);
  const { targets, scratch } = options;
  const norm = options.norm ?? 'l1';
  if (targets !== undefined && targets.length !== view.targetSize) {
    throw new HasnError('E_LEARNING_SHAPE', `the target mask needs ${view.targetSize} entries, got ${targets.length}`, { path: 'targets' });
  }
  const plastic = net.plastic.find((p) => p.projectionIndex === view.index);
  if (targets !== undefined && plastic !== undefined) {
    normalizeIndexed(net, plastic, total, targets, norm);
    return;
  }
  const sums = scratch !== undefined && scratch.length >= view.targetSize ? scratch : new Float64Array(view.targetSize);
  measureIncoming(net, view, norm, sums);
  for (let t = 0; t < view.targetSize; t++) sums[t] = sums[t]! > 0 && (targets === undefined || targets[t] !== 0) ? total / sums[t]! : 1;
  for (const part of net.partitions) {
    const { rowPtr, weightShift } = part.blocks[view.index]!;
    const W = part.weight;
    const T = part.target;
    const base = view.columnBase;
    for (let j = rowPtr[0]!; j < rowPtr[view.sourceSize]!; j++) W[j + weightShift] = W[j + weightShift]! * sums[T[j]! - base]!;
  }
}

/** Normalises the masked targets of a plastic projection through its incoming-synapse index (same sums, same order). */
function normalizeIndexed(net: CompiledNetwork, proj: PlasticProjection, total: number, targets: Uint8Array, norm: WeightNorm): void {
  const squares = norm === 'l2';
  const offset = proj.target.offset;
  for (let q = 0; q < net.partitions.length; q++) {
    const part = net.partitions[q]!;
    const { inPtr, inSyn } = proj.perPartition[q]!;
    const W = part.weight;
    const from = Math.max(0, part.targetStart - offset);
    const to = Math.min(proj.target.size, part.targetEnd - offset);
    for (let t = from; t < to; t++) {
      if (targets[t] === 0) continue;
      let sum = 0;
      for (let i = inPtr[t]!; i < inPtr[t + 1]!; i++) {
        const w = W[inSyn[i]!]!;
        sum += squares ? w * w : w;
      }
      if (!(sum > 0)) continue;
      const scale = total / (squares ? Math.sqrt(sum) : sum);
      for (let i = inPtr[t]!; i < inPtr[t + 1]!; i++) W[inSyn[i]!] = W[inSyn[i]!]! * scale;
    }
  }
}
