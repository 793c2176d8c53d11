// Building the agent config from its layers — sim preset < YAML file < HASN_ env < command-line flags — and validating it whole.
//
// Every problem is reported with its path (and the variable or file that set it), never only the first.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { HasnError, formatPath, type Issue } from '../../core/errors.ts';
import { envOverrides } from './env-overrides.ts';
import { AgentConfig } from './schema.ts';
import { SENSORIMOTOR_SIMULATION, SENSORIMOTOR_SPEC, SIMULATION_PRESET } from './simulation.ts';
import { parseYamlDocument } from './yaml.ts';

/** Where a device's config lives (provisioning writes it; the systemd unit passes it with --config). */
export const DEFAULT_CONFIG_FILE = '/etc/hasn/agent.yaml';

export interface ConfigSources {
  /** A YAML file; absent: /etc/hasn/agent.yaml if it exists (not in simulation mode). */
  file?: string;
  /** Environment (HASN_… variables are read); default none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, as a nested partial config. */
  flags?: Record<string, unknown>;
  /** `--sim`: start from the simulation preset. */
  simulation?: boolean;
}

export type ConfigResult =
  | { ok: true; config: AgentConfig; file: string | null; issues: [] }
  | { ok: false; config?: undefined; file: string | null; issues: Issue[] };

const ZOD_CODES: Record<string, string> = {
  invalid_type: 'E_CONFIG_TYPE',
  too_small: 'E_CONFIG_RANGE',
  too_big: 'E_CONFIG_RANGE',
  not_multiple_of: 'E_CONFIG_RANGE',
  unrecognized_keys: 'E_CONFIG_UNKNOWN_KEY',
  invalid_union: 'E_CONFIG_VARIANT',
  invalid_value: 'E_CONFIG_VALUE',
  invalid_format: 'E_CONFIG_FORMAT',
};

/** Zod issues as config issues, naming the env variable or flag that set the value when it was not the file. */
export function configIssuesFromZod(error: z.ZodError, origins: ReadonlyMap<string, string> = new Map()): Issue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    const dotted = issue.path.map(String).join('.');
    const origin = [...origins.entries()].find(([key]) => dotted === key || dotted.startsWith(`${key}.`))?.[1];
    const message = issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message;
    return {
      code: missing ? 'E_CONFIG_REQUIRED' : (ZOD_CODES[issue.code] ?? 'E_CONFIG_INVALID'),
      path,
      message: origin === undefined ? message : `${message} (set by ${origin})`,
    };
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (lists included) is replaced by the later layer. */
export function mergeLayers(...layers: unknown[]): Record<string, unknown> {
  const merge = (base: unknown, over: unknown): unknown => {
    if (over === undefined) return base;
    if (!isPlainObject(base) || !isPlainObject(over)) return over;
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
    return out;
  };
  return layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer) as Record<string, unknown>, {});
}

function readConfigFile(file: string): { value: unknown; issues: Issue[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_CONFIG_FILE_MISSING' : 'E_CONFIG_FILE_UNREADABLE';
    return { value: undefined, issues: [{ code, path: file, message: (err as Error).message }] };
  }
  const parsed = parseYamlDocument(text, file);
  if (parsed.issues.length > 0) return parsed;
  if (parsed.value !== null && parsed.value !== undefined && !isPlainObject(parsed.value)) {
    return { value: undefined, issues: [{ code: 'E_CONFIG_TYPE', path: file, message: 'the config must be a YAML mapping (key: value lines)' }] };
  }
  return { value: parsed.value ?? {}, issues: [] };
}

/** Builds and validates the config from its layers; lists every problem. */
export function resolveConfig(sources: ConfigSources = {}): ConfigResult {
  const simulation = sources.simulation === true;
  const file = sources.file ?? (!simulation && existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : null);
  let fileValue: unknown = {};
  if (file !== null) {
    const read = readConfigFile(file);
    if (read.issues.length > 0) return { ok: false, file, issues: read.issues };
    fileValue = read.value;
  }
  const env = envOverrides(sources.env ?? {}, Object.keys(AgentConfig.shape));
  const flagOrigins = new Map<string, string>();
  const collectFlagOrigins = (value: unknown, prefix: string) => {
    if (!isPlainObject(value)) return void flagOrigins.set(prefix, 'a command-line flag');
    for (const [key, inner] of Object.entries(value)) collectFlagOrigins(inner, prefix === '' ? key : `${prefix}.${key}`);
  };
  if (sources.flags !== undefined) collectFlagOrigins(sources.flags, '');
  let merged = mergeLayers(simulation ? SIMULATION_PRESET : {}, fileValue, env.values, sources.flags ?? {});
  if (merged.simulation === true && (merged.brain as { spec?: unknown } | undefined)?.spec === undefined) {
    // No brain named: run the example, with its simulated sensors unless the layers configured their own.
    const example: Record<string, unknown> = { brain: { spec: SENSORIMOTOR_SPEC } };
    for (const key of ['sensors', 'actuators', 'reward'] as const) {
      if (merged[key] === undefined) example[key] = SENSORIMOTOR_SIMULATION[key];
    }
    merged = mergeLayers(example, merged);
  }
  const parsed = AgentConfig.safeParse(merged);
  if (!parsed.success) {
    const issues = configIssuesFromZod(parsed.error, new Map([...env.origins, ...flagOrigins]));
    if (file === null && issues.some((i) => i.path === 'device' || i.path === 'device.id')) {
      issues.push({ code: 'E_CONFIG_NO_FILE', path: '(root)', message: `no config file: pass --config FILE, create ${DEFAULT_CONFIG_FILE}, or run with --sim` });
    }
    return { ok: false, file, issues };
  }
  return { ok: true, config: parsed.data, file, issues: [] };
}

/** resolveConfig, throwing E_CONFIG_INVALID with every issue when the config is not valid. */
export function loadConfig(sources: ConfigSources = {}): { config: AgentConfig; file: string | null } {
  const result = resolveConfig(sources);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw new HasnError('E_CONFIG_INVALID', `agent config is invalid (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}; first: ${first.path}: ${first.message})`, { path: first.path, issues: result.issues });
  }
  return { config: result.config, file: result.file };
}
