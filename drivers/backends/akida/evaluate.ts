// The cost of mapping to Akida on test inputs: integer model vs float model (quantization), and the float model vs our spiking engine (frames).
//
// Test inputs: `windows` frames; spike_source inputs spike independently with probability rate·dt per step from
// a dedicated counter-based stream, poisson inputs as the CPU engine draws them. The same spikes drive
//   the float model and the integer model (per frame, as Akida would see them), and
//   the CPU engine running the spec itself (spike_source spikes injected step by step),
// so the report separates what quantization changes from what Akida's frame semantics change.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { ReferenceEngine } from '../../../core/engine/engine.ts';
import { inputSpikes, markTestInputs } from './inputs.ts';
import { activationBuffers, forward, type AkidaModel } from './model.ts';

export interface MappingEvaluation {
  testWindows: number;
  /** Mean rate of all layer neurons (Hz): float model, integer model, and the spiking CPU engine. */
  floatRateHz: number;
  quantizedRateHz: number;
  spikingRateHz: number;
  /** quantized / float − 1. */
  rateChange: number;
  /** Output layer: share of (frame, unit) activations the integer model reproduces exactly (float clipped to the activation range). */
  outputAgreement: number;
  /** Share of frames with output activity whose most active integer-model output unit is a most active float-model one. */
  top1Agreement: number;
  perLayer: { depth: number; floatRateHz: number; quantizedRateHz: number; spikingRateHz: number }[];
}

export interface EvaluationOptions {
  windows: number;
  /** Rate of spike_source test inputs (Hz). */
  inputRateHz: number;
}

export function evaluateMapping(net: CompiledNetwork, model: AkidaModel, opts: EvaluationOptions): MappingEvaluation {
  const W = model.windowSteps;
  const steps = opts.windows * W;
  const seconds = steps * net.dt * 0.001;
  const actMax = 2 ** model.actBits - 1;
  const floatBuf = activationBuffers(model);
  const quantBuf = activationBuffers(model);
  const floatSum = model.layers.map(() => 0);
  const quantSum = model.layers.map(() => 0);
  const spikingSum = model.layers.map(() => 0);
  let agree = 0;
  let compared = 0;
  let topAgree = 0;
  let active = 0;

  // The spiking reference: the spec on the CPU engine with the same input spikes.
  const reference = compileNetwork(net.spec);
  const engine = new ReferenceEngine(reference);
  const unitLayer = new Int32Array(reference.neuronCount).fill(-1);
  model.globalOfUnit.forEach((globals, l) => { for (const g of globals) unitLayer[g] = l; });

  const counts = new Float64Array(model.inputSize);
  const inject = new Uint8Array(net.neuronCount);
  const fired = new Uint32Array(model.inputSize);
  for (let step = 0; step < steps; step++) {
    const injected = markTestInputs(net, model, step, opts.inputRateHz, inject);
    const n = inputSpikes(net, model, step, inject, fired);
    for (let k = 0; k < n; k++) counts[fired[k]!]!++;
    engine.inject(injected);
    engine.run(1, (_s, spikes, count) => {
      for (let k = 0; k < count; k++) {
        const l = unitLayer[spikes[k]!]!;
        if (l >= 0) spikingSum[l]!++;
      }
    });
    if (step % W !== W - 1) continue;
    forward(model, counts, false, floatBuf.out, floatBuf.potential);
    forward(model, counts, true, quantBuf.out, quantBuf.potential);
    counts.fill(0);
    model.layers.forEach((layer, l) => {
      for (let j = 0; j < layer.units; j++) {
        floatSum[l]! += floatBuf.out[l]![j]!;
        quantSum[l]! += quantBuf.out[l]![j]!;
      }
    });
    const last = model.layers.length - 1;
    const f = floatBuf.out[last]!;
    const q = quantBuf.out[last]!;
    // Both compared on the integer model's activation range (the float model is clipped to it).
    let fMax = 0;
    let qBest = -1;
    let qMax = 0;
    for (let j = 0; j < f.length; j++) {
      const fj = Math.min(actMax, f[j]!);
      compared++;
      if (fj === q[j]) agree++;
      if (fj > fMax) fMax = fj;
      if (q[j]! > qMax) { qMax = q[j]!; qBest = j; }
    }
    if (fMax > 0) {
      active++;
      if (qBest >= 0 && Math.min(actMax, f[qBest]!) === fMax) topAgree++;
    }
  }

  const units = model.layers.reduce((s, l) => s + l.units, 0);
  const total = (sums: number[]): number => sums.reduce((a, b) => a + b, 0) / units / seconds;
  const floatRateHz = total(floatSum);
  const quantizedRateHz = total(quantSum);
  return {
    testWindows: opts.windows,
    floatRateHz, quantizedRateHz, spikingRateHz: total(spikingSum),
    rateChange: floatRateHz > 0 ? quantizedRateHz / floatRateHz - 1 : 0,
    outputAgreement: compared > 0 ? agree / compared : 1,
    top1Agreement: active > 0 ? topAgree / active : 1,
    perLayer: model.layers.map((layer, l) => ({
      depth: layer.depth,
      floatRateHz: floatSum[l]! / layer.units / seconds,
      quantizedRateHz: quantSum[l]! / layer.units / seconds,
      spikingRateHz: spikingSum[l]! / layer.units / seconds,
    })),
  };
}
