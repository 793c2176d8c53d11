// spec → CompiledNetwork: lays out populations, draws initial state and synapses from the seed, builds CSR blocks per partition.
//
// Synapses are generated twice by the same counter-based generators: once to count them per
// (partition, projection, source), once to write them straight into their final CSR place. No
// intermediate edge list is kept, and every array is sized from the counts before one memory block
// (arena.ts) is allocated, so peak memory is the compiled network plus the row counters.
import { streamId } from '../random.ts';
import { specHash } from '../spec/hash.ts';
import { initialVariables } from '../spec/validate.ts';
import type { NetworkSpec } from '../spec/schema.ts';
import { allocateArena, ArenaPlan, f32View, f64View, i32View, u32View, u8View, type Arena, type ArenaKind, type Region } from './arena.ts';
import { forEachRow, type ConnectorContext } from './connectors.ts';
import { layoutPopulations, type PopulationLayout } from './layout.ts';
import { buildPlastic, indexIncomingSynapses, planPlastic, type PlasticPlan } from './plastic-index.ts';
import { sampleValue } from './sample.ts';
import { delaySource, weightSource, type DelaySource, type WeightSource } from './synapse-values.ts';
import type { CompiledNetwork, NeuronState, Partition, SynapseBlock } from './types.ts';

export { MAX_DELAY_STEPS } from './synapse-values.ts';

export interface CompileOptions {
  /** Number of target-range partitions (one per worker). Default 1. */
  partitions?: number;
  /** 'wasm' (default): one shared WebAssembly.Memory when the network fits in 4 GiB; 'shared': a plain SharedArrayBuffer. */
  memory?: ArenaKind;
}

/** lastSpike before any spike: far enough in the past that no refractory period covers step 0. */
export const NEVER_SPIKED = -0x40000000;

interface ProjectionEntry {
  index: number;
  source: PopulationLayout;
  target: PopulationLayout;
  weights: WeightSource;
  delays: DelaySource;
  receptor: 0 | 1;
  ctx: ConnectorContext;
  count: number;
}

