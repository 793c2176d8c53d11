// NIR graph (.nir file) → spec, for a chosen dt: the inverse of export.ts, plus what other tools write (LIF, Affine).
//
// Input → spike_source; CubaLIF → lif (cm = τ_mem / r, v_rest = v_leak, one τ_syn for both receptors);
// LIF (no synaptic current) → lif with τ_syn = dt/8, so a spike's charge arrives within its step
// (an approximation, warned); Linear/Affine between two populations → a projection (explicit pairs,
// or all_to_all / one_to_one when the matrix is uniform), positive weights excitatory, negative
// inhibitory (a mixed matrix becomes two projections); a weight W becomes w = |W|·w_in/τ_syn nA (the
// Dirac convention of export.ts); an Affine bias becomes the target's offset current; Output → an output
// with a rate decoder (NIR has no decoders; warned). Every projection gets the minimum delay, one step.
import { basename } from 'node:path';
import { HasnError } from '../../../core/errors.ts';
import { parseSpec } from '../../../core/spec/validate.ts';
import type { NetworkSpec, NetworkSpecInput } from '../../../core/spec/schema.ts';
import type { NirArray, NirGraph, NirNode } from './graph.ts';
import { readNirFile } from './hdf5.ts';

export interface NirImportOptions {
  /** Time step of the imported spec (NIR has none). */
  dt_ms: number;
  name?: string;
  seed?: number;
  /** Window of the rate decoder given to each Output (default 100 ms). */
  output_window_ms?: number;
}

export interface NirImport {
  spec: NetworkSpec;
  warnings: string[];
}

type PopulationInput = NetworkSpecInput['populations'][number];
type ProjectionInput = NonNullable<NetworkSpecInput['projections']>[number];

interface NeuronInfo {
  size: number;
  /** A weight W into neuron t is W · wIn[t] / tauSyn nA (the Dirac convention). */
  wIn: Float64Array;
  tauSyn: number;
  kind: 'input' | 'neuron';
}

export async function readNir(path: string, options: NirImportOptions): Promise<NirImport> {
  const { graph } = await readNirFile(path);
  return nirToSpec(graph, { name: basename(path).replace(/\.nir$/, ''), ...options });
}

