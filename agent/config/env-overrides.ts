// HASN_… environment variables as a config layer: `HASN_HTTP__PORT=8081` sets http.port, `HASN_DATA_DIR=/x` sets data_dir.
//
// `__` separates levels (single `_` belongs to key names like data_dir). Values are read as YAML scalars, so
// numbers and booleans come through typed and a whole list can be given as JSON (`HASN_SENSORS='[…]'`).
// Only variables whose first level is a config key are read: HASN_TEST_SERIAL and friends belong to others.
import { parseYamlValue } from './yaml.ts';

export const ENV_PREFIX = 'HASN_';

export interface EnvLayer {
  /** The partial config the variables describe. */
  values: Record<string, unknown>;
  /** Config path → the variable that set it, to name the variable in error messages. */
  origins: Map<string, string>;
}

export function envOverrides(env: Readonly<Record<string, string | undefined>>, topLevelKeys: readonly string[]): EnvLayer {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const known = new Set(topLevelKeys);
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    if (!known.has(keys[0]!) || keys.some((key) => key === '')) continue;
    let node = values;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      node = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[key] = {});
    }
    node[keys.at(-1)!] = parseYamlValue(raw);
    origins.set(keys.join('.'), name);
  }
  return { values, origins };
}