export function compileNetwork(spec: NetworkSpec, options: CompileOptions = {}): CompiledNetwork {
  const populations = layoutPopulations(spec);
  const neuronCount = populations.reduce((n, p) => n + p.size, 0);
  const partitionCount = Math.max(1, Math.min(options.partitions ?? 1, neuronCount, 255));
  const byId = new Map(populations.map((p) => [p.id, p]));
  const maxSourceSize = populations.reduce((m, p) => Math.max(m, p.size), 0);
  const scratch = new Uint32Array(maxSourceSize);
  const entries: ProjectionEntry[] = spec.projections.map((proj, index) => {
    const source = byId.get(proj.source)!;
    const target = byId.get(proj.target)!;
    return {
      index, source, target, count: 0,
      weights: weightSource(proj, spec.seed),
      delays: delaySource(proj, spec),
      receptor: proj.receptor === 'inh' ? 1 : 0,
      ctx: {
        seed: spec.seed, stream: streamId(`${proj.id}/connect`), sourceSize: source.size, targetSize: target.size,
        samePopulation: source === target, scratch,
      },
    };
  });

  const bounds = partitionBounds(neuronCount, partitionCount);
  const partitionOf = new Uint8Array(neuronCount);
  for (let q = 0; q < partitionCount; q++) partitionOf.fill(q, bounds[q], bounds[q + 1]);

  // Pass 1: count synapses per (partition, projection, source); find the largest delay actually drawn.
  const rowCounts = entries.map((e) => Array.from({ length: partitionCount }, () => new Uint32Array(e.source.size + 1)));
  let maxDelay = 1;
  for (const e of entries) {
    const perPartition = rowCounts[e.index]!;
    const only = partitionCount === 1 ? perPartition[0]! : null;
    const tOff = e.target.offset;
    const drawn = e.delays.constant === 0;
    let c = 0;
    let most = 1;
    forEachRow(spec.projections[e.index]!.connector, e.ctx, (s, targets, count, firstPair) => {
      if (only !== null) only[s + 1]! += count;
      else for (let j = 0; j < count; j++) perPartition[partitionOf[tOff + targets[j]!]!]![s + 1]!++;
      if (drawn) {
        for (let j = 0; j < count; j++) {
          const d = e.delays.draw(c + j, firstPair < 0 ? -1 : firstPair + j);
          if (d > most) most = d;
        }
      }
      c += count;
    });
    if (c > 0) maxDelay = Math.max(maxDelay, drawn ? most : e.delays.constant);
    e.count = c;
  }

  // Plan every array, then allocate the arena once.
  const plan = new ArenaPlan();
  const ringSlots = ringSlotsFor(maxDelay);
  const stateRegions = planState(plan, neuronCount, ringSlots);
  const partitionPlans = bounds.slice(0, partitionCount).map((start, q) => planPartition(plan, entries, rowCounts, q, bounds[q + 1]! - start));
  const plasticPlans: PlasticPlan[] = [];
  for (const e of entries) {
    if (spec.projections[e.index]!.plasticity) {
      const rewardDriven = spec.projections[e.index]!.plasticity!.rule === 'reward_stdp';
      plasticPlans.push(planPlastic(plan, e.index, e.source, e.target, e.count, partitionPlans.map((p) => p.blocks[e.index]!.count), rewardDriven));
    }
  }
  const rewardRegion = plan.reserve(Math.max(1, plasticPlans.length), 8);
  const arena = allocateArena(plan.byteLength, options.memory ?? 'wasm');

  const state = stateViews(arena, stateRegions, ringSlots);
  initialiseState(spec, populations, state);
  const partitions = partitionPlans.map((pp, q) => buildPartition(arena, pp, entries, rowCounts, q, bounds));
  const plastic = plasticPlans.map((pp) => buildPlastic(arena, pp, spec));

  // Pass 2: write every synapse into its place; record where plastic synapses went.
  for (const e of entries) {
    const tOff = e.target.offset;
    const column = e.receptor * neuronCount + tOff;
    const blocks = partitions.map((p) => p.blocks[e.index]!);
    const cursors = blocks.map((b) => b.rowPtr.slice(0, e.source.size));
    const targets = partitions.map((p) => p.target);
    const single = partitionCount === 1;
    const weights = e.weights.constant === null ? partitions.map((p) => p.weight) : null;
    const delays = e.delays.constant === 0 ? partitions.map((p) => p.delay) : null;
    const loc = plastic.find((p) => p.projectionIndex === e.index) ?? null;
    let c = 0;
    forEachRow(spec.projections[e.index]!.connector, e.ctx, (s, row, count, firstPair) => {
      for (let j = 0; j < count; j++, c++) {
        const t = row[j]!;
        const q = single ? 0 : partitionOf[tOff + t]!;
        const at = cursors[q]![s]!++;
        targets[q]![at] = column + t;
        if (weights === null && delays === null && loc === null) continue;
        const pair = firstPair < 0 ? -1 : firstPair + j;
        const block = blocks[q]!;
        if (weights !== null) weights[q]![at + block.weightShift] = e.weights.draw(c, pair);
        if (delays !== null) delays[q]![at + block.delayShift] = e.delays.draw(c, pair);
        if (loc !== null) {
          loc.locPartition[c] = q;
          loc.locIndex[c] = at + block.weightShift;
          loc.perPartition[q]!.outCanonical[at - block.rowPtr[0]!] = c;
        }
      }
    });
  }
  for (const p of plastic) indexIncomingSynapses(p, partitions, neuronCount);

  const synapseCount = entries.reduce((a, e) => a + e.count, 0);
  return {
    spec, specHash: specHash(spec), dt: spec.dt_ms, seed: spec.seed, neuronCount, synapseCount,
    populations, state, partitions, plastic, reward: f64View(arena, rewardRegion), maxDelay, arena,
  };
}

/** Equal contiguous ranges of target neurons. */
export function partitionBounds(neuronCount: number, partitions: number): number[] {
  const bounds = [0];
  for (let q = 1; q <= partitions; q++) bounds.push(Math.round((neuronCount * q) / partitions));
  return bounds;
}

/**
 * Ring slots for the largest delay D: input with delay 1 goes straight into the synaptic variables,
 * so only delays 2 … D wait in the ring, in slot (n + d) mod D (slot n mod D is emptied at step n
 * before propagation refills it with d = D). No ring at all when every delay is one step.
 */
export function ringSlotsFor(maxDelay: number): number {
  return maxDelay > 1 ? maxDelay : 0;
}

/**
 * Spike log capacity of a partition of `size` neurons: one worst-case step plus room for long batches.
 * A batch ends when a log is nearly full, and every batch boundary costs a main-thread turn and the
 * workers' wake-up (~1 ms); 2¹⁸ entries (1 MiB) hold a 4096-step batch of 64 spikes per step.
 */
export function spikeLogCapacity(size: number): number {
  return size + Math.min(Math.max(size, 1 << 18), 1 << 22);
}

interface StateRegions {
  v: Region; syn: Region; u: Region; theta: Region; rate: Region; lastSpike: Region; inject: Region; ring: Region;
}

function planState(plan: ArenaPlan, n: number, ringSlots: number): StateRegions {
  return {
    v: plan.reserve(n, 4), syn: plan.reserve(2 * n, 4), u: plan.reserve(n, 4),
    theta: plan.reserve(n, 4), rate: plan.reserve(n, 4), lastSpike: plan.reserve(n, 4), inject: plan.reserve(n, 1),
    ring: plan.reserve(ringSlots * 2 * n, 4),
  };
}

