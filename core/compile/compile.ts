// spec → CompiledNetwork: lays out populations, draws initial state and synapses from the seed, builds CSR per partition.
//
// Synapses are generated twice by the same counter-based generators: once to count them per
// (partition, source), once to write them straight into their final CSR place. No intermediate
// edge list is kept, so peak memory is the compiled network itself.
import { HasnError } from '../errors.ts';
import { streamId } from '../random.ts';
import { specHash } from '../spec/hash.ts';
import { initialVariables } from '../spec/validate.ts';
import type { NetworkSpec, Projection } from '../spec/schema.ts';
import { forEachSynapse, type ConnectorContext } from './connectors.ts';
import { layoutPopulations, type PopulationLayout } from './layout.ts';
import { constantOf, isConstant, sampleValue } from './sample.ts';
import { sharedFloat32, sharedFloat64, sharedInt32, sharedUint32, sharedUint8 } from './shared.ts';
import type { CompiledNetwork, NeuronState, Partition, PlasticIndex, PlasticProjection } from './types.ts';

export interface CompileOptions {
  /** Number of target-range partitions (one per worker). Default 1. */
  partitions?: number;
}

/** lastSpike before any spike: far enough in the past that no refractory period covers step 0. */
export const NEVER_SPIKED = -0x40000000;
/** Largest delay in steps (delays are stored in one byte). */
export const MAX_DELAY_STEPS = 255;

export function compileNetwork(spec: NetworkSpec, options: CompileOptions = {}): CompiledNetwork {
  const populations = layoutPopulations(spec);
  const neuronCount = populations.reduce((n, p) => n + p.size, 0);
  const partitionCount = Math.max(1, Math.min(options.partitions ?? 1, neuronCount, 255));
  const byId = new Map(populations.map((p) => [p.id, p]));
  const projections = spec.projections.map((proj) => ({
    proj,
    source: byId.get(proj.source)!,
    target: byId.get(proj.target)!,
    delays: delayDrawer(proj, spec),
  }));
  const maxDelay = projections.reduce((m, p) => Math.max(m, p.delays.max), 1);
  const state = allocateState(neuronCount, maxDelay + 1);
  initialiseState(spec, populations, state);

  const bounds = partitionBounds(neuronCount, partitionCount);
  const partitionOf = new Uint8Array(neuronCount);
  for (let q = 0; q < partitionCount; q++) partitionOf.fill(q, bounds[q], bounds[q + 1]);

  const maxSourceSize = populations.reduce((m, p) => Math.max(m, p.size), 0);
  const scratch = new Uint32Array(maxSourceSize);
  const contextOf = (entry: (typeof projections)[number]): ConnectorContext => ({
    seed: spec.seed,
    stream: streamId(`${entry.proj.id}/connect`),
    sourceSize: entry.source.size,
    targetSize: entry.target.size,
    samePopulation: entry.source === entry.target,
    scratch,
  });

  // Pass 1: count synapses per (partition, source).
  const rowCounts = Array.from({ length: partitionCount }, () => new Uint32Array(neuronCount + 1));
  const projectionCounts = new Array<number>(projections.length).fill(0);
  projections.forEach((entry, k) => {
    const sOff = entry.source.offset;
    const tOff = entry.target.offset;
    let count = 0;
    forEachSynapse(entry.proj.connector, contextOf(entry), (s, t) => {
      rowCounts[partitionOf[tOff + t]!]![sOff + s + 1]!++;
      count++;
    });
    projectionCounts[k] = count;
  });

  const partitions: Partition[] = rowCounts.map((counts, q) => {
    for (let i = 1; i <= neuronCount; i++) counts[i]! += counts[i - 1]!;
    const total = counts[neuronCount]!;
    const rowPtr = sharedUint32(neuronCount + 1);
    rowPtr.set(counts);
    return {
      index: q, targetStart: bounds[q]!, targetEnd: bounds[q + 1]!, rowPtr,
      target: sharedUint32(total), weight: sharedFloat32(total), delay: sharedUint8(total),
    };
  });

  // Pass 2: write every synapse into its place; record where plastic synapses went.
  const cursors = partitions.map((p) => Uint32Array.from(p.rowPtr));
  const plastic: PlasticProjection[] = [];
  projections.forEach((entry, k) => {
    const { proj, source, target } = entry;
    const sOff = source.offset;
    const tOff = target.offset;
    const receptorBase = proj.receptor === 'inh' ? neuronCount : 0;
    const weightOf = weightDrawer(proj, spec.seed);
    const plasticEntry = proj.plasticity ? newPlastic(spec, k, proj, source, target, projectionCounts[k]!, partitionCount) : null;
    let c = 0;
    forEachSynapse(proj.connector, contextOf(entry), (s, t, pair) => {
      const q = partitionOf[tOff + t]!;
      const part = partitions[q]!;
      const at = cursors[q]![sOff + s]!++;
      part.target[at] = receptorBase + tOff + t;
      part.weight[at] = weightOf(c, pair);
      part.delay[at] = entry.delays.draw(c, pair);
      if (plasticEntry) {
        plasticEntry.locPartition[c] = q;
        plasticEntry.locIndex[c] = at;
      }
      c++;
    });
    if (plasticEntry) plastic.push(finishPlastic(plasticEntry, partitions));
  });

  const synapseCount = projectionCounts.reduce((a, b) => a + b, 0);
  return {
    spec, specHash: specHash(spec), dt: spec.dt_ms, seed: spec.seed, neuronCount, synapseCount,
    populations, state, partitions, plastic, reward: sharedFloat64(Math.max(1, plastic.length)), maxDelay,
  };
}

