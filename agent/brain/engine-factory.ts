// Which engine runs the agent's brain: the one place that picks it, so moving to the parallel engine is a one-line switch.
//
// Today: core/engine's single-thread ReferenceEngine. When core/engine exports the parallel
// `createEngine(net, { workers, mode: 'closed-loop' })`, construct it in `createBrainEngine` instead; the rest of the
// agent only sees `BrainEngine`.
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

/** What the agent's step loop needs from an engine, stepped one step at a time from the main thread. */
export interface BrainEngine {
  /** A short name for status and logs, e.g. `reference` or `parallel(4)`. */
  readonly kind: string;
  /** The next step to run. */
  readonly step: number;
  /** Spikes of the last step: `spikes[0 … spikeCount)`, ascending global neuron indices. */
  readonly spikes: Uint32Array;
  readonly spikeCount: number;
  /** Marks spike_source neurons `offset + local[k]` (k < count) to fire in the coming step. Never allocates. */
  markSpikes(offset: number, local: Uint32Array, count: number): void;
  addReward(amount: number, projectionId?: string): void;
  /** Runs one step. */
  advance(): void;
  close(): Promise<void>;
}

export interface BrainEngineOptions {
  /** Worker threads requested (config engine.workers); the reference engine runs on one. */
  workers: number;
  /** The step to continue from (after a snapshot restore). */
  startStep: number;
}

class ReferenceBrainEngine implements BrainEngine {
  readonly kind = 'reference';
  private readonly engine: ReferenceEngine;
  private readonly inject: Uint8Array;

  constructor(net: CompiledNetwork, startStep: number) {
    this.engine = new ReferenceEngine(net, startStep);
    this.inject = net.state.inject;
  }

  get step(): number {
    return this.engine.step;
  }

  get spikes(): Uint32Array {
    return this.engine.spikes;
  }

  get spikeCount(): number {
    return this.engine.spikeCount;
  }

  markSpikes(offset: number, local: Uint32Array, count: number): void {
    const inject = this.inject;
    for (let k = 0; k < count; k++) inject[offset + local[k]!] = 1;
  }

  addReward(amount: number, projectionId?: string): void {
    this.engine.addReward(amount, projectionId);
  }

  advance(): void {
    this.engine.advance();
  }

  async close(): Promise<void> {}
}

/** The engine for a compiled brain (compile with `partitions = options.workers` for the parallel engine). */
export function createBrainEngine(net: CompiledNetwork, options: BrainEngineOptions): BrainEngine {
  return new ReferenceBrainEngine(net, options.startStep);
}

/** Compiles a spec into the layout `createBrainEngine` expects (one partition per worker for the parallel engine). */
export function compileBrain(spec: NetworkSpec, _workers: number): CompiledNetwork {
  return compileNetwork(spec, { partitions: 1 });
}
