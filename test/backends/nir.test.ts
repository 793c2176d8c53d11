// NIR export/import: the exact HDF5 layout (checked by h5py), spec → NIR → spec round trips, files from another writer, and every rejection.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { cpuBackend } from '../../drivers/backends/cpu/index.ts';
import { writeNir } from '../../drivers/backends/nir/export.ts';
import { readNir } from '../../drivers/backends/nir/import.ts';
import { LOIHI_LIF, runSession, spec } from './specs.ts';

const PYTHON = '/usr/bin/python3';
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'hasn-nir-'));

interface LayoutReport { ok: boolean; problems: string[]; version: string; nodes: Record<string, { type: string; datasets: Record<string, [string, number[]]> }>; edges: [string, string][] }
const checkLayout = (path: string): LayoutReport => JSON.parse(execFileSync(PYTHON, [here('./golden/nir_layout_check.py'), path]).toString()) as LayoutReport;
const writeWithH5py = (files: Record<string, unknown>) => execFileSync(PYTHON, [here('./golden/nir_write_reference.py'), JSON.stringify(files)]);

const network = (): NetworkSpec => spec({
  name: 'nir-net', dt_ms: 0.1, seed: 8,
  populations: [
    { id: 'in', size: 5, model: { type: 'spike_source' } },
    { id: 'hidden', size: 8, model: { ...LOIHI_LIF, i_offset_nA: 0.4 } },
    { id: 'out', size: 3, model: { ...LOIHI_LIF, tau_syn_e_ms: 3, tau_syn_i_ms: 3, v_reset_mV: -70 } },
  ],
  projections: [
    { id: 'in_hidden', source: 'in', target: 'hidden', connector: { type: 'fixed_probability', p: 0.5 }, weight: { dist: 'uniform', low: 1, high: 4 } },
    { id: 'hidden_hidden', source: 'hidden', target: 'hidden', connector: { type: 'one_to_one' }, weight: 0.5, receptor: 'inh' },
    { id: 'hidden_out', source: 'hidden', target: 'out', connector: { type: 'all_to_all' }, weight: 1.5 },
  ],
  outputs: [{ id: 'motor', population: 'out', sink: 'wheels', decoder: { type: 'rate', window_ms: 20 } }],
});

