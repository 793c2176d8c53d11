// Which engine runs the agent's brain: the one place that picks it (core/engine's createEngine, closed-loop mode).
//
// workers = 0 steps the brain in the agent's own thread (right for small brains: a step of the sensorimotor
// example takes microseconds, less than handing it to a thread). N ≥ 1 starts N worker threads that spin between
// steps so advance() returns in microseconds — worth it only for brains big enough to fill them, on spare cores.
import { compileNetwork } from '../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { createEngine, type Engine } from '../../core/engine/create-engine.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

/** What the agent's step loop uses of an engine, stepped one step at a time from the main thread. */
export type BrainEngine = Pick<Engine, 'kind' | 'step' | 'spikes' | 'spikeCount' | 'markSpikes' | 'addReward' | 'advance' | 'close'>;

export interface BrainEngineOptions {
  /** Worker threads (config engine.workers); 0 = the agent's thread. */
  workers: number;
  /** The step to continue from (after a snapshot restore). */
  startStep: number;
}

/** Compiles a spec into the layout the engine needs: one partition per worker thread. */
export function compileBrain(spec: NetworkSpec, workers: number): CompiledNetwork {
  return compileNetwork(spec, { partitions: Math.max(1, workers) });
}

/** The engine for a compiled brain, stepped closed-loop (inputs before each step, outputs after). */
export function createBrainEngine(net: CompiledNetwork, options: BrainEngineOptions): Promise<BrainEngine> {
  return createEngine(net, { workers: options.workers, mode: 'closed-loop', startStep: options.startStep });
}
