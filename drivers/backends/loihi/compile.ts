// Quantizes and maps a spec for Loihi and gathers every violation: the shared core of check() and compile().
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import type { CompileOptions, ResourceReport, Violation } from '../types.ts';
import { checkLoihiSpec } from './check.ts';
import { LOIHI1, LOIHI2, mapToCores, type ChipProfile, type CoreMapping } from './map.ts';
import { quantizeSpec, type Quantized } from './quantize.ts';

export interface LoihiPlan {
  quantized: Quantized;
  mapping: CoreMapping;
  violations: Violation[];
}

function chipProfile(chip: unknown): ChipProfile {
  if (chip === undefined || chip === 'loihi1') return LOIHI1;
  if (chip === 'loihi2') return LOIHI2;
  throw new HasnError('E_BACKEND_OPTION', `chip must be "loihi1" or "loihi2", got ${String(chip)}`, { path: 'chip' });
}

/** Static checks, then (only if they pass) quantization and core mapping with their own violations. */
export function planLoihi(spec: NetworkSpec, opts: Partial<CompileOptions> = {}): { plan: LoihiPlan | null; violations: Violation[] } {
  const violations = checkLoihiSpec(spec);
  if (violations.length > 0) return { plan: null, violations };
  const quantized = quantizeSpec(spec, {
    vth: opts.vth as number | undefined,
    numWeightBits: opts.numWeightBits as number | undefined,
  });
  const mapping = mapToCores(quantized.network, chipProfile(opts.chip));
  const all = [...quantized.issues, ...mapping.issues];
  const maxChips = opts.maxChips;
  if (typeof maxChips === 'number' && mapping.chips > maxChips) {
    all.push({ code: 'E_LOIHI_TOO_MANY_CHIPS', path: '(root)', message: `the network needs ${mapping.chips} ${mapping.profile} chips (${mapping.cores} cores); at most ${maxChips} allowed` });
  }
  return { plan: { quantized, mapping, violations: all }, violations: all };
}

export function loihiReport(plan: LoihiPlan, spec: NetworkSpec): ResourceReport {
  const { quantized: q, mapping: m } = plan;
  const e = q.errors;
  const synapses = q.network.dense.reduce((n, d) => n + d.column.length, 0);
  return {
    neurons: q.network.neuronCount,
    synapses,
    units: { cores: m.cores, chips: m.chips },
    quantization: {
      'weights.maxRelError': e.weights.max, 'weights.meanRelError': e.weights.mean,
      'thresholds.maxRelError': e.thresholds.max, 'thresholds.meanRelError': e.thresholds.mean,
      'decays.maxRelError': e.decays.max, 'decays.meanRelError': e.decays.mean,
      'biases.maxRelError': e.biases.max, 'biases.meanRelError': e.biases.mean,
    },
    notes: [
      `arithmetic bit-exact with Lava's fixed-point CPU model (PyLifModelBitAcc + PyDenseModelBitAcc); not run on Loihi silicon`,
      `${m.profile}: ${m.cores} core(s) on ${m.chips} chip(s); busiest core: ${m.peak.neurons} neurons, ${m.peak.inputAxons} input axons, ${m.peak.outputAxons} output axons, ~${m.peak.synapseBits} synapse bits (estimate)`,
      `spec "${spec.name}": dt = ${spec.dt_ms} ms per Loihi time step`,
      ...q.notes,
    ],
  };
}