describe('NIR export', () => {
  it('writes exactly the nir package layout, checked by h5py: version, NIRGraph, typed nodes, E×2 string edges, no extra datasets', async () => {
    const path = join(tmp(), 'net.nir');
    await writeNir(network(), path);
    const r = checkLayout(path);
    expect(r.problems).toEqual([]);
    expect(r.version).toBe('1.0.7');
    expect(Object.fromEntries(Object.entries(r.nodes).map(([k, v]) => [k, v.type]))).toEqual({
      in: 'Input', hidden: 'CubaLIF', out: 'CubaLIF', in_hidden: 'Linear', hidden_hidden: 'Linear', hidden_out: 'Linear', motor: 'Output',
    });
    expect(r.nodes.hidden!.datasets.tau_mem).toEqual(['f', [8]]);
    expect(r.nodes.in_hidden!.datasets.weight).toEqual(['f', [8, 5]]); // [out, in]
    expect(r.nodes.in!.datasets.shape).toEqual(['i', [1]]);
    expect(r.edges).toEqual([
      ['in', 'in_hidden'], ['in_hidden', 'hidden'], ['hidden', 'hidden_hidden'], ['hidden_hidden', 'hidden'],
      ['hidden', 'hidden_out'], ['hidden_out', 'out'], ['out', 'motor'],
    ]);
  });

  it('writes parameter values with the documented units: W = ±w·τ_syn, v_leak = v_rest + r·i_offset, r = τm/cm', async () => {
    const path = join(tmp(), 'net.nir');
    await writeNir(network(), path);
    const values = JSON.parse(execFileSync(PYTHON, ['-c', `
import h5py, json, sys
f = h5py.File(sys.argv[1], "r")
n = f["node/nodes"]
print(json.dumps({"v_leak": n["hidden/v_leak"][()].tolist(), "r": n["hidden/r"][()].tolist(), "tau_syn": n["out/tau_syn"][()].tolist(),
  "inh": n["hidden_hidden/weight"][()].tolist(), "exc": n["hidden_out/weight"][()].tolist(), "v_reset": n["out/v_reset"][()].tolist()}))
`, path]).toString()) as Record<string, number[] | number[][]>;
    expect(values.r).toEqual(new Array(8).fill(20));
    expect((values.v_leak as number[])[0]).toBeCloseTo(-65 + 20 * 0.4, 12);
    expect(values.tau_syn).toEqual([3, 3, 3]);
    expect(values.v_reset).toEqual([-70, -70, -70]);
    expect((values.inh as number[][])[2]![2]).toBeCloseTo(-0.5 * 5, 6);
    expect((values.inh as number[][])[2]![3]).toBe(0);
    expect((values.exc as number[][]).flat().every((w) => Math.abs(w - 1.5 * 3) < 1e-6)).toBe(true);
  });

  it('warns that an offset current folded into v_leak moves the resting potential a reader starts from', async () => {
    const warnings = await writeNir(network(), join(tmp(), 'offset.nir'));
    expect(warnings[0]).toBe('population "hidden": offset current 0.4 nA folded into v_leak = -57 mV (same dynamics); a reader starting at v_leak starts 8.000 mV away from our v_rest');
  });

  it('lists what NIR cannot carry as warnings: delays, plasticity, refractoriness, adaptation, initial state, Poisson rates, codecs, a second τ_syn', async () => {
    const s = spec({
      dt_ms: 0.1,
      populations: [
        { id: 'noise', size: 3, model: { type: 'poisson', rate_hz: 5 } },
        { id: 'n', size: 2, model: { type: 'lif', tau_refrac_ms: 2, tau_syn_i_ms: 8, threshold_adaptation: { theta_plus_mV: 1, tau_theta_ms: 50 } }, initial: { v_mV: -60 } },
        { id: 'src', size: 2, model: { type: 'spike_source' } },
      ],
      projections: [
        { id: 'slow', source: 'noise', target: 'n', connector: { type: 'all_to_all' }, weight: 1, delay_ms: 2 },
        { id: 'learn', source: 'src', target: 'n', connector: { type: 'all_to_all' }, weight: 1, plasticity: { rule: 'stdp' }, receptor: 'inh' },
        { id: 'twice', source: 'src', target: 'n', connector: { type: 'explicit', pairs: [[0, 0], [0, 0]] }, weight: 1 },
      ],
      inputs: [{ id: 'touch', population: 'src', channel: 'touch', encoder: { type: 'rate', max_rate_hz: 100 } }],
      outputs: [{ id: 'o', population: 'n', sink: 'led', decoder: { type: 'rate', window_ms: 10 } }],
    });
    const warnings = await writeNir(s, join(tmp(), 'lossy.nir'));
    expect(warnings).toEqual([
      'population "noise": Poisson rate dropped; it becomes an Input that the reader must drive',
      'population "n": initial state (v_mV) dropped; NIR has no initial values',
      'population "n": inhibitory tau_syn 8 ms replaced by the excitatory 5 ms; CubaLIF has one synaptic time constant',
      'population "n": refractory period 2 ms dropped; CubaLIF has none',
      'population "n": threshold adaptation dropped',
      'projection "slow": delays up to 20 steps (2.000 ms) dropped; NIR edges carry no delay',
      'projection "learn": stdp plasticity dropped; the current weights are written',
      'projection "twice": 1 duplicate (source, target) synapses summed into single weights',
      'input "touch": rate encoder dropped; NIR Input "src" takes spikes',
      'output "o": rate decoder and sink "led" dropped; NIR Output carries spikes',
    ]);
  });

  it('rejects models NIR has no primitive for (E_NIR_MODEL_UNSUPPORTED) and clashing node names (E_NIR_NAME_COLLISION)', async () => {
    const s = spec({
      populations: [{ id: 'a', size: 1, model: { type: 'lif_cond' } }, { id: 'b', size: 1, model: { type: 'izhikevich' } }, { id: 'c', size: 1, model: { type: 'lif' } }],
      projections: [{ id: 'c', source: 'c', target: 'c', connector: { type: 'one_to_one' }, weight: 1 }],
    });
    const err = await writeNir(s, join(tmp(), 'x.nir')).catch((e: unknown) => e) as { code: string; issues: { code: string; path: string }[] };
    expect(err.code).toBe('E_NIR_EXPORT');
    expect(err.issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'E_NIR_MODEL_UNSUPPORTED populations[0].model.type',
      'E_NIR_MODEL_UNSUPPORTED populations[1].model.type',
      'E_NIR_NAME_COLLISION projections[0].id',
    ]);
  });
});

