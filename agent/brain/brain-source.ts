// Where the agent's brain comes from: the brain last deployed into the data dir, or the spec file the config names.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HasnError } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import type { AgentConfig } from '../config/schema.ts';

export interface BrainSource {
  spec: NetworkSpec;
  /** The file it was read from. */
  file: string;
}

/** The stored brain: where a fleet deploy leaves the spec it installed. */
export function storedBrainFile(dataDir: string): string {
  return join(dataDir, 'brain', 'spec.json');
}

/**
 * Reads and validates the brain's spec. Null when the config names none and nothing was deployed (the agent then
 * runs idle, waiting for a deploy). Throws E_BRAIN_FILE (unreadable) or E_SPEC_INVALID / E_SPEC_JSON with every issue.
 */
export function loadBrainSpec(config: AgentConfig): BrainSource | null {
  const file = config.brain.spec ?? storedBrainFile(config.data_dir);
  if (config.brain.spec === undefined && !existsSync(file)) return null;
  return readSpecFile(file);
}

/** The brain the fleet deployed into the data dir, if there is one (E_BRAIN_FILE / E_SPEC_* when it is unusable). */
export function loadDeployedBrain(dataDir: string): BrainSource | null {
  const file = storedBrainFile(dataDir);
  return existsSync(file) ? readSpecFile(file) : null;
}

function readSpecFile(file: string): BrainSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HasnError('E_BRAIN_FILE', `cannot read the brain spec ${file}: ${(err as Error).message}`, { path: 'brain.spec' });
  }
  return { spec: parseSpecJson(text), file };
}