export function nirToSpec(graph: NirGraph, options: NirImportOptions): NirImport {
  const dt = options.dt_ms;
  if (!(dt > 0)) throw new HasnError('E_NIR_IMPORT', `dt_ms must be positive, got ${String(dt)}`, { path: 'dt_ms' });
  const warnings: string[] = [];
  const populations: PopulationInput[] = [];
  const info = new Map<string, NeuronInfo>();
  const offsets = new Map<string, number>();

  for (const [name, node] of graph.nodes) {
    const at = `node/nodes/${name}`;
    switch (node.type) {
      case 'Input': {
        const size = shapeSize(node, at);
        populations.push({ id: name, size, model: { type: 'spike_source' } });
        info.set(name, { size, wIn: new Float64Array(size).fill(1), tauSyn: 1, kind: 'input' });
        break;
      }
      case 'CubaLIF':
      case 'LIF': {
        const { population, wIn, tauSyn } = neuronPopulation(name, node, at, dt, warnings);
        populations.push(population);
        info.set(name, { size: population.size, wIn, tauSyn, kind: 'neuron' });
        break;
      }
      case 'Linear':
      case 'Affine':
      case 'Output':
        break;
      default:
        throw new HasnError('E_NIR_NODE_UNSUPPORTED', `node "${name}" is a ${node.type}; this importer reads Input, Output, Linear, Affine, LIF and CubaLIF`, { path: at });
    }
  }

  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const [a, b] of graph.edges) {
    for (const [end, label] of [[a, 'source'], [b, 'target']] as const) {
      if (!graph.nodes.has(end)) throw new HasnError('E_NIR_EDGE_UNSUPPORTED', `edge ${a} → ${b}: no node named "${end}" (${label})`, { path: 'node/edges' });
    }
    outgoing.set(a, [...(outgoing.get(a) ?? []), b]);
    incoming.set(b, [...(incoming.get(b) ?? []), a]);
  }

  const projections: ProjectionInput[] = [];
  const outputs: NonNullable<NetworkSpecInput['outputs']> = [];
  const offsetCurrent = new Map<string, number>();
  for (const [a, b] of graph.edges) {
    const from = graph.nodes.get(a)!;
    const to = graph.nodes.get(b)!;
    const isConnection = (t: string): boolean => t === 'Linear' || t === 'Affine';
    if (isConnection(from.type)) continue; // handled from its incoming edge
    if (!info.has(a)) throw new HasnError('E_NIR_EDGE_UNSUPPORTED', `edge ${a} → ${b}: a ${from.type} cannot send to a ${to.type}`, { path: 'node/edges' });
    if (to.type === 'Output') {
      if (shapeSize(to, `node/nodes/${b}`) !== info.get(a)!.size) throw new HasnError('E_NIR_SHAPE', `Output "${b}" has a different size than "${a}"`, { path: `node/nodes/${b}/shape` });
      outputs.push({ id: b, population: a, sink: b, decoder: { type: 'rate', window_ms: options.output_window_ms ?? 100 } });
      warnings.push(`output "${b}": NIR has no decoder; a rate decoder (${options.output_window_ms ?? 100} ms window) was assumed`);
      continue;
    }
    if (isConnection(to.type)) {
      for (const target of outgoing.get(b) ?? []) {
        const tInfo = info.get(target);
        if (tInfo === undefined || tInfo.kind !== 'neuron') throw new HasnError('E_NIR_EDGE_UNSUPPORTED', `edge ${b} → ${target}: a ${to.type} must feed a neuron node`, { path: 'node/edges' });
        if ((incoming.get(b) ?? []).length !== 1) throw new HasnError('E_NIR_EDGE_UNSUPPORTED', `${to.type} "${b}" has ${(incoming.get(b) ?? []).length} inputs; exactly one is supported`, { path: 'node/edges' });
        const id = (outgoing.get(b) ?? []).length === 1 ? b : `${b}.${target}`;
        const matrix = connectionMatrix(to, `node/nodes/${b}`, info.get(a)!.size, tInfo.size);
        projections.push(...matrixProjections(id, a, target, matrix, tInfo));
        const bias = to.params.bias;
        if (to.type === 'Affine' && bias !== undefined && bias.data.some((x) => x !== 0)) {
          // Steady state of τ_syn·dI/dt = −I + w_in·b is I = w_in·b (for LIF, I = b directly).
          const value = uniform(bias, `node/nodes/${b}/bias`) * uniform({ shape: [tInfo.size], data: tInfo.wIn }, `node/nodes/${target}/w_in`);
          offsetCurrent.set(target, (offsetCurrent.get(target) ?? 0) + value);
          warnings.push(`Affine "${b}": bias imported as an offset current of "${target}" (same steady state; NIR filters it through τ_syn from t = 0)`);
        }
      }
      continue;
    }
    const tInfo = info.get(b);
    if (tInfo === undefined || tInfo.kind !== 'neuron') throw new HasnError('E_NIR_EDGE_UNSUPPORTED', `edge ${a} → ${b}: a ${from.type} cannot send to a ${to.type}`, { path: 'node/edges' });
    // A direct edge is an identity connection: unit weight per spike, element-wise.
    const n = info.get(a)!.size;
    if (n !== tInfo.size) throw new HasnError('E_NIR_SHAPE', `edge ${a} → ${b} joins sizes ${n} and ${tInfo.size}`, { path: 'node/edges' });
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    projections.push(...matrixProjections(`${a}.${b}`, a, b, identity, tInfo));
  }

  for (const pop of populations) {
    const current = offsetCurrent.get(pop.id);
    if (current !== undefined && pop.model.type === 'lif') pop.model.i_offset_nA = current;
  }
  const spec = parseSpec({
    version: 1, name: options.name ?? 'imported', dt_ms: dt, seed: options.seed ?? 0,
    description: 'imported from NIR', populations, projections, outputs,
  });
  return { spec, warnings };
}

