// The Akida backend: layered non-leaky integrate-and-fire networks as quantized FullyConnected layers (AKD1000, Akida 1.0).
//
// Honest claim: `emulate` runs our integer model of Akida's documented layer arithmetic (integer weights and
// thresholds, the step activation), one inference per frame of `windowSteps` steps; it is not an Akida chip and
// has not been compared with BrainChip's simulator here. `export` writes a script that rebuilds the model with
// the akida package (never a hand-written .fbz); that script was not run against the real package. No hardware
// mode: with an AKD1000 and the akida package, run the exported script.
import { existsSync, readdirSync } from 'node:fs';
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { probePython } from '../python-probe.ts';
import type { Artifact, Backend, BackendSession, BackendStatus, CompileOptions, OpenOptions, Violation } from '../types.ts';
import { checkAkida, DEFAULT_UNITS_PER_NP, estimateNps } from './check.ts';
import { evaluateMapping } from './evaluate.ts';
import { exportAkida, layerName } from './export.ts';
import { layerPopulations } from './layers.ts';
import { buildAkidaModel, type ActivationBits, type AkidaModel, type WeightBits } from './model.ts';
import { AkidaSession } from './session.ts';

export interface AkidaPayload {
  net: CompiledNetwork;
  model: AkidaModel;
}

export interface AkidaBackendOptions {
  /** Python interpreter asked about the akida package (default: $HASN_PYTHON, else /usr/bin/python3). */
  python?: string;
  /** Where Akida PCIe devices appear (default /dev). */
  deviceDir?: string;
}

