// Akida export: a Python script that rebuilds the model with the akida package (syntax-checked; akida itself is not
// installable here), its .npy data checked with numpy, and the probe's report of the absent SDK and device.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { akidaBackend, createAkidaBackend, type AkidaPayload } from '../../drivers/backends/akida/index.ts';
import { activationBuffers, forward } from '../../drivers/backends/akida/model.ts';
import { FRAME_OPTIONS, layeredNetwork } from './fixtures/akida/networks.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

async function exported(opts: Record<string, unknown> = {}): Promise<{ dir: string; payload: AkidaPayload; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'hasn-akida-'));
  const artifact = await akidaBackend.compile(layeredNetwork(), { mode: 'export', outDir: dir, weightBits: 4, ...FRAME_OPTIONS, testWindows: 32, ...opts });
  return { dir, payload: artifact.payload as AkidaPayload, files: artifact.files };
}

/** Loads every .npy in akida_data with numpy and returns shape, dtype and flattened values. */
async function numpyView(dir: string): Promise<Record<string, { shape: number[]; dtype: string; values: number[] }>> {
  const script = `
import json, os, sys
import numpy as np
d = sys.argv[1]
out = {}
for name in sorted(os.listdir(d)):
    a = np.load(os.path.join(d, name))
    out[name] = {"shape": list(a.shape), "dtype": str(a.dtype), "values": a.ravel().tolist()}
print(json.dumps(out))
`;
  const { stdout } = await run(PYTHON, ['-c', script, join(dir, 'akida_data')], { maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as Record<string, { shape: number[]; dtype: string; values: number[] }>;
}

describe('Akida export', () => {
  it('writes a script that builds InputData → FullyConnected layers with our bit widths, maps to AKD1000 and saves through akida (no .fbz of ours)', async () => {
    const { dir, files } = await exported();
    const script = await readFile(join(dir, 'akida_model.py'), 'utf8');
    expect(script).toContain('model.add(akida.InputData(input_shape=tuple(MODEL["input_shape"]), input_bits=MODEL["input_bits"], name="input"))');
    expect(script).toContain('akida.FullyConnected(units=layer["units"], name=layer["name"], weights_bits=layer["weights_bits"]');
    expect(script).toContain('target.set_variable("weights", load(layer["weights"], np.int8))');
    expect(script).toContain('model.map(akida.AKD1000())');
    expect(script).toContain('model.save(args.out)');
    expect(script).toMatch(/Not run against the real akida package/);
    const description = JSON.parse(/MODEL = json\.loads\(r"""(.*)"""\)/.exec(script)![1]!) as { input_shape: number[]; input_bits: number; layers: { name: string; units: number; weights_bits: number; act_bits: number }[] };
    expect(description.input_shape).toEqual([1, 1, 64]);
    expect(description.input_bits).toBe(4);
    expect(description.layers.map((l) => [l.name, l.units, l.weights_bits, l.act_bits])).toEqual([['fc1', 48, 4, 4], ['fc2', 10, 4, 4]]);
    expect(files.some((f) => f.endsWith('.fbz'))).toBe(false);
    expect((await readdir(join(dir, 'akida_data'))).sort()).toEqual([
      'fc1_act_step.npy', 'fc1_threshold.npy', 'fc1_weights.npy', 'fc2_act_step.npy', 'fc2_threshold.npy', 'fc2_weights.npy', 'test_inputs.npy', 'test_outputs.npy',
    ]);
  });

  it('compiles with python3 -m py_compile', async () => {
    const { dir } = await exported();
    await run(PYTHON, ['-m', 'py_compile', join(dir, 'akida_model.py')]);
  });

  it('stores exactly our quantized integers, in the shapes and types akida takes, readable by numpy', async () => {
    const { dir, payload } = await exported();
    const data = await numpyView(dir);
    const { model } = payload;
    model.layers.forEach((layer, l) => {
      const name = `fc${l + 1}`;
      const weights = data[`${name}_weights.npy`]!;
      expect(weights.shape).toEqual([1, 1, layer.inputSize, layer.units]);
      expect(weights.dtype).toBe('int8');
      const dense = new Array<number>(layer.inputSize * layer.units).fill(0);
      for (let i = 0; i < layer.inputSize; i++) for (let k = layer.rowPtr[i]!; k < layer.rowPtr[i + 1]!; k++) dense[i * layer.units + layer.unit[k]!] = layer.weightQ[k]!;
      expect(weights.values).toEqual(dense);
      expect(Math.max(...weights.values.map(Math.abs))).toBeLessThanOrEqual(7);
      expect(data[`${name}_threshold.npy`]).toEqual({ shape: [layer.units], dtype: 'int32', values: Array.from(layer.thresholdQ) });
      expect(data[`${name}_act_step.npy`]!.dtype).toBe('float32');
    });
    const inputs = data['test_inputs.npy']!;
    const outputs = data['test_outputs.npy']!;
    expect(inputs.shape).toEqual([32, 1, 1, 64]);
    expect(inputs.dtype).toBe('uint8');
    expect(outputs.shape).toEqual([32, 1, 1, 10]);
    // the expected outputs are our integer model's answers to the test frames
    const { out, potential } = activationBuffers(model);
    for (let f = 0; f < 32; f++) {
      forward(model, inputs.values.slice(f * 64, f * 64 + 64), true, out, potential);
      expect(outputs.values.slice(f * 10, f * 10 + 10)).toEqual(Array.from(out[1]!));
    }
    expect(outputs.values.some((v) => v > 0)).toBe(true);
  });

  it('refuses 8-bit weights, which AKD1000 FullyConnected layers do not take (E_AKIDA_BITS_UNSUPPORTED); emulation accepts them', async () => {
    await expect(exported({ weightBits: 8 })).rejects.toMatchObject({ code: 'E_AKIDA_BITS_UNSUPPORTED', path: 'weightBits' });
    const artifact = await akidaBackend.compile(layeredNetwork(), { mode: 'emulate', weightBits: 8, ...FRAME_OPTIONS });
    expect(artifact.report.quantization!.weightBits).toBe(8);
  });

  it('needs an output directory (E_BACKEND_OPTION)', async () => {
    await expect(akidaBackend.compile(layeredNetwork(), { mode: 'export', ...FRAME_OPTIONS })).rejects.toMatchObject({ code: 'E_BACKEND_OPTION', path: 'outDir' });
  });
});

describe('Akida probe on this machine', () => {
  it('reports emulate and export, and the SDK and device as absent with the reason', async () => {
    const status = await akidaBackend.probe();
    expect(status).toMatchObject({ id: 'akida', modes: ['emulate', 'export'], versions: {} });
    expect(status.reasons[0]).toMatch(/^hardware: python module akida not importable with .*; no \/dev\/akida\* device/);
  });

  it('never throws: a missing interpreter and a missing device directory are reported as reasons', async () => {
    const status = await createAkidaBackend({ python: '/nonexistent/python3', deviceDir: '/nonexistent/dev' }).probe();
    expect(status.modes).toEqual(['emulate', 'export']);
    expect(status.reasons[0]).toMatch(/\/nonexistent\/python3 did not run.*no \/nonexistent\/dev\/akida\* device/);
  });

  it('notices an Akida device node', async () => {
    const dev = await mkdtemp(join(tmpdir(), 'hasn-dev-'));
    await writeFile(join(dev, 'akida0'), '');
    const status = await createAkidaBackend({ deviceDir: dev }).probe();
    expect(status.reasons[0]).toContain(`${dev}/akida0 present`);
  });
});
