// The agent's typed event bus: how parts (runtime, actuators, snapshots, HTTP stream, MQTT later) tell each other what happened.
import type { DecodedOutput } from '../core/codec/decoders.ts';

export interface AgentEvents {
  /** A decoder's value changed (read every engine.output_interval_ms). */
  output: { id: string; sink: string; value: number | null; decoded: DecodedOutput; step: number };
  /** An actuator took a new value (after active_when). */
  actuator: { id: string; sink: string; value: number | null };
  /** Reward was added, by a rule, the API or a fleet command (`via`); `source` names the rule or the actor. */
  reward: { amount: number; source: string; via: 'rule' | 'api' | 'fleet'; projections: string[]; step: number };
  /** A snapshot was stored. */
  snapshot: { id: number; reason: string; step: number; sha256: string };
  /** The agent's overall state changed. */
  state: { state: AgentState; reason?: string };
}

export type AgentState = 'starting' | 'running' | 'degraded' | 'idle' | 'stopping' | 'stopped';

type Listener<T> = (payload: T) => void;

export class EventBus {
  private readonly listeners = new Map<keyof AgentEvents, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = () => undefined) {}

  on<K extends keyof AgentEvents>(event: K, listener: Listener<AgentEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  /** Calls every listener; one that throws is reported and does not stop the others (or the emitter). */
  emit<K extends keyof AgentEvents>(event: K, payload: AgentEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<AgentEvents[K]>)(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
