// A running cpu session: the core engine (in this thread or N worker threads) stepping a compiled network, with core snapshots.
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { createEngine, type Engine } from '../../../core/engine/create-engine.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { CheckedSession } from '../checked-session.ts';
import type { SpikeList } from '../spike-list.ts';
import type { StepInputs } from '../types.ts';

export class CpuSession extends CheckedSession {
  readonly backend = 'cpu' as const;

  private constructor(private readonly net: CompiledNetwork, private readonly engine: Engine) {
    super(net.spec);
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

  protected async run(n: number, inputs: StepInputs, into: SpikeList): Promise<number> {
    if (inputs.reward !== undefined && inputs.reward !== 0) this.engine.addReward(inputs.reward);
    if (inputs.spikes !== undefined) this.engine.inject(inputs.spikes);
    await this.engine.run(n, (step, spikes, count) => into.add(step, spikes, count));
    return this.engine.step;
  }

  protected encodeSnapshot(): Uint8Array {
    return encodeSnapshot(this.net, this.engine.step);
  }

  protected override async release(): Promise<void> {
    await this.engine.close();
  }
}
