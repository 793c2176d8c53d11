// The only module that imports h5wasm: writes and reads NIR graphs in the HDF5 layout of the nir package.
//
// Layout (nir/serialization.py): root dataset `version` (UTF-8 string); group `node` with dataset
// `type` = "NIRGraph", group `nodes` (one group per node: dataset `type` and one dataset per parameter)
// and dataset `edges` (E × 2 UTF-8 strings, source → target). Input/Output nodes carry `shape` (int64).
// Nothing else is written: no attributes, no metadata group.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import h5wasm from 'h5wasm/node';
import { HasnError } from '../../../core/errors.ts';
import type { NirArray, NirGraph, NirNode } from './graph.ts';

const ready = h5wasm.ready;

/** Node parameters stored as int64 (the nir package writes Input/Output shapes with numpy's default int). */
const INTEGER_PARAMS = new Set(['shape']);

export async function writeNirFile(path: string, version: string, graph: NirGraph): Promise<void> {
  await ready;
  const file = new h5wasm.File(resolve(path), 'w');
  try {
    file.create_dataset({ name: 'version', data: version });
    const root = file.create_group('node');
    root.create_dataset({ name: 'type', data: 'NIRGraph' });
    const nodes = root.create_group('nodes', true);
    for (const [name, node] of graph.nodes) {
      const group = nodes.create_group(name);
      group.create_dataset({ name: 'type', data: node.type });
      for (const [key, value] of Object.entries(node.params)) {
        if (INTEGER_PARAMS.has(key)) {
          group.create_dataset({ name: key, data: BigInt64Array.from(value.data, (x) => BigInt(Math.round(x))), shape: value.shape, dtype: '<q' });
        } else {
          group.create_dataset({ name: key, data: value.data, shape: value.shape, dtype: '<d' });
        }
      }
    }
    root.create_dataset({ name: 'edges', data: graph.edges.flat(), shape: [graph.edges.length, 2], dtype: 'S' });
  } finally {
    file.close();
  }
}

export async function readNirFile(path: string): Promise<{ version: string; graph: NirGraph }> {
  await ready;
  // h5wasm does not throw on a file that is not HDF5 (the C library prints diagnostics and later calls
  // fail), so check the HDF5 signature first.
  if (!hasHdf5Signature(path)) throw new HasnError('E_NIR_FILE', `${path} is not an HDF5 file (no HDF5 signature)`, { path });
  const file = new h5wasm.File(resolve(path), 'r');
  try {
    const version = readString(file.get('version'), 'version');
    const root = file.get('node');
    if (!(root instanceof h5wasm.Group)) throw layout('node', 'the file has no group "node"');
    const type = readString(root.get('type'), 'node/type');
    if (type !== 'NIRGraph') throw layout('node/type', `the root node is a ${type}, not a NIRGraph`);
    const nodesGroup = root.get('nodes');
    if (!(nodesGroup instanceof h5wasm.Group)) throw layout('node/nodes', 'the graph has no group "nodes"');
    const nodes = new Map<string, NirNode>();
    for (const name of nodesGroup.keys()) nodes.set(name, readNode(nodesGroup.get(name), `node/nodes/${name}`));
    return { version, graph: { nodes, edges: readEdges(root.get('edges')) } };
  } finally {
    file.close();
  }
}

function readNode(entity: unknown, at: string): NirNode {
  if (!(entity instanceof h5wasm.Group)) throw layout(at, 'a node must be a group');
  const type = readString(entity.get('type'), `${at}/type`);
  const params: Record<string, NirArray> = {};
  for (const key of entity.keys()) {
    if (key === 'type') continue;
    const item = entity.get(key);
    if (item instanceof h5wasm.Group) {
      if (key === 'metadata') continue; // never needed to execute a graph (NIR's own rule)
      if (type === 'NIRGraph') throw new HasnError('E_NIR_NODE_UNSUPPORTED', `nested graphs are not supported (${at})`, { path: at });
      throw layout(`${at}/${key}`, 'parameters must be datasets');
    }
    params[key] = readArray(item, `${at}/${key}`);
  }
  return { type, params };
}

function readArray(entity: unknown, at: string): NirArray {
  if (!(entity instanceof h5wasm.Dataset)) throw layout(at, 'expected a dataset');
  const value = entity.value;
  const shape = entity.shape ?? [];
  let data: Float64Array;
  if (typeof value === 'number') data = Float64Array.of(value);
  else if (typeof value === 'bigint') data = Float64Array.of(Number(value));
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) data = Float64Array.from(value as ArrayLike<number | bigint>, (x) => Number(x));
  else throw layout(at, 'expected a numeric array');
  return { shape, data };
}

function readString(entity: unknown, at: string): string {
  if (!(entity instanceof h5wasm.Dataset)) throw layout(at, 'missing');
  const value = entity.value;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  throw layout(at, 'expected a string');
}

function readEdges(entity: unknown): [string, string][] {
  if (!(entity instanceof h5wasm.Dataset)) throw layout('node/edges', 'missing');
  const shape = entity.shape ?? [];
  const value = entity.value;
  if (shape.length === 1 && shape[0] === 0) return [];
  if (shape.length !== 2 || shape[1] !== 2 || !Array.isArray(value)) throw layout('node/edges', 'expected an E × 2 array of strings');
  const flat = value.map(String);
  const edges: [string, string][] = [];
  for (let k = 0; k < flat.length; k += 2) edges.push([flat[k]!, flat[k + 1]!]);
  return edges;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 puts its signature at byte 0, 512, 1024, 2048, … (a user block may come first). */
function hasHdf5Signature(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new HasnError('E_NIR_FILE', `cannot open ${path}: ${(err as Error).message}`, { path });
  }
  try {
    const size = fstatSync(fd).size;
    const probe = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      readSync(fd, probe, 0, 8, at);
      if (probe.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function layout(at: string, why: string): HasnError {
  return new HasnError('E_NIR_LAYOUT', `not a NIR file: ${why} (${at})`, { path: at });
}
