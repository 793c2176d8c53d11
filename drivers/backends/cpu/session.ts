// A running cpu session: our engine stepping a compiled network, with snapshots in the core format.
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { ReferenceEngine } from '../../../core/engine/engine.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from '../session-checks.ts';
import { SpikeList } from '../spike-list.ts';
import type { BackendSession, StepInputs, StepOutputs } from '../types.ts';

export class CpuSession implements BackendSession {
  readonly backend = 'cpu' as const;
  private readonly engine: ReferenceEngine;
  private readonly sources: Uint8Array;
  private closed = false;

  constructor(private readonly net: CompiledNetwork, snapshot?: Uint8Array) {
    const start = snapshot === undefined ? 0 : restoreSnapshot(net, snapshot).step;
    // The parallel engine (core/engine createEngine) replaces this line when it lands; spikes are identical by design.
    this.engine = new ReferenceEngine(net, start);
    this.sources = spikeSourceMask(net.spec);
  }

  async step(n: number, inputs: StepInputs = {}): Promise<StepOutputs> {
    checkOpen(this.closed);
    checkStepCount(n);
    if (inputs.spikes !== undefined) checkInjected(inputs.spikes, this.sources);
    if (inputs.reward !== undefined && inputs.reward !== 0) this.engine.addReward(inputs.reward);
    if (inputs.spikes !== undefined) this.engine.inject(inputs.spikes);
    const list = new SpikeList();
    this.engine.run(n, (step, spikes, count) => list.add(step, spikes, count));
    return list.toOutputs(this.engine.step);
  }

  async snapshot(): Promise<Uint8Array> {
    checkOpen(this.closed);
    return encodeSnapshot(this.net, this.engine.step);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
