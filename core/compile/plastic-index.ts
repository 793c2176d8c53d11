// The per-partition indexes of a plastic projection: which synapses end at each target (for potentiation) and the canonical number of each synapse.
//
// Per-synapse learning state (weights, eligibility) is addressed by the projection's canonical
// synapse number c (its place in the connector's visit order), which does not depend on the
// partition count: that is what snapshots store and what makes learning identical for any number
// of workers.
import type { NetworkSpec } from '../spec/schema.ts';
import { f32View, u32View, u8View, type Arena, type ArenaPlan, type Region } from './arena.ts';
import type { PopulationLayout } from './layout.ts';
import type { Partition, PlasticProjection } from './types.ts';

interface IndexPlan { inPtr: Region; inSyn: Region; inSource: Region; inCanonical: Region; outCanonical: Region }

export interface PlasticPlan {
  projectionIndex: number;
  source: PopulationLayout;
  target: PopulationLayout;
  count: number;
  preTrace: Region;
  postTrace: Region;
  eligibility: Region;
  locPartition: Region;
  locIndex: Region;
  perPartition: IndexPlan[];
}

/** Reserves the projection's arrays; `blockCounts[q]` is how many of its synapses partition q holds. */
export function planPlastic(plan: ArenaPlan, projectionIndex: number, source: PopulationLayout, target: PopulationLayout, count: number, blockCounts: readonly number[], rewardDriven: boolean): PlasticPlan {
  return {
    projectionIndex, source, target, count,
    preTrace: plan.reserve(source.size, 4),
    postTrace: plan.reserve(target.size, 4),
    eligibility: plan.reserve(rewardDriven ? count : 0, 4),
    locPartition: plan.reserve(count, 1),
    locIndex: plan.reserve(count, 4),
    perPartition: blockCounts.map((n) => ({
      inPtr: plan.reserve(target.size + 1, 4), inSyn: plan.reserve(n, 4), inSource: plan.reserve(n, 4),
      inCanonical: plan.reserve(n, 4), outCanonical: plan.reserve(n, 4),
    })),
  };
}

/** Views of the planned arrays; the locations and indexes are filled by the compiler's second pass and `indexIncomingSynapses`. */
export function buildPlastic(arena: Arena, pp: PlasticPlan, spec: NetworkSpec): PlasticProjection {
  const proj = spec.projections[pp.projectionIndex]!;
  const rule = proj.plasticity!;
  const dt = spec.dt_ms;
  const isReward = rule.rule === 'reward_stdp';
  return {
    projectionIndex: pp.projectionIndex, id: proj.id, rule, source: pp.source, target: pp.target, count: pp.count,
    decayPlus: Math.fround(Math.exp(-dt / rule.tau_plus_ms)),
    decayMinus: Math.fround(Math.exp(-dt / rule.tau_minus_ms)),
    decayEligibility: isReward ? Math.fround(Math.exp(-dt / rule.tau_eligibility_ms)) : 1,
    decayReward: isReward ? Math.exp(-dt / rule.tau_reward_ms) : 1,
    preTrace: f32View(arena, pp.preTrace), postTrace: f32View(arena, pp.postTrace), eligibility: f32View(arena, pp.eligibility),
    locPartition: u8View(arena, pp.locPartition), locIndex: u32View(arena, pp.locIndex),
    perPartition: pp.perPartition.map((ip) => ({
      inPtr: u32View(arena, ip.inPtr), inSyn: u32View(arena, ip.inSyn), inSource: u32View(arena, ip.inSource),
      inCanonical: u32View(arena, ip.inCanonical), outCanonical: u32View(arena, ip.outCanonical),
    })),
  };
}

/** Builds the incoming-synapse index of every partition from its (already filled) CSR block. */
export function indexIncomingSynapses(p: PlasticProjection, partitions: readonly Partition[], neuronCount: number): void {
  const { source, target } = p;
  partitions.forEach((part, q) => {
    const block = part.blocks[p.projectionIndex]!;
    const index = p.perPartition[q]!;
    const { inPtr, inSyn, inSource, inCanonical, outCanonical } = index;
    const columnBase = block.receptor * neuronCount + target.offset;
    const rowPtr = block.rowPtr;
    const start = rowPtr[0]!;
    for (let j = start; j < rowPtr[source.size]!; j++) inPtr[part.target[j]! - columnBase + 1]!++;
    for (let t = 1; t <= target.size; t++) inPtr[t]! += inPtr[t - 1]!;
    const cursor = inPtr.slice(0, target.size);
    for (let s = 0; s < source.size; s++) {
      for (let j = rowPtr[s]!; j < rowPtr[s + 1]!; j++) {
        const i = cursor[part.target[j]! - columnBase]!++;
        inSyn[i] = j + block.weightShift;
        inSource[i] = s;
        inCanonical[i] = outCanonical[j - start]!;
      }
    }
  });
}
