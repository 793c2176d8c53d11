// Validation of a network spec: schema issues and cross-reference checks, every problem with a path and a stable code.
import type { z } from 'zod';
import { decoderIssues, encoderIssues } from '../codec/codec-checks.ts';
import { HasnError, formatPath, type Issue } from '../errors.ts';
import { NetworkSpec, type Value } from './schema.ts';

export type SpecValidation =
  | { ok: true; spec: NetworkSpec; issues: [] }
  | { ok: false; spec?: undefined; issues: Issue[] };

const ZOD_CODES: Record<string, string> = {
  invalid_type: 'E_SPEC_TYPE',
  too_small: 'E_SPEC_RANGE',
  too_big: 'E_SPEC_RANGE',
  not_multiple_of: 'E_SPEC_RANGE',
  unrecognized_keys: 'E_SPEC_UNKNOWN_KEY',
  invalid_union: 'E_SPEC_VARIANT',
  invalid_value: 'E_SPEC_VALUE',
  invalid_format: 'E_SPEC_FORMAT',
  invalid_key: 'E_SPEC_KEY',
  invalid_element: 'E_SPEC_VALUE',
  custom: 'E_SPEC_INVALID',
};

function fromZod(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return {
      code: missing ? 'E_SPEC_REQUIRED' : (ZOD_CODES[issue.code] ?? 'E_SPEC_INVALID'),
      path: formatPath(issue.path),
      message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
    };
  });
}

function valueBounds(value: Value): { low: number; high: number } {
  if (typeof value === 'number') return { low: value, high: value };
  switch (value.dist) {
    case 'constant': return { low: value.value, high: value.value };
    case 'uniform': return { low: value.low, high: value.high };
    case 'normal_clipped': return { low: value.low, high: value.high };
    case 'normal': return { low: -Infinity, high: Infinity };
    case 'exponential': return { low: 0, high: Infinity };
  }
}

