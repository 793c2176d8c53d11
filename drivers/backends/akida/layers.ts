// Which populations form which Akida layer: inputs at depth 0, every other population one layer after all of its sources.
//
// Akida's sequential model is a chain InputData → FullyConnected → FullyConnected …, each layer reading only the
// previous one. So a spec maps when its projection graph is acyclic and every projection goes from depth d − 1 to
// depth d; the populations of one depth are concatenated (in spec order) into one layer.
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import type { Violation } from '../types.ts';

export interface Layering {
  /** layers[0] = input populations; layers[d] = populations at depth d (indices into spec.populations). */
  layers: number[][];
  /** Depth of each population (−1 where undefined because of a violation). */
  depth: number[];
  violations: Violation[];
}

export function isInputModel(type: string): boolean {
  return type === 'spike_source' || type === 'poisson';
}

export function layerPopulations(spec: NetworkSpec): Layering {
  const n = spec.populations.length;
  const index = new Map(spec.populations.map((p, i) => [p.id, i]));
  const incoming: number[][] = Array.from({ length: n }, () => []);
  const violations: Violation[] = [];
  // (The spec validator already refuses projections into spike_source/poisson populations.)
  spec.projections.forEach((proj, k) => {
    const s = index.get(proj.source)!;
    const t = index.get(proj.target)!;
    if (s === t) {
      violations.push({ code: 'E_AKIDA_RECURRENT', path: `projections[${k}]`, message: `projection '${proj.id}' connects population '${proj.source}' to itself; Akida layers are feed-forward only` });
      return;
    }
    incoming[t]!.push(k);
  });

  // Depths by repeated relaxation; a population still changing after n rounds lies on a cycle.
  const depth: number[] = spec.populations.map((p) => (isInputModel(p.model.type) ? 0 : -1));
  for (let round = 0; round <= n; round++) {
    let changed = false;
    for (let t = 0; t < n; t++) {
      if (isInputModel(spec.populations[t]!.model.type) || incoming[t]!.length === 0) continue;
      let d = -1;
      let known = true;
      for (const k of incoming[t]!) {
        const sd = depth[index.get(spec.projections[k]!.source)!]!;
        if (sd < 0) known = false;
        else d = Math.max(d, sd + 1);
      }
      const next = known ? d : -1;
      if (next !== depth[t]) {
        depth[t] = next;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const onCycle = findCycleMembers(n, spec, index, incoming);
  for (const t of onCycle) {
    depth[t] = -1;
    violations.push({ code: 'E_AKIDA_RECURRENT', path: `populations[${t}]`, message: `population '${spec.populations[t]!.id}' lies on a cycle of projections; Akida layers are feed-forward only` });
  }
  spec.populations.forEach((pop, t) => {
    if (isInputModel(pop.model.type) || onCycle.has(t)) return;
    if (incoming[t]!.length === 0) {
      violations.push({ code: 'E_AKIDA_NOT_LAYERED', path: `populations[${t}]`, message: `population '${pop.id}' receives no projection, so it belongs to no layer` });
      return;
    }
    for (const k of incoming[t]!) {
      const s = index.get(spec.projections[k]!.source)!;
      if (depth[t]! >= 0 && depth[s]! >= 0 && depth[s] !== depth[t]! - 1) {
        violations.push({ code: 'E_AKIDA_NOT_LAYERED', path: `projections[${k}]`, message: `projection '${spec.projections[k]!.id}' skips from layer ${depth[s]} to layer ${depth[t]}; each Akida layer reads only the one before it` });
      }
    }
  });
  const maxDepth = depth.reduce((m, d) => Math.max(m, d), 0);
  if (maxDepth === 0 && violations.length === 0) {
    violations.push({ code: 'E_AKIDA_NOT_LAYERED', path: 'projections', message: 'no population is fed by a projection: there is no Akida layer to build' });
  }
  const layers: number[][] = Array.from({ length: maxDepth + 1 }, () => []);
  depth.forEach((d, t) => { if (d >= 0) layers[d]!.push(t); });
  return { layers, depth, violations };
}

/** Populations on a directed cycle (Tarjan's strongly connected components of size > 1). */
function findCycleMembers(n: number, spec: NetworkSpec, index: Map<string, number>, incoming: number[][]): Set<number> {
  const out: number[][] = Array.from({ length: n }, () => []);
  incoming.forEach((ks, t) => { for (const k of ks) out[index.get(spec.projections[k]!.source)!]!.push(t); });
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const members = new Set<number>();
  let counter = 0;
  const visit = (v: number): void => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of out[v]!) {
      if (order[w] === -1) {
        visit(w);
        low[v] = Math.min(low[v]!, low[w]!);
      } else if (onStack[w]) {
        low[v] = Math.min(low[v]!, order[w]!);
      }
    }
    if (low[v] === order[v]) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) for (const c of component) members.add(c);
    }
  };
  for (let v = 0; v < n; v++) if (order[v] === -1) visit(v);
  return members;
}