describe('NIR import', () => {
  it('round trips spec → NIR → spec: same populations, parameters, synapses and identical spike trains on cpu', async () => {
    // Without an offset current (which moves the potential a reader starts from; warned, tested below).
    const original = { ...network(), populations: network().populations.map((p) => p.model.type === 'lif' ? { ...p, model: { ...p.model, i_offset_nA: 0, v_rest_mV: -57 } } : p) };
    const path = join(tmp(), 'net.nir');
    expect(await writeNir(original, path)).toEqual(['output "motor": rate decoder and sink "wheels" dropped; NIR Output carries spikes']);
    const { spec: back, warnings } = await readNir(path, { dt_ms: 0.1, seed: 8 });
    expect(warnings).toEqual(['output "motor": NIR has no decoder; a rate decoder (100 ms window) was assumed']);
    expect(back.populations.map((p) => [p.id, p.size, p.model.type])).toEqual(original.populations.map((p) => [p.id, p.size, p.model.type]));
    const hidden = back.populations[1]!.model;
    expect(hidden).toMatchObject({ type: 'lif', tau_m_ms: 20, v_rest_mV: -57, v_thresh_mV: -50, v_reset_mV: -65, tau_syn_e_ms: 5, tau_syn_i_ms: 5, i_offset_nA: 0 });
    expect(back.projections.map((p) => [p.id, p.source, p.target, p.receptor, p.connector.type])).toEqual([
      ['in_hidden', 'in', 'hidden', 'exc', 'explicit'],
      ['hidden_hidden', 'hidden', 'hidden', 'inh', 'one_to_one'],
      ['hidden_out', 'hidden', 'out', 'exc', 'all_to_all'],
    ]);
    expect(back.outputs).toEqual([{ id: 'motor', population: 'out', sink: 'motor', decoder: { type: 'rate', window_ms: 100 } }]);
    const run = async (s: NetworkSpec) => runSession(await cpuBackend.open(await cpuBackend.compile(s, { mode: 'hardware' })), 3000,
      Object.fromEntries(Array.from({ length: 60 }, (_, k) => [k * 50, [k % 5, (k + 2) % 5]])));
    const a = await run(original);
    expect(a.filter(([, n]) => n >= 13).length).toBeGreaterThan(10); // the output population fires
    expect(await run(back)).toEqual(a);
  });

  it('reads a file written by h5py the way the nir package writes it (gzip datasets, alphabetical nodes, LIF and Affine)', async () => {
    const path = join(tmp(), 'other.nir');
    writeWithH5py({ [path]: {
      nodes: {
        input: { type: 'Input', shape: { int: [2] } },
        fc: { type: 'Affine', weight: [[2, 0], [0, -1], [1, 1]], bias: [0.5, 0.5, 0.5] },
        lif: { type: 'LIF', tau: [10, 10, 10], r: [2, 2, 2], v_leak: [0, 0, 0], v_threshold: [1, 1, 1], v_reset: [0, 0, 0] },
        output: { type: 'Output', shape: { int: [3] } },
      },
      edges: [['input', 'fc'], ['fc', 'lif'], ['lif', 'output']],
    } });
    const { spec: s, warnings } = await readNir(path, { dt_ms: 0.5, name: 'other' });
    expect(s.populations.map((p) => p.id)).toEqual(['input', 'lif']);
    const lif = s.populations[1]!.model;
    // LIF: no synaptic current, τ_syn = dt/8; a weight W is W/τ_syn nA; the bias is a constant current.
    expect(lif).toMatchObject({ type: 'lif', tau_m_ms: 10, cm_nF: 5, v_rest_mV: 0, v_thresh_mV: 1, v_reset_mV: 0, tau_syn_e_ms: 0.0625, i_offset_nA: 0.5 });
    expect(s.projections).toEqual([
      expect.objectContaining({ id: 'fc.exc', receptor: 'exc', connector: { type: 'explicit', pairs: [[0, 0, 32], [0, 2, 16], [1, 2, 16]] } }),
      expect.objectContaining({ id: 'fc.inh', receptor: 'inh', connector: { type: 'explicit', pairs: [[1, 1, 16]] } }),
    ]);
    expect(warnings).toEqual([
      'LIF "lif": NIR LIF has no synaptic current; imported with tau_syn = dt/8 = 0.0625 ms so a spike\'s charge arrives within its step',
      'Affine "fc": bias imported as an offset current of "lif" (same steady state; NIR filters it through τ_syn from t = 0)',
      'output "output": NIR has no decoder; a rate decoder (100 ms window) was assumed',
    ]);
  });

  it('rejects what it cannot import, each with a stable code and the HDF5 path', async () => {
    const dir = tmp();
    const cases: [string, unknown, string, string][] = [
      ['conv', { nodes: { c: { type: 'Conv2d', weight: [[1]] } }, edges: [] }, 'E_NIR_NODE_UNSUPPORTED', 'node/nodes/c'],
      ['uneven', { nodes: { n: { type: 'CubaLIF', tau_syn: [1, 2], tau_mem: [10, 10], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1], w_in: [1, 1] } }, edges: [] }, 'E_NIR_PARAMS_NOT_UNIFORM', 'node/nodes/n/tau_syn'],
      ['shape', {
        nodes: { i: { type: 'Input', shape: { int: [2] } }, w: { type: 'Linear', weight: [[1, 1, 1]] }, n: { type: 'LIF', tau: [1], r: [1], v_leak: [0], v_threshold: [1], v_reset: [0] } },
        edges: [['i', 'w'], ['w', 'n']],
      }, 'E_NIR_SHAPE', 'node/nodes/w/weight'],
      ['edge', { nodes: { i: { type: 'Input', shape: { int: [1] } }, o: { type: 'Output', shape: { int: [1] } } }, edges: [['o', 'i']] }, 'E_NIR_EDGE_UNSUPPORTED', 'node/edges'],
      ['missing', { nodes: { n: { type: 'LIF', tau: [1], r: [1], v_threshold: [1] } }, edges: [] }, 'E_NIR_LAYOUT', 'node/nodes/n/v_leak'],
    ];
    writeWithH5py(Object.fromEntries(cases.map(([name, graph]) => [join(dir, `${name}.nir`), graph])));
    for (const [name, , code, path] of cases) {
      await expect(readNir(join(dir, `${name}.nir`), { dt_ms: 1 }), name).rejects.toMatchObject({ code, path });
    }
    const notHdf5 = join(dir, 'text.nir');
    writeFileSync(notHdf5, 'not hdf5');
    await expect(readNir(notHdf5, { dt_ms: 1 })).rejects.toMatchObject({ code: 'E_NIR_FILE' });
    const noGraph = join(dir, 'plain.h5');
    execFileSync(PYTHON, ['-c', 'import h5py,sys; f=h5py.File(sys.argv[1],"w"); f.create_dataset("version", data="1", dtype=h5py.string_dtype())', noGraph]);
    await expect(readNir(noGraph, { dt_ms: 1 })).rejects.toMatchObject({ code: 'E_NIR_LAYOUT', path: 'node' });
    const good = join(dir, 'good.nir');
    await writeNir(network(), good);
    await expect(readNir(good, { dt_ms: 0 })).rejects.toMatchObject({ code: 'E_NIR_IMPORT', path: 'dt_ms' });
  });
});
