// Chooses the backend and mode to run a spec: the configured preferences in order, then cpu; every fallback is logged with its reason.
//
// Like Brian2 falling back from a code-generation target, each rejected choice produces one event
// saying which backend/mode was skipped and why (mode not available here per probe(), or the spec's
// violations with their codes); the caller's logger turns events into log lines.
import { HasnError } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { BACKENDS, safeProbe } from './registry.ts';
import type { Backend, BackendMode, BackendStatus } from './types.ts';

export interface BackendChoice {
  backend: string;
  mode: BackendMode;
}

export interface FallbackEvent {
  msg: string;
  backend: string;
  mode: BackendMode;
  reason: string;
}

export interface Selection {
  backend: Backend;
  mode: BackendMode;
  status: BackendStatus;
  /** The choices skipped before this one, with their reasons (empty when the first preference was used). */
  fallbacks: FallbackEvent[];
}

/** The choice every spec the cpu engine accepts can fall back to. */
export const CPU_FALLBACK: BackendChoice = { backend: 'cpu', mode: 'hardware' };

export async function selectBackend(
  spec: NetworkSpec,
  preferences: readonly BackendChoice[],
  options: { backends?: readonly Backend[]; log?: (event: FallbackEvent) => void } = {},
): Promise<Selection> {
  const backends = options.backends ?? BACKENDS;
  const choices = preferences.some((p) => p.backend === CPU_FALLBACK.backend && p.mode === CPU_FALLBACK.mode)
    ? preferences
    : [...preferences, CPU_FALLBACK];
  const probes = new Map<string, BackendStatus>();
  const fallbacks: FallbackEvent[] = [];
  for (const choice of choices) {
    const reason = await rejection(spec, choice, backends, probes);
    if (reason === null) {
      const backend = backends.find((b) => b.id === choice.backend)!;
      return { backend, mode: choice.mode, status: probes.get(choice.backend)!, fallbacks };
    }
    const event: FallbackEvent = {
      msg: `backend ${choice.backend}/${choice.mode} not used: ${reason}`,
      backend: choice.backend, mode: choice.mode, reason,
    };
    fallbacks.push(event);
    options.log?.(event);
  }
  throw new HasnError('E_BACKEND_UNAVAILABLE', `no backend can run spec "${spec.name}"`, {
    issues: fallbacks.map((f) => ({ code: 'E_BACKEND_UNAVAILABLE', path: `${f.backend}/${f.mode}`, message: f.reason })),
  });
}

/** Why a choice cannot be used, or null when it can. */
async function rejection(spec: NetworkSpec, choice: BackendChoice, backends: readonly Backend[], probes: Map<string, BackendStatus>): Promise<string | null> {
  const backend = backends.find((b) => b.id === choice.backend);
  if (backend === undefined) return `no backend "${choice.backend}" is registered`;
  let status = probes.get(backend.id);
  if (status === undefined) {
    status = await safeProbe(backend);
    probes.set(backend.id, status);
  }
  if (!status.modes.includes(choice.mode)) {
    const why = status.reasons.filter((r) => r.startsWith(`${choice.mode}:`));
    return `mode "${choice.mode}" is not available here (${(why.length > 0 ? why : status.reasons).join('; ') || 'no reason given'})`;
  }
  let violations;
  try {
    violations = backend.check(spec);
  } catch (err) {
    return `check failed: ${(err as Error).message}`;
  }
  if (violations.length > 0) {
    return `the spec does not fit (${violations.map((v) => `${v.code} at ${v.path}`).join(', ')})`;
  }
  return null;
}
