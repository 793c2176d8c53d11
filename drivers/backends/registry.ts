// Every backend the agent and the CLI can use, looked up by id; probing all of them never throws.
import { HasnError } from '../../core/errors.ts';
import { akidaBackend } from './akida/index.ts';
import { cpuBackend } from './cpu/index.ts';
import { loihiBackend } from './loihi/index.ts';
import { spinnakerBackend } from './spinnaker/index.ts';
import type { Backend, BackendStatus } from './types.ts';

export const BACKENDS: readonly Backend[] = [cpuBackend, loihiBackend, spinnakerBackend, akidaBackend];

export function getBackend(id: string, backends: readonly Backend[] = BACKENDS): Backend {
  const found = backends.find((b) => b.id === id);
  if (found === undefined) {
    throw new HasnError('E_BACKEND_UNKNOWN', `no backend "${id}"; known: ${backends.map((b) => b.id).join(', ')}`, { path: 'backend' });
  }
  return found;
}

/** What each backend found on this machine. A probe that fails is reported as a status with no modes. */
export async function probeAll(backends: readonly Backend[] = BACKENDS): Promise<BackendStatus[]> {
  return Promise.all(backends.map((b) => safeProbe(b)));
}

export async function safeProbe(backend: Backend): Promise<BackendStatus> {
  try {
    return await backend.probe();
  } catch (err) {
    return { id: backend.id, modes: [], versions: {}, reasons: [`probe failed: ${(err as Error).message}`] };
  }
}
