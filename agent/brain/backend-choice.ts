// Which backend runs the brain: the configured one when this build can run it, else cpu with the reason logged.
//
// The agent steps its brain closed-loop on the CPU engine (engine-factory.ts). The neuromorphic targets need
// adapters in drivers/backends that can run closed-loop; until one exists for a target, asking for it falls back
// to cpu, as Brian2 falls back to another code-generation target, and status/metrics say why.
import type { AgentConfig } from '../config/schema.ts';

export interface BackendChoice {
  requested: AgentConfig['backend'];
  active: 'cpu';
  fallbackReason: string | null;
}

export function chooseBackend(requested: AgentConfig['backend']): BackendChoice {
  if (requested === 'cpu') return { requested, active: 'cpu', fallbackReason: null };
  return {
    requested,
    active: 'cpu',
    fallbackReason: `the ${requested} backend has no closed-loop adapter in this build; running on cpu`,
  };
}