function neuronPopulation(name: string, node: NirNode, at: string, dt: number, warnings: string[]): { population: PopulationInput; wIn: Float64Array; tauSyn: number } {
  const p = node.params;
  const need = (key: string): number => {
    const value = p[key];
    if (value === undefined) throw new HasnError('E_NIR_LAYOUT', `${node.type} "${name}" has no ${key}`, { path: `${at}/${key}` });
    return uniform(value, `${at}/${key}`);
  };
  const cuba = node.type === 'CubaLIF';
  const tauMem = need(cuba ? 'tau_mem' : 'tau');
  const r = need('r');
  const vThresh = need('v_threshold');
  const vReset = p.v_reset === undefined ? 0 : need('v_reset');
  const tauSyn = cuba ? need('tau_syn') : dt / 8;
  const size = p.v_threshold!.data.length;
  if (!cuba) warnings.push(`LIF "${name}": NIR LIF has no synaptic current; imported with tau_syn = dt/8 = ${tauSyn} ms so a spike's charge arrives within its step`);
  const wIn = cuba && p.w_in !== undefined ? p.w_in.data : new Float64Array(size).fill(1);
  return {
    population: {
      id: name, size,
      model: {
        type: 'lif', cm_nF: tauMem / r, tau_m_ms: tauMem, v_rest_mV: need('v_leak'), v_reset_mV: vReset,
        v_thresh_mV: vThresh, tau_refrac_ms: 0, tau_syn_e_ms: tauSyn, tau_syn_i_ms: tauSyn, i_offset_nA: 0,
      },
    },
    wIn: Float64Array.from(wIn),
    tauSyn,
  };
}

/** The single value of an array whose elements must all be equal (our populations share parameters). */
function uniform(value: NirArray, at: string): number {
  const first = value.data[0];
  if (first === undefined) throw new HasnError('E_NIR_LAYOUT', 'empty parameter', { path: at });
  for (const x of value.data) {
    if (x !== first) throw new HasnError('E_NIR_PARAMS_NOT_UNIFORM', `parameter varies across neurons (${first} vs ${x}); a population shares one value`, { path: at });
  }
  return first;
}

function shapeSize(node: NirNode, at: string): number {
  const shape = node.params.shape;
  if (shape === undefined) throw new HasnError('E_NIR_LAYOUT', `${node.type} has no shape`, { path: `${at}/shape` });
  return shape.data.reduce((a, b) => a * b, 1);
}

function connectionMatrix(node: NirNode, at: string, sourceSize: number, targetSize: number): Float64Array {
  const weight = node.params.weight;
  if (weight === undefined) throw new HasnError('E_NIR_LAYOUT', `${node.type} has no weight`, { path: `${at}/weight` });
  if (weight.shape.length !== 2 || weight.shape[0] !== targetSize || weight.shape[1] !== sourceSize) {
    throw new HasnError('E_NIR_SHAPE', `weight has shape [${weight.shape.join(', ')}]; expected [${targetSize}, ${sourceSize}] (out, in)`, { path: `${at}/weight` });
  }
  return weight.data;
}

/** One projection per sign present in the matrix, with the simplest connector that reproduces it exactly. */
function matrixProjections(id: string, source: string, target: string, matrix: Float64Array, to: NeuronInfo): ProjectionInput[] {
  const targetSize = to.size;
  const sourceSize = matrix.length / targetSize;
  const out: ProjectionInput[] = [];
  for (const receptor of ['exc', 'inh'] as const) {
    const pairs: [number, number, number][] = [];
    for (let s = 0; s < sourceSize; s++) {
      for (let t = 0; t < targetSize; t++) {
        const w = (matrix[t * sourceSize + s]! * to.wIn[t]!) / to.tauSyn;
        if ((receptor === 'exc' && w > 0) || (receptor === 'inh' && w < 0)) pairs.push([s, t, Math.abs(w)]);
      }
    }
    if (pairs.length === 0) continue;
    const hasBoth = matrix.some((w) => w > 0) && matrix.some((w) => w < 0);
    const name = hasBoth ? `${id}.${receptor}` : id;
    const w0 = pairs[0]![2];
    const same = pairs.every((p) => p[2] === w0);
    if (same && pairs.length === sourceSize * targetSize) {
      out.push({ id: name, source, target, connector: { type: 'all_to_all' }, weight: w0, receptor });
    } else if (same && sourceSize === targetSize && pairs.length === sourceSize && pairs.every((p) => p[0] === p[1])) {
      out.push({ id: name, source, target, connector: { type: 'one_to_one' }, weight: w0, receptor });
    } else {
      out.push({ id: name, source, target, connector: { type: 'explicit', pairs }, weight: 0, receptor });
    }
  }
  return out;
}
