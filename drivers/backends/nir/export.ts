// spec → NIR graph (and .nir file): lif → CubaLIF, projections → Linear, spike sources → Input, outputs → Output.
//
// Units and time: NIR is continuous-time and has no time step; we write times in ms, voltages in mV,
// currents in nA and r in MΩ (so r·I is in mV; NIR's tables say Ω, but only the product matters).
// CubaLIF is  τ_syn·dI/dt = −I + w_in·S,  τ_mem·dv/dt = (v_leak − v) + r·I, spike when v > v_threshold,
// then v ← v_reset. S is a sum of Dirac impulses, so one spike through a Linear weight W raises I by
// w_in·W/τ_syn. Our lif raises its synaptic current by the weight w (nA) per spike, hence W = ±w·τ_syn
// (sign from the receptor) with w_in = 1; the offset current folds into v_leak = v_rest + r·i_offset.
// The cpu engine integrates exactly these equations exactly (exponential integration), with spikes
// taking effect one step (dt) after they are emitted: an importer chooses dt (readNir takes it) and a
// simulator that integrates by forward Euler, or delivers spikes in the same step, will differ by
// O(dt/τ) and one step of latency.
// Dropped, with a warning each: delays (NIR edges have none), plasticity, refractory periods, threshold
// adaptation, initial state, encoders, decoders, Poisson rates, and a separate inhibitory τ_syn; an offset
// current is kept (in v_leak) but moves the resting potential a reader starts from, which is also warned.
import { HasnError, type Issue } from '../../../core/errors.ts';
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { projectionCells } from '../synapses.ts';
import { NIR_VERSION, filled, type NirGraph, type NirNode } from './graph.ts';
import { writeNirFile } from './hdf5.ts';

export interface NirExport {
  graph: NirGraph;
  /** One line per thing the NIR file does not carry. */
  warnings: string[];
}