/** Checks that need the whole spec: unique ids, references, sizes, index ranges, delays, signs. */
function crossReferenceIssues(spec: NetworkSpec): Issue[] {
  const issues: Issue[] = [];
  const sizes = new Map<string, number>();
  const models = new Map<string, string>();
  spec.populations.forEach((pop, i) => {
    if (sizes.has(pop.id)) issues.push({ code: 'E_SPEC_DUPLICATE_ID', path: `populations[${i}].id`, message: `population id "${pop.id}" is used twice` });
    sizes.set(pop.id, pop.size);
    models.set(pop.id, pop.model.type);
    if (pop.module !== undefined && !(pop.module in spec.modules) && Object.keys(spec.modules).length > 0) {
      issues.push({ code: 'E_SPEC_UNKNOWN_MODULE', path: `populations[${i}].module`, message: `module "${pop.module}" is not declared in "modules"` });
    }
    const m = pop.model;
    if ((m.type === 'lif' || m.type === 'lif_cond') && m.v_reset_mV >= m.v_thresh_mV) {
      issues.push({ code: 'E_SPEC_RESET_ABOVE_THRESHOLD', path: `populations[${i}].model.v_reset_mV`, message: `v_reset_mV (${m.v_reset_mV}) must be below v_thresh_mV (${m.v_thresh_mV})` });
    }
    const allowed = initialVariables(m.type);
    for (const key of Object.keys(pop.initial)) {
      if (!allowed.includes(key)) {
        issues.push({ code: 'E_SPEC_UNKNOWN_STATE', path: `populations[${i}].initial.${key}`, message: `"${key}" is not a state variable of ${m.type} (${allowed.join(', ') || 'none'})` });
      }
    }
  });
  const projectionIds = new Set<string>();
  spec.projections.forEach((proj, i) => {
    const at = `projections[${i}]`;
    if (projectionIds.has(proj.id)) issues.push({ code: 'E_SPEC_DUPLICATE_ID', path: `${at}.id`, message: `projection id "${proj.id}" is used twice` });
    projectionIds.add(proj.id);
    const nSource = sizes.get(proj.source);
    const nTarget = sizes.get(proj.target);
    if (nSource === undefined) issues.push({ code: 'E_SPEC_UNKNOWN_POPULATION', path: `${at}.source`, message: `no population "${proj.source}"` });
    if (nTarget === undefined) issues.push({ code: 'E_SPEC_UNKNOWN_POPULATION', path: `${at}.target`, message: `no population "${proj.target}"` });
    const targetModel = models.get(proj.target);
    if (targetModel === 'poisson' || targetModel === 'spike_source') {
      issues.push({ code: 'E_SPEC_TARGET_NOT_NEURON', path: `${at}.target`, message: `population "${proj.target}" is a ${targetModel} and cannot receive synapses` });
    }
    // Unbounded distributions (normal, exponential) may draw below 0: the compiler clips those draws to 0.
    const weightLow = valueBounds(proj.weight).low;
    if (weightLow < 0 && Number.isFinite(weightLow)) {
      issues.push({ code: 'E_SPEC_NEGATIVE_WEIGHT', path: `${at}.weight`, message: 'weights are non-negative magnitudes; use receptor "inh" for inhibition' });
    }
    if (proj.delay_ms !== undefined && valueBounds(proj.delay_ms).low < spec.dt_ms / 2 && typeof proj.delay_ms === 'number') {
      issues.push({ code: 'E_SPEC_DELAY_TOO_SHORT', path: `${at}.delay_ms`, message: `delay ${proj.delay_ms} ms is shorter than one time step (${spec.dt_ms} ms)` });
    }
    const c = proj.connector;
    if (nSource !== undefined && nTarget !== undefined) {
      if (c.type === 'one_to_one' && nSource !== nTarget) {
        issues.push({ code: 'E_SPEC_SIZE_MISMATCH', path: `${at}.connector`, message: `one_to_one needs equal sizes (${proj.source}: ${nSource}, ${proj.target}: ${nTarget})` });
      }
      if (c.type === 'fixed_indegree' && c.n > nSource) {
        issues.push({ code: 'E_SPEC_RANGE', path: `${at}.connector.n`, message: `in-degree ${c.n} exceeds the source size ${nSource}` });
      }
      if (c.type === 'explicit') {
        c.pairs.forEach((pair, k) => {
          if (pair[0] >= nSource) issues.push({ code: 'E_SPEC_INDEX_OUT_OF_RANGE', path: `${at}.connector.pairs[${k}][0]`, message: `source index ${pair[0]} ≥ size ${nSource}` });
          if (pair[1] >= nTarget) issues.push({ code: 'E_SPEC_INDEX_OUT_OF_RANGE', path: `${at}.connector.pairs[${k}][1]`, message: `target index ${pair[1]} ≥ size ${nTarget}` });
          if (pair[2] !== undefined && pair[2] < 0) issues.push({ code: 'E_SPEC_NEGATIVE_WEIGHT', path: `${at}.connector.pairs[${k}][2]`, message: 'weights are non-negative magnitudes' });
          if (pair[3] !== undefined && pair[3] < spec.dt_ms / 2) issues.push({ code: 'E_SPEC_DELAY_TOO_SHORT', path: `${at}.connector.pairs[${k}][3]`, message: `delay ${pair[3]} ms is shorter than one time step` });
        });
      }
    }
    if (proj.plasticity !== undefined && proj.plasticity.w_min > proj.plasticity.w_max) {
      issues.push({ code: 'E_SPEC_RANGE', path: `${at}.plasticity.w_min`, message: 'w_min must not exceed w_max' });
    }
  });
  const ioIds = new Set<string>();
  spec.inputs.forEach((input, i) => {
    if (ioIds.has(input.id)) issues.push({ code: 'E_SPEC_DUPLICATE_ID', path: `inputs[${i}].id`, message: `input/output id "${input.id}" is used twice` });
    ioIds.add(input.id);
    const model = models.get(input.population);
    if (model === undefined) issues.push({ code: 'E_SPEC_UNKNOWN_POPULATION', path: `inputs[${i}].population`, message: `no population "${input.population}"` });
    else if (model !== 'spike_source') issues.push({ code: 'E_SPEC_INPUT_NOT_SOURCE', path: `inputs[${i}].population`, message: `inputs drive spike_source populations; "${input.population}" is ${model}` });
    else issues.push(...encoderIssues(input.encoder, sizes.get(input.population)!, spec.dt_ms, `inputs[${i}].encoder`));
  });
  spec.outputs.forEach((output, i) => {
    if (ioIds.has(output.id)) issues.push({ code: 'E_SPEC_DUPLICATE_ID', path: `outputs[${i}].id`, message: `input/output id "${output.id}" is used twice` });
    ioIds.add(output.id);
    const size = sizes.get(output.population);
    if (size === undefined) issues.push({ code: 'E_SPEC_UNKNOWN_POPULATION', path: `outputs[${i}].population`, message: `no population "${output.population}"` });
    else issues.push(...decoderIssues(output.decoder, size, spec.dt_ms, `outputs[${i}].decoder`));
  });
  return issues;
}

/** The names of the state variables that `initial` may set for a model. */
export function initialVariables(model: string): string[] {
  switch (model) {
    case 'lif': return ['v_mV', 'ie_nA', 'ii_nA'];
    case 'lif_cond': return ['v_mV', 'ge_uS', 'gi_uS'];
    case 'izhikevich': return ['v_mV', 'u', 'ie', 'ii'];
    default: return [];
  }
}

/** Validates a parsed JSON value as a network spec and reports every problem found. */
export function validateSpec(input: unknown): SpecValidation {
  const parsed = NetworkSpec.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fromZod(parsed.error) };
  const issues = crossReferenceIssues(parsed.data);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, spec: parsed.data, issues: [] };
}

/** Parses a spec or throws `E_SPEC_INVALID` carrying every issue. */
export function parseSpec(input: unknown): NetworkSpec {
  const result = validateSpec(input);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw new HasnError('E_SPEC_INVALID', `network spec is invalid (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}; first: ${first.path}: ${first.message})`, { path: first.path, issues: result.issues });
  }
  return result.spec;
}

/** Parses JSON text as a spec; a JSON syntax error becomes `E_SPEC_JSON`. */
export function parseSpecJson(text: string): NetworkSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HasnError('E_SPEC_JSON', `not valid JSON: ${(err as Error).message}`, { path: '(root)' });
  }
  return parseSpec(value);
}
