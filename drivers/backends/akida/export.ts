// Writes the Akida export: akida_model.py (rebuilds the model with the akida package) and akida_data/ (.npy integers, test frames).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import { encodeNpy } from '../spinnaker/npy.ts';
import { akidaScript } from './akida-script.ts';
import { inputSpikes, markTestInputs } from './inputs.ts';
import { activationBuffers, forward, type AkidaModel } from './model.ts';

export const AKIDA_SCRIPT = 'akida_model.py';
export const AKIDA_DATA_DIR = 'akida_data';
/** Akida 1.0 FullyConnected layers take 1, 2 or 4-bit weights (8 bits only in the image input layer). */
export const FULLY_CONNECTED_WEIGHT_BITS = [1, 2, 4];

export function layerName(depth: number): string {
  return `fc${depth}`;
}

/** Test frames (clipped input counts, the same inputs as compile's report) and the integer model's output activations. */
function testFrames(net: CompiledNetwork, model: AkidaModel, frames: number, inputRateHz: number): { inputs: Uint8Array; outputs: Uint8Array } {
  const inputMax = 2 ** model.inputBits - 1;
  const last = model.layers[model.layers.length - 1]!;
  const inputs = new Uint8Array(frames * model.inputSize);
  const outputs = new Uint8Array(frames * last.units);
  const counts = new Float64Array(model.inputSize);
  const inject = new Uint8Array(net.neuronCount);
  const fired = new Uint32Array(model.inputSize);
  const buffers = activationBuffers(model);
  for (let f = 0; f < frames; f++) {
    counts.fill(0);
    for (let k = 0; k < model.windowSteps; k++) {
      const step = f * model.windowSteps + k;
      markTestInputs(net, model, step, inputRateHz, inject);
      const n = inputSpikes(net, model, step, inject, fired);
      for (let j = 0; j < n; j++) counts[fired[j]!]!++;
    }
    for (let i = 0; i < model.inputSize; i++) inputs[f * model.inputSize + i] = Math.min(inputMax, counts[i]!);
    forward(model, counts, true, buffers.out, buffers.potential);
    outputs.set(Uint8Array.from(buffers.out[model.layers.length - 1]!), f * last.units);
  }
  return { inputs, outputs };
}

export async function exportAkida(net: CompiledNetwork, model: AkidaModel, outDir: string, opts: { testFrames: number; inputRateHz: number }): Promise<string[]> {
  if (!FULLY_CONNECTED_WEIGHT_BITS.includes(model.weightBits)) {
    throw new HasnError('E_AKIDA_BITS_UNSUPPORTED', `AKD1000 FullyConnected layers take 1, 2 or 4-bit weights; ${model.weightBits}-bit weights can be emulated but not exported`, { path: 'weightBits' });
  }
  const files: { name: string; bytes: Uint8Array }[] = [];
  const layers = model.layers.map((layer) => {
    const name = layerName(layer.depth);
    const dense = new Int8Array(layer.inputSize * layer.units);
    for (let i = 0; i < layer.inputSize; i++) {
      for (let k = layer.rowPtr[i]!; k < layer.rowPtr[i + 1]!; k++) dense[i * layer.units + layer.unit[k]!] = layer.weightQ[k]!;
    }
    files.push({ name: `${name}_weights.npy`, bytes: encodeNpy(dense, [1, 1, layer.inputSize, layer.units]) });
    files.push({ name: `${name}_threshold.npy`, bytes: encodeNpy(layer.thresholdQ, [layer.units]) });
    const entry: Record<string, unknown> = {
      name, units: layer.units, weights_bits: model.weightBits, act_bits: model.actBits,
      weights: `${name}_weights.npy`, threshold: `${name}_threshold.npy`,
      populations: layer.populations.map((p) => net.populations[p]!.id), scale_mV: layer.scale,
    };
    if (model.actBits > 1) {
      files.push({ name: `${name}_act_step.npy`, bytes: encodeNpy(layer.stepQ, [layer.units]) });
      entry.act_step = `${name}_act_step.npy`;
    }
    return entry;
  });
  const frames = testFrames(net, model, opts.testFrames, opts.inputRateHz);
  const last = model.layers[model.layers.length - 1]!;
  files.push({ name: 'test_inputs.npy', bytes: encodeNpy(frames.inputs, [opts.testFrames, 1, 1, model.inputSize]) });
  files.push({ name: 'test_outputs.npy', bytes: encodeNpy(frames.outputs, [opts.testFrames, 1, 1, last.units]) });
  const description = {
    name: net.spec.name, spec_hash: net.specHash, window_steps: model.windowSteps, dt_ms: net.dt,
    input_shape: [1, 1, model.inputSize], input_bits: model.inputBits,
    inputs: model.inputPopulations.map((p) => net.populations[p]!.id),
    layers, test_inputs: 'test_inputs.npy', test_outputs: 'test_outputs.npy',
  };
  const dir = resolve(outDir);
  await mkdir(join(dir, AKIDA_DATA_DIR), { recursive: true });
  const scriptPath = join(dir, AKIDA_SCRIPT);
  await writeFile(scriptPath, akidaScript({ name: net.spec.name, specHash: net.specHash }, description), { mode: 0o755 });
  const written = [scriptPath];
  for (const f of files) {
    const path = join(dir, AKIDA_DATA_DIR, f.name);
    await writeFile(path, f.bytes);
    written.push(path);
  }
  return written;
}