function defaultPython(): string {
  return process.env.HASN_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function choice<T extends number>(opts: CompileOptions, name: string, allowed: readonly T[], fallback: T): T {
  const value = opts[name] ?? fallback;
  if (!allowed.includes(value as T)) throw new HasnError('E_BACKEND_OPTION', `option ${name} must be one of ${allowed.join(', ')}, got ${String(value)}`, { path: name });
  return value as T;
}

function integer(opts: CompileOptions, name: string, min: number, max: number, fallback: number): number {
  const value = opts[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HasnError('E_BACKEND_OPTION', `option ${name} must be an integer in [${min}, ${max}], got ${String(value)}`, { path: name });
  }
  return value;
}

function positive(opts: CompileOptions, name: string, fallback: number): number {
  const value = opts[name] ?? fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new HasnError('E_BACKEND_OPTION', `option ${name} must be a positive number, got ${String(value)}`, { path: name });
  return value;
}

const percent = (x: number): string => `${(100 * x).toFixed(1)} %`;

export function createAkidaBackend(options: AkidaBackendOptions = {}): Backend {
  const python = options.python ?? defaultPython();
  const deviceDir = options.deviceDir ?? '/dev';
  return {
    id: 'akida',

    async probe(): Promise<BackendStatus> {
      const probe = await probePython(['akida'], python);
      let devices: string[] = [];
      try {
        devices = readdirSync(deviceDir).filter((name) => name.startsWith('akida'));
      } catch {
        devices = [];
      }
      const sdk = probe.modules.akida;
      const versions: Record<string, string> = {};
      if (sdk !== null && sdk !== undefined) versions.akida = sdk;
      const sdkText = sdk === null || sdk === undefined ? `python module akida not importable with ${python} (${probe.errors.akida ?? 'not reported'})` : `akida ${sdk} importable`;
      const deviceText = devices.length === 0 ? `no ${deviceDir}/akida* device` : `${devices.map((d) => `${deviceDir}/${d}`).join(', ')} present`;
      const reasons = [`hardware: ${sdkText}; ${deviceText}; this adapter runs hardware only through the exported script`];
      if (sdk === null || sdk === undefined) reasons.push('export: the script is written and syntax-checked here, but cannot be run without the akida package');
      return { id: 'akida', modes: ['emulate', 'export'], versions, reasons };
    },

    check(spec: NetworkSpec): Violation[] {
      return checkAkida(spec);
    },

    async compile(spec: NetworkSpec, opts: CompileOptions): Promise<Artifact> {
      if (opts.mode === 'hardware') {
        throw new HasnError('E_BACKEND_UNAVAILABLE', 'akida: hardware mode is not driven by this adapter; compile with mode "export" and run the script where akida and an AKD1000 are present', { path: 'mode' });
      }
      const unitsPerNp = integer(opts, 'unitsPerNp', 1, 1 << 20, DEFAULT_UNITS_PER_NP);
      const violations = checkAkida(spec, { unitsPerNp });
      if (violations.length > 0) {
        throw new HasnError('E_BACKEND_UNSUPPORTED', `akida cannot run this network: ${[...new Set(violations.map((v) => v.code))].join(', ')}`, { issues: violations });
      }
      const weightBits = choice<WeightBits>(opts, 'weightBits', [1, 2, 4, 8], 4);
      const actBits = choice<ActivationBits>(opts, 'actBits', [1, 2, 4], 1);
      const inputBits = choice<ActivationBits>(opts, 'inputBits', [1, 2, 4], 1);
      const windowSteps = integer(opts, 'windowSteps', 1, 65535, 1);
      const testWindows = integer(opts, 'testWindows', 1, 1_000_000, 200);
      const testInputRateHz = positive(opts, 'testInputRateHz', 50);
      if (opts.mode === 'emulate' && 2 ** actBits - 1 > windowSteps) {
        throw new HasnError('E_BACKEND_OPTION', `actBits = ${actBits} gives activations up to ${2 ** actBits - 1}, which the emulation emits as that many spikes per frame: use windowSteps ≥ ${2 ** actBits - 1}`, { path: 'windowSteps' });
      }
      const net = compileNetwork(spec);
      const layering = layerPopulations(spec);
      const model = buildAkidaModel(net, layering, { windowSteps, weightBits, actBits, inputBits });
      const evaluation = evaluateMapping(net, model, { windows: testWindows, inputRateHz: testInputRateHz });
      const nps = model.layers.reduce((sum, l) => sum + estimateNps(l.units, unitsPerNp), 0);
      const nonZero = model.layers.reduce((s, l) => s + l.nonZeroWeights, 0);
      const zeroed = model.layers.reduce((s, l) => s + l.zeroedWeights, 0);
      const notes = [
        `one Akida inference per frame of ${windowSteps} step(s); ${weightBits}-bit weights, ${actBits}-bit activations, ${inputBits}-bit inputs`,
        `InputData: ${model.inputSize} inputs from ${model.inputPopulations.map((p) => spec.populations[p]!.id).join(', ')}`,
        ...model.layers.map((l, k) => {
          const e = evaluation.perLayer[k]!;
          return `${layerName(l.depth)}: ${l.populations.map((p) => `${spec.populations[p]!.id} (${spec.populations[p]!.size})`).join(' + ')} ← ${l.inputSize} inputs; ` +
            `${l.scale.toPrecision(4)} mV per weight unit, ~${estimateNps(l.units, unitsPerNp)} NP(s); ` +
            `rate float ${e.floatRateHz.toFixed(2)} Hz → quantized ${e.quantizedRateHz.toFixed(2)} Hz (spiking engine ${e.spikingRateHz.toFixed(2)} Hz)`;
        }),
        `quantization on ${testWindows} test frames: rate change ${percent(evaluation.rateChange)}, output agreement ${percent(evaluation.outputAgreement)}, top-1 agreement ${percent(evaluation.top1Agreement)}`,
        `NPs are an estimate (${unitsPerNp} units per NP); Model.map(AKD1000()) in the exported script gives the real mapping`,
        'emulate: our integer model of Akida 1.0 layer arithmetic, not a chip; not compared with BrainChip\'s simulator here',
      ];
      const report = {
        neurons: net.neuronCount, synapses: net.synapseCount,
        units: { layers: model.layers.length, inputs: model.inputSize, nps },
        quantization: {
          weightBits, actBits, inputBits, windowSteps, testWindows,
          maxRelativeWeightError: model.layers.reduce((m, l) => Math.max(m, l.maxRelativeWeightError), 0),
          zeroedWeightFraction: nonZero > 0 ? zeroed / nonZero : 0,
          floatRateHz: evaluation.floatRateHz, quantizedRateHz: evaluation.quantizedRateHz, spikingRateHz: evaluation.spikingRateHz,
          rateChange: evaluation.rateChange, outputAgreement: evaluation.outputAgreement, top1Agreement: evaluation.top1Agreement,
        },
        notes,
      };
      let files: string[] = [];
      if (opts.mode === 'export') {
        if (typeof opts.outDir !== 'string' || opts.outDir === '') throw new HasnError('E_BACKEND_OPTION', 'export needs outDir', { path: 'outDir' });
        files = await exportAkida(net, model, opts.outDir, { testFrames: Math.min(testWindows, 256), inputRateHz: testInputRateHz });
        notes.push(`export: ${files.length} file(s); python3 akida_model.py rebuilds, maps and saves the model with the akida package (not run here)`);
      }
      const payload: AkidaPayload = { net, model };
      return { backend: 'akida', mode: opts.mode, spec, report, files, payload };
    },

    async open(artifact: Artifact, opts: OpenOptions = {}): Promise<BackendSession> {
      if (artifact.backend !== 'akida' || artifact.mode !== 'emulate') {
        throw new HasnError('E_BACKEND_MODE', `akida opens artifacts compiled with mode "emulate" (got ${artifact.backend}/${artifact.mode})`, { path: 'mode' });
      }
      const { net, model } = artifact.payload as AkidaPayload;
      return new AkidaSession(net, model, opts.snapshot);
    },
  };
}

export const akidaBackend: Backend = createAkidaBackend();
