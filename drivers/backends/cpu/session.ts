// A running cpu session: the core engine (in this thread or N worker threads) stepping a compiled network, with core snapshots.
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { createEngine, type Engine } from '../../../core/engine/create-engine.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from '../session-checks.ts';
import { SpikeList } from '../spike-list.ts';
import type { BackendSession, StepInputs, StepOutputs } from '../types.ts';

export class CpuSession implements BackendSession {
  readonly backend = 'cpu' as const;
  private readonly sources: Uint8Array;
  private closed = false;

  private constructor(private readonly net: CompiledNetwork, private readonly engine: Engine) {
    this.sources = spikeSourceMask(net.spec);
  }

  /**
   * `workers` 0 runs the engine in this thread; N ≥ 1 starts one worker thread per partition of the network
   * (compiled with N partitions, fewer when it has fewer than N neurons).
   */
  static async open(net: CompiledNetwork, workers: number, snapshot?: Uint8Array): Promise<CpuSession> {
    const startStep = snapshot === undefined ? 0 : restoreSnapshot(net, snapshot).step;
    const threads = workers === 0 ? 0 : net.partitions.length;
    return new CpuSession(net, await createEngine(net, { workers: threads, startStep, mode: 'batch' }));
  }

  async step(n: number, inputs: StepInputs = {}): Promise<StepOutputs> {
    checkOpen(this.closed);
    checkStepCount(n);
    if (inputs.spikes !== undefined) checkInjected(inputs.spikes, this.sources);
    if (inputs.reward !== undefined && inputs.reward !== 0) this.engine.addReward(inputs.reward);
    if (inputs.spikes !== undefined) this.engine.inject(inputs.spikes);
    const list = new SpikeList();
    await this.engine.run(n, (step, spikes, count) => list.add(step, spikes, count));
    return list.toOutputs(this.engine.step);
  }

  async snapshot(): Promise<Uint8Array> {
    checkOpen(this.closed);
    return encodeSnapshot(this.net, this.engine.step);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.close();
  }
}