function stateViews(arena: Arena, r: StateRegions, ringSlots: number): NeuronState {
  const lastSpike = i32View(arena, r.lastSpike);
  lastSpike.fill(NEVER_SPIKED);
  return {
    v: f32View(arena, r.v), syn: f32View(arena, r.syn), synE: f32View(arena, { offset: r.syn.offset, length: r.syn.length / 2 }),
    synI: f32View(arena, { offset: r.syn.offset + 2 * r.syn.length, length: r.syn.length / 2 }), u: f32View(arena, r.u),
    theta: f32View(arena, r.theta), rate: f32View(arena, r.rate), lastSpike, inject: u8View(arena, r.inject),
    ring: f32View(arena, r.ring), ringSlots,
  };
}

interface BlockPlan { rowPtr: Region; count: number; start: number; weightStart: number; delayStart: number }
interface PartitionPlan { blocks: BlockPlan[]; target: Region; weight: Region; delay: Region; spikeLog: Region }

function planPartition(plan: ArenaPlan, entries: readonly ProjectionEntry[], rowCounts: Uint32Array[][], q: number, size: number): PartitionPlan {
  let total = 0;
  let weighted = 0;
  let delayed = 0;
  const blocks = entries.map((e) => {
    const counts = rowCounts[e.index]![q]!;
    let count = 0;
    for (let s = 1; s < counts.length; s++) count += counts[s]!;
    const block = { rowPtr: plan.reserve(e.source.size + 1, 4), count, start: total, weightStart: weighted, delayStart: delayed };
    total += count;
    if (e.weights.constant === null) weighted += count;
    if (e.delays.constant === 0) delayed += count;
    return block;
  });
  return {
    blocks, target: plan.reserve(total, 4), weight: plan.reserve(weighted, 4), delay: plan.reserve(delayed, 1),
    spikeLog: plan.reserve(spikeLogCapacity(size), 4),
  };
}

function buildPartition(arena: Arena, pp: PartitionPlan, entries: readonly ProjectionEntry[], rowCounts: Uint32Array[][], q: number, bounds: readonly number[]): Partition {
  const blocks: SynapseBlock[] = entries.map((e, k) => {
    const bp = pp.blocks[k]!;
    const rowPtr = u32View(arena, bp.rowPtr);
    const counts = rowCounts[e.index]![q]!;
    let at = bp.start;
    for (let s = 0; s < counts.length; s++) {
      at += counts[s]!;
      rowPtr[s] = at;
    }
    rowCounts[e.index]![q] = new Uint32Array(0); // the counters are not needed any more
    return {
      projection: e.index, sourceOffset: e.source.offset, sourceSize: e.source.size, rowPtr, receptor: e.receptor,
      weightConstant: e.weights.constant, weightShift: bp.weightStart - bp.start,
      delayConstant: e.delays.constant, delayShift: bp.delayStart - bp.start,
    };
  });
  return {
    index: q, targetStart: bounds[q]!, targetEnd: bounds[q + 1]!, blocks,
    target: u32View(arena, pp.target), weight: f32View(arena, pp.weight), delay: u8View(arena, pp.delay),
    spikeLog: u32View(arena, pp.spikeLog),
  };
}

function initialiseState(spec: NetworkSpec, populations: readonly PopulationLayout[], state: NeuronState): void {
  for (const pop of populations) {
    const m = pop.model;
    const { offset, size } = pop;
    if (m.type === 'poisson') {
      const stream = streamId(`${pop.id}/rate`);
      for (let i = 0; i < size; i++) state.rate[offset + i] = Math.max(0, sampleValue(m.rate_hz, spec.seed, stream, i));
      continue;
    }
    if (m.type === 'spike_source') continue;
    const restV = m.type === 'izhikevich' ? m.c_mV : m.v_rest_mV;
    state.v.fill(restV, offset, offset + size);
    if (m.type === 'izhikevich') state.u.fill(Math.fround(m.b * m.c_mV), offset, offset + size);
    const targets: Record<string, Float32Array> = {
      v_mV: state.v, ie_nA: state.synE, ii_nA: state.synI, ge_uS: state.synE, gi_uS: state.synI,
      u: state.u, ie: state.synE, ii: state.synI,
    };
    for (const name of initialVariables(m.type)) {
      const value = pop.spec.initial[name];
      if (value === undefined) continue;
      const array = targets[name]!;
      const stream = streamId(`${pop.id}/initial/${name}`);
      for (let i = 0; i < size; i++) array[offset + i] = sampleValue(value, spec.seed, stream, i);
    }
  }
}