/** Equal contiguous ranges of target neurons. */
export function partitionBounds(neuronCount: number, partitions: number): number[] {
  const bounds = [0];
  for (let q = 1; q <= partitions; q++) bounds.push(Math.round((neuronCount * q) / partitions));
  return bounds;
}

function allocateState(n: number, ringSlots: number): NeuronState {
  const lastSpike = sharedInt32(n);
  lastSpike.fill(NEVER_SPIKED);
  return {
    v: sharedFloat32(n), synE: sharedFloat32(n), synI: sharedFloat32(n), u: sharedFloat32(n),
    theta: sharedFloat32(n), rate: sharedFloat32(n), lastSpike, inject: sharedUint8(n),
    ring: sharedFloat32(ringSlots * 2 * n), ringSlots,
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

function weightDrawer(proj: Projection, seed: number): (c: number, pair: number) => number {
  const pairs = proj.connector.type === 'explicit' ? proj.connector.pairs : null;
  const stream = streamId(`${proj.id}/weight`);
  const base = proj.weight;
  const constant = isConstant(base) ? Math.fround(Math.max(0, constantOf(base))) : NaN;
  return (c, pair) => {
    const explicit = pairs !== null && pair >= 0 ? pairs[pair]![2] : undefined;
    if (explicit !== undefined) return explicit;
    if (!Number.isNaN(constant)) return constant;
    return Math.max(0, sampleValue(base, seed, stream, c)); // drawn weights below 0 are clipped to 0
  };
}

function delayDrawer(proj: Projection, spec: NetworkSpec): { max: number; draw: (c: number, pair: number) => number } {
  const dt = spec.dt_ms;
  const toSteps = (ms: number): number => Math.min(MAX_DELAY_STEPS, Math.max(1, Math.round(ms / dt)));
  const pairs = proj.connector.type === 'explicit' ? proj.connector.pairs : null;
  const value = proj.delay_ms ?? dt;
  const stream = streamId(`${proj.id}/delay`);
  let max: number;
  if (isConstant(value)) {
    max = toSteps(constantOf(value));
  } else if (value.dist === 'uniform' || value.dist === 'normal_clipped') {
    max = toSteps(value.high);
  } else {
    max = MAX_DELAY_STEPS;
  }
  if (pairs) for (const pair of pairs) if (pair[3] !== undefined) max = Math.max(max, toSteps(pair[3]));
  if (max > MAX_DELAY_STEPS) throw new HasnError('E_SPEC_DELAY_TOO_LONG', `delays are limited to ${MAX_DELAY_STEPS} steps`, { path: `projections.${proj.id}.delay_ms` });
  const constant = isConstant(value) ? toSteps(constantOf(value)) : 0;
  return {
    max,
    draw: (c, pair) => {
      const explicit = pairs !== null && pair >= 0 ? pairs[pair]![3] : undefined;
      if (explicit !== undefined) return toSteps(explicit);
      return constant > 0 ? constant : toSteps(sampleValue(value, spec.seed, stream, c));
    },
  };
}

interface PlasticDraft {
  projectionIndex: number;
  proj: Projection;
  source: PopulationLayout;
  target: PopulationLayout;
  count: number;
  locPartition: Uint8Array;
  locIndex: Uint32Array;
  partitionCount: number;
  dt: number;
}

function newPlastic(spec: NetworkSpec, k: number, proj: Projection, source: PopulationLayout, target: PopulationLayout, count: number, partitionCount: number): PlasticDraft {
  return {
    projectionIndex: k, proj, source, target, count, partitionCount, dt: spec.dt_ms,
    locPartition: sharedUint8(count), locIndex: sharedUint32(count),
  };
}

/** Builds the incoming/outgoing indexes of a plastic projection in every partition, entries in canonical order. */
function finishPlastic(draft: PlasticDraft, partitions: readonly Partition[]): PlasticProjection {
  const rule = draft.proj.plasticity!;
  const { source, target, count, locPartition, locIndex } = draft;
  const perPartition: PlasticIndex[] = partitions.map((part, q) => {
    const inPtr = sharedUint32(target.size + 1);
    const outPtr = sharedUint32(source.size + 1);
    // Source/target of each canonical synapse, recovered from the CSR it was written into.
    let n = 0;
    for (let c = 0; c < count; c++) {
      if (locPartition[c] !== q) continue;
      const at = locIndex[c]!;
      inPtr[localTarget(part, at, target) + 1]!++;
      outPtr[sourceOfSynapse(part, at) - source.offset + 1]!++;
      n++;
    }
    for (let i = 1; i <= target.size; i++) inPtr[i]! += inPtr[i - 1]!;
    for (let i = 1; i <= source.size; i++) outPtr[i]! += outPtr[i - 1]!;
    const index: PlasticIndex = {
      inPtr, outPtr,
      inSyn: sharedUint32(n), inSource: sharedUint32(n), inCanonical: sharedUint32(n),
      outSyn: sharedUint32(n), outTarget: sharedUint32(n), outCanonical: sharedUint32(n),
    };
    const inCursor = inPtr.slice(0, target.size);
    const outCursor = outPtr.slice(0, source.size);
    for (let c = 0; c < count; c++) {
      if (locPartition[c] !== q) continue;
      const at = locIndex[c]!;
      const t = localTarget(part, at, target);
      const s = sourceOfSynapse(part, at) - source.offset;
      const i = inCursor[t]!++;
      index.inSyn[i] = at; index.inSource[i] = s; index.inCanonical[i] = c;
      const o = outCursor[s]!++;
      index.outSyn[o] = at; index.outTarget[o] = t; index.outCanonical[o] = c;
    }
    return index;
  });
  const dt = draft.dt;
  const isReward = rule.rule === 'reward_stdp';
  return {
    projectionIndex: draft.projectionIndex, id: draft.proj.id, rule, source, target, count,
    decayPlus: Math.fround(Math.exp(-dt / rule.tau_plus_ms)),
    decayMinus: Math.fround(Math.exp(-dt / rule.tau_minus_ms)),
    decayEligibility: isReward ? Math.fround(Math.exp(-dt / rule.tau_eligibility_ms)) : 1,
    decayReward: isReward ? Math.exp(-dt / rule.tau_reward_ms) : 1,
    preTrace: sharedFloat32(source.size), postTrace: sharedFloat32(target.size),
    eligibility: sharedFloat32(isReward ? count : 0),
    locPartition, locIndex, perPartition,
  };
}

function localTarget(part: Partition, at: number, target: PopulationLayout): number {
  const n = part.rowPtr.length - 1;
  const column = part.target[at]!;
  return (column >= n ? column - n : column) - target.offset;
}

/** The source row a synapse index falls in (binary search over rowPtr). */
function sourceOfSynapse(part: Partition, at: number): number {
  const rowPtr = part.rowPtr;
  let lo = 0;
  let hi = rowPtr.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (rowPtr[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
