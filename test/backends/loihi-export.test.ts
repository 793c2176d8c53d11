// The exported Lava script: valid Python (py_compile), and its network() returns exactly our quantized values.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loihiBackend } from '../../drivers/backends/loihi/index.ts';
import type { LoihiNetwork } from '../../drivers/backends/loihi/network.ts';
import { LOIHI_LIF, runSession, spec } from './specs.ts';

const PYTHON = '/usr/bin/python3';

/** Imports the script as a module (no Lava needed: Lava is imported inside build()) and prints network() as JSON. */
const READ_NETWORK = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
pops, dense = module.network()
plain = lambda d: {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in d.items()}
print(json.dumps({"populations": [plain(p) for p in pops], "dense": [plain(d) for d in dense], "components": module.components(pops, dense)}))
`;

/** Feeds the exported network() to the numpy re-implementation of Lava's fixed-point models (golden/). */
const RUN_EXPORTED = `
import importlib.util, json, sys
import numpy as np
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
exported = load("exported", sys.argv[1])
reference = load("reference", sys.argv[2])
steps, inputs = int(sys.argv[3]), json.loads(sys.argv[4])
pops, dense = exported.network()
case = {"steps": steps, "trace": False, "populations": [], "dense": []}
for p in pops:
    if p["kind"] == "input":
        spikes = [[s, g - p["offset"]] for s, g in inputs if p["offset"] <= g < p["offset"] + p["size"]]
        case["populations"].append({"kind": "input", "size": p["size"], "spikes": spikes})
    else:
        case["populations"].append({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in p.items()})
for d in dense:
    w = np.zeros((pops[d["target"]]["size"], pops[d["source"]]["size"]), dtype=np.int64)
    w[d["targets"], d["sources"]] = d["weights"]
    case["dense"].append({"source": d["source"], "target": d["target"], "weights": w.tolist(), "weight_exp": d["weight_exp"],
                          "num_weight_bits": d["num_weight_bits"], "sign_mode": d["sign_mode"]})
print(json.dumps(reference.run_case(case)["spikes"]))
`;

const network = () => spec({
  name: 'sensor-net', dt_ms: 0.5, seed: 4,
  populations: [
    { id: 'in', size: 6, model: { type: 'spike_source' } },
    { id: 'hidden', size: 5, model: { ...LOIHI_LIF, i_offset_nA: 0.3 }, initial: { v_mV: { dist: 'uniform', low: -70, high: -55 } } },
    { id: 'out', size: 3, model: LOIHI_LIF },
    { id: 'idle', size: 2, model: { ...LOIHI_LIF, i_offset_nA: 1 } },
  ],
  projections: [
    { id: 'in_hidden', source: 'in', target: 'hidden', connector: { type: 'fixed_probability', p: 0.6 }, weight: { dist: 'uniform', low: 0.5, high: 3 }, delay_ms: 0.5 },
    { id: 'hidden_out', source: 'hidden', target: 'out', connector: { type: 'all_to_all' }, weight: 2 },
    { id: 'out_hidden', source: 'out', target: 'hidden', connector: { type: 'all_to_all' }, weight: 1, receptor: 'inh' },
  ],
  outputs: [{ id: 'motor', population: 'out', sink: 'motor', decoder: { type: 'rate', window_ms: 20 } }],
});

describe('loihi export', () => {
  it('writes a Lava script and a NIR file; the script compiles with python3 (py_compile)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-lava-'));
    const artifact = await loihiBackend.compile(network(), { mode: 'export', outDir: dir });
    expect(artifact.files.map((f) => f.slice(dir.length + 1))).toEqual(['sensor_net_lava.py', 'sensor_net.nir']);
    execFileSync(PYTHON, ['-m', 'py_compile', artifact.files[0]!]);
    const text = readFileSync(artifact.files[0]!, 'utf8');
    expect(text).toContain('Loihi2SimCfg(select_tag="fixed_pt")');
    expect(text).toContain('from lava.proc.lif.process import LIF');
    expect(text).toContain('from lava.proc.dense.process import Dense');
    expect(text).toMatch(/bit-exact with Lava's fixed-point\nCPU models PyLifModelBitAcc and PyDenseModelBitAcc/);
    expect(text).toContain('It has not been run on Loihi silicon');
    expect(artifact.report.notes.some((n) => n.startsWith('NIR: output "motor"'))).toBe(true);
  });

  it("rebuilds exactly our quantized values: network() equals the emulator's network, cell by cell", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-lava-'));
    const exported = await loihiBackend.compile(network(), { mode: 'export', outDir: dir });
    const ours = (await loihiBackend.compile(network(), { mode: 'emulate' })).payload as LoihiNetwork;
    const read = JSON.parse(execFileSync(PYTHON, ['-c', READ_NETWORK, exported.files[0]!]).toString()) as {
      populations: Record<string, unknown>[]; dense: Record<string, unknown>[]; components: number[][];
    };
    expect(read.populations.map((p) => [p.id, p.kind, p.offset, p.size])).toEqual(ours.populations.map((p) => [p.id, p.kind, p.offset, p.size]));
    ours.populations.forEach((p, i) => {
      if (p.kind !== 'lif') return;
      expect(read.populations[i]).toEqual({
        id: p.id, kind: 'lif', offset: p.offset, size: p.size, du: p.du, dv: p.dv, vth: p.vth,
        bias_mant: [...p.biasMant], bias_exp: [...p.biasExp], u: [...p.u0], v: [...p.v0],
      });
    });
    ours.dense.forEach((d, k) => {
      const sources: number[] = [];
      for (let s = 0; s + 1 < d.rowPtr.length; s++) for (let c = d.rowPtr[s]!; c < d.rowPtr[s + 1]!; c++) sources.push(s);
      expect(read.dense[k]).toEqual({
        id: d.id, source: d.source, target: d.target, sign_mode: d.signMode, weight_exp: d.weightExp,
        num_weight_bits: d.numWeightBits, cells: d.column.length, sources, targets: [...d.column], weights: [...d.weight],
      });
    });
    expect(ours.dense[2]!.weight.every((w) => w < 0)).toBe(true); // inhibitory projection, negative weights
    // Lava runs only the processes connected to the one run: the script runs each connected group.
    expect(read.components).toEqual([[0, 1, 2], [3]]);
  });

  it('run through the numpy re-implementation of Lava\'s fixed-point models, the exported values give the emulator\'s spikes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-lava-'));
    const exported = await loihiBackend.compile(network(), { mode: 'export', outDir: dir });
    const inputs: Record<number, number[]> = {};
    for (let step = 0; step < 400; step += 7) inputs[step] = [step % 6, (step * 5) % 6];
    const ours = await runSession(await loihiBackend.open(await loihiBackend.compile(network(), { mode: 'emulate' })), 400, inputs);
    const pairs = Object.entries(inputs).flatMap(([step, ns]) => ns.map((n) => [Number(step), n]));
    const reference = fileURLToPath(new URL('./golden/lava_fixed_point_reference.py', import.meta.url));
    const theirs = JSON.parse(execFileSync(PYTHON, ['-c', RUN_EXPORTED, exported.files[0]!, reference, '400', JSON.stringify(pairs)]).toString()) as [number, number][];
    expect(ours.filter(([, n]) => n >= 6).length).toBeGreaterThan(20);
    expect(theirs).toEqual(ours);
  });
});
