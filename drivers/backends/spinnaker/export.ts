// Writes a network as a PyNN script plus .npy data: explicit synapse lists, per-neuron initial values and rates.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { forEachCompiledSynapse } from '../../../core/compile/synapse-reader.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { POISSON_STREAM } from '../../../core/engine/neurons.ts';
import { uniform32 } from '../../../core/random.ts';
import { encodeNpy } from './npy.ts';
import { pynnScript } from './pynn-script.ts';

export const PYNN_SCRIPT = 'pynn_network.py';
export const PYNN_DATA_DIR = 'pynn_data';

export interface PynnExportOptions {
  /** Default run length written into the script (its --duration). */
  durationMs?: number;
  /** Also write HASN's own Poisson spike trains for this many ms, for `--poisson frozen`. */
  frozenPoissonMs?: number;
}

type PerNeuron = number | { file: string };

interface DataFile {
  name: string;
  bytes: Uint8Array;
}

/** One value if every neuron shares it, else an .npy file with a value per neuron. */
function perNeuron(values: ArrayLike<number>, name: string, files: DataFile[]): PerNeuron {
  let uniform = true;
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) { uniform = false; break; }
  if (uniform) return values.length > 0 ? values[0]! : 0;
  files.push({ name, bytes: encodeNpy(Float64Array.from(values), [values.length]) });
  return { file: name };
}

function populationEntry(net: CompiledNetwork, k: number, files: DataFile[], frozenSteps: number): Record<string, unknown> {
  const pop = net.populations[k]!;
  const m = pop.model;
  const st = net.state;
  const slice = (a: Float32Array, sign = 1): number[] => Array.from(a.subarray(pop.offset, pop.offset + pop.size), (x) => sign * x);
  const file = (v: string): string => `population_${k}_${v}.npy`;
  const entry: Record<string, unknown> = { id: pop.id, size: pop.size, model: m.type };
  const initial: Record<string, PerNeuron> = {};
  const synapticInitial = (exc: string, inh: string, inhSign: number): void => {
    if (slice(st.synE).some((x) => x !== 0)) initial[exc] = perNeuron(slice(st.synE), file(exc), files);
    if (slice(st.synI).some((x) => x !== 0)) initial[inh] = perNeuron(slice(st.synI, inhSign), file(inh), files);
  };
  switch (m.type) {
    case 'lif':
    case 'lif_cond':
      entry.params = {
        cm: m.cm_nF, tau_m: m.tau_m_ms, v_rest: m.v_rest_mV, v_reset: m.v_reset_mV, v_thresh: m.v_thresh_mV,
        tau_refrac: m.tau_refrac_ms, tau_syn_E: m.tau_syn_e_ms, tau_syn_I: m.tau_syn_i_ms, i_offset: m.i_offset_nA,
        ...(m.type === 'lif_cond' ? { e_rev_E: m.e_rev_e_mV, e_rev_I: m.e_rev_i_mV } : {}),
      };
      initial.v = perNeuron(slice(st.v), file('v'), files);
      if (m.type === 'lif') synapticInitial('isyn_exc', 'isyn_inh', -1);
      else synapticInitial('gsyn_exc', 'gsyn_inh', 1);
      break;
    case 'izhikevich':
      entry.params = { a: m.a, b: m.b, c: m.c_mV, d: m.d, i_offset: m.i_offset, tau_syn_E: m.tau_syn_e_ms, tau_syn_I: m.tau_syn_i_ms };
      initial.v = perNeuron(slice(st.v), file('v'), files);
      initial.u = perNeuron(slice(st.u), file('u'), files);
      synapticInitial('isyn_exc', 'isyn_inh', -1);
      break;
    case 'poisson': {
      entry.params = { rate: perNeuron(slice(st.rate), file('rate'), files) };
      if (frozenSteps > 0) {
        const spikes: number[] = [];
        const perStep = net.dt * 0.001;
        for (let i = 0; i < pop.size; i++) {
          const g = pop.offset + i;
          const r = st.rate[g]!;
          if (r <= 0) continue;
          for (let step = 0; step < frozenSteps; step++) if (uniform32(net.seed, POISSON_STREAM, g, step) < r * perStep) spikes.push(i, step * net.dt);
        }
        files.push({ name: file('frozen'), bytes: encodeNpy(Float64Array.from(spikes), [spikes.length / 2, 2]) });
        entry.frozen = file('frozen');
      }
      break;
    }
    case 'spike_source':
      entry.params = {};
      break;
  }
  if (Object.keys(initial).length > 0) entry.initial = initial;
  return entry;
}

/** Writes pynn_network.py and pynn_data/ into `outDir`; returns the absolute paths written. */
export async function exportPynn(net: CompiledNetwork, outDir: string, opts: PynnExportOptions = {}): Promise<string[]> {
  const files: DataFile[] = [];
  const frozenSteps = opts.frozenPoissonMs ? Math.round(opts.frozenPoissonMs / net.dt) : 0;
  const populations = net.populations.map((_, k) => populationEntry(net, k, files, frozenSteps));
  const projections = net.spec.projections.map((proj, k) => {
    const rows: number[] = [];
    forEachCompiledSynapse(net, k, (s, t, w, d) => rows.push(s, t, w, d * net.dt));
    const name = `projection_${k}.npy`;
    files.push({ name, bytes: encodeNpy(Float64Array.from(rows), [rows.length / 4, 4]) });
    return { id: proj.id, source: proj.source, target: proj.target, receptor: proj.receptor, file: name, synapses: rows.length / 4 };
  });
  const network = { name: net.spec.name, spec_hash: net.specHash, dt_ms: net.dt, seed: net.seed, duration_ms: opts.durationMs ?? 1000 };
  const dir = resolve(outDir);
  const dataDir = join(dir, PYNN_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const written: string[] = [];
  const scriptPath = join(dir, PYNN_SCRIPT);
  await writeFile(scriptPath, pynnScript({ name: net.spec.name, specHash: net.specHash }, network, populations, projections), { mode: 0o755 });
  written.push(scriptPath);
  for (const f of files) {
    const path = join(dataDir, f.name);
    await writeFile(path, f.bytes);
    written.push(path);
  }
  return written;
}