export function specToNir(spec: NetworkSpec): NirExport {
  rejectUnsupported(spec);
  const warnings: string[] = [];
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const tauSyn = new Map<string, number>();

  for (const pop of spec.populations) {
    const m = pop.model;
    const n = pop.size;
    if (Object.keys(pop.initial).length > 0) warnings.push(`population "${pop.id}": initial state (${Object.keys(pop.initial).join(', ')}) dropped; NIR has no initial values`);
    if (m.type === 'spike_source' || m.type === 'poisson') {
      if (m.type === 'poisson') warnings.push(`population "${pop.id}": Poisson rate dropped; it becomes an Input that the reader must drive`);
      nodes.set(pop.id, { type: 'Input', params: { shape: { shape: [1], data: Float64Array.of(n) } } });
      continue;
    }
    if (m.type !== 'lif') continue; // rejected above
    const incoming = spec.projections.filter((p) => p.target === pop.id);
    const onlyInh = incoming.length > 0 && incoming.every((p) => p.receptor === 'inh');
    const tau = onlyInh ? m.tau_syn_i_ms : m.tau_syn_e_ms;
    if (!onlyInh && incoming.some((p) => p.receptor === 'inh') && m.tau_syn_i_ms !== m.tau_syn_e_ms) {
      warnings.push(`population "${pop.id}": inhibitory tau_syn ${m.tau_syn_i_ms} ms replaced by the excitatory ${m.tau_syn_e_ms} ms; CubaLIF has one synaptic time constant`);
    }
    if (m.tau_refrac_ms > 0) warnings.push(`population "${pop.id}": refractory period ${m.tau_refrac_ms} ms dropped; CubaLIF has none`);
    if (m.threshold_adaptation !== undefined) warnings.push(`population "${pop.id}": threshold adaptation dropped`);
    tauSyn.set(pop.id, tau);
    const r = m.tau_m_ms / m.cm_nF;
    if (m.i_offset_nA !== 0) {
      warnings.push(`population "${pop.id}": offset current ${m.i_offset_nA} nA folded into v_leak = ${m.v_rest_mV + r * m.i_offset_nA} mV (same dynamics); a reader starting at v_leak starts ${(r * m.i_offset_nA).toFixed(3)} mV away from our v_rest`);
    }
    nodes.set(pop.id, {
      type: 'CubaLIF',
      params: {
        tau_syn: filled(n, tau),
        tau_mem: filled(n, m.tau_m_ms),
        r: filled(n, r),
        v_leak: filled(n, m.v_rest_mV + r * m.i_offset_nA),
        v_threshold: filled(n, m.v_thresh_mV),
        v_reset: filled(n, m.v_reset_mV),
        w_in: filled(n, 1),
      },
    });
  }

  const net = spec.projections.length > 0 ? compileNetwork(spec, { partitions: 1 }) : null;
  spec.projections.forEach((proj, k) => {
    const cells = projectionCells(net!, k);
    const tau = tauSyn.get(proj.target)!;
    const sign = proj.receptor === 'inh' ? -1 : 1;
    const weight = new Float64Array(cells.targetSize * cells.sourceSize);
    for (let s = 0; s < cells.sourceSize; s++) {
      for (let c = cells.rowPtr[s]!; c < cells.rowPtr[s + 1]!; c++) weight[cells.column[c]! * cells.sourceSize + s] = sign * cells.weight[c]! * tau;
    }
    nodes.set(proj.id, { type: 'Linear', params: { weight: { shape: [cells.targetSize, cells.sourceSize], data: weight } } });
    edges.push([proj.source, proj.id], [proj.id, proj.target]);
    if (cells.maxDelay > 1) warnings.push(`projection "${proj.id}": delays up to ${cells.maxDelay} steps (${(cells.maxDelay * spec.dt_ms).toFixed(3)} ms) dropped; NIR edges carry no delay`);
    if (proj.plasticity !== undefined) warnings.push(`projection "${proj.id}": ${proj.plasticity.rule} plasticity dropped; the current weights are written`);
    if (cells.weight.length < cells.synapses) warnings.push(`projection "${proj.id}": ${cells.synapses - cells.weight.length} duplicate (source, target) synapses summed into single weights`);
  });

  for (const input of spec.inputs) warnings.push(`input "${input.id}": ${input.encoder.type} encoder dropped; NIR Input "${input.population}" takes spikes`);
  for (const output of spec.outputs) {
    const size = spec.populations.find((p) => p.id === output.population)!.size;
    nodes.set(output.id, { type: 'Output', params: { shape: { shape: [1], data: Float64Array.of(size) } } });
    edges.push([output.population, output.id]);
    warnings.push(`output "${output.id}": ${output.decoder.type} decoder and sink "${output.sink}" dropped; NIR Output carries spikes`);
  }
  return { graph: { nodes, edges }, warnings };
}

/** Writes the spec as a .nir file; returns the warnings (what the file does not carry). */
export async function writeNir(spec: NetworkSpec, path: string): Promise<string[]> {
  const { graph, warnings } = specToNir(spec);
  await writeNirFile(path, NIR_VERSION, graph);
  return warnings;
}

function rejectUnsupported(spec: NetworkSpec): void {
  const issues: Issue[] = [];
  spec.populations.forEach((pop, i) => {
    if (pop.model.type === 'lif_cond' || pop.model.type === 'izhikevich') {
      issues.push({ code: 'E_NIR_MODEL_UNSUPPORTED', path: `populations[${i}].model.type`, message: `population "${pop.id}" is ${pop.model.type}; NIR has no such primitive (lif → CubaLIF only)` });
    }
  });
  const names = new Map<string, string>();
  const claim = (name: string, what: string, path: string): void => {
    const previous = names.get(name);
    if (previous !== undefined) issues.push({ code: 'E_NIR_NAME_COLLISION', path, message: `${what} "${name}" has the same name as ${previous}; NIR node names must be unique` });
    else names.set(name, `${what} "${name}"`);
  };
  spec.populations.forEach((p, i) => claim(p.id, 'population', `populations[${i}].id`));
  spec.projections.forEach((p, i) => claim(p.id, 'projection', `projections[${i}].id`));
  spec.outputs.forEach((o, i) => claim(o.id, 'output', `outputs[${i}].id`));
  if (issues.length > 0) {
    throw new HasnError('E_NIR_EXPORT', `spec "${spec.name}" cannot be written as NIR (${issues.length} problem${issues.length === 1 ? '' : 's'})`, { issues });
  }
}
