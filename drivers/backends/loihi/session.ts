// A loihi emulation session: the bit-accurate emulator behind the BackendSession interface.
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from '../session-checks.ts';
import { SpikeList } from '../spike-list.ts';
import type { BackendSession, StepInputs, StepOutputs } from '../types.ts';
import { LoihiEmulator } from './emulate.ts';
import type { LoihiNetwork } from './network.ts';
import { encodeLoihiSnapshot, restoreLoihiSnapshot } from './snapshot.ts';

export class LoihiSession implements BackendSession {
  readonly backend = 'loihi' as const;
  private readonly emulator: LoihiEmulator;
  private readonly sources: Uint8Array;
  private closed = false;

  constructor(private readonly spec: NetworkSpec, network: LoihiNetwork, snapshot?: Uint8Array) {
    this.emulator = new LoihiEmulator(network);
    if (snapshot !== undefined) restoreLoihiSnapshot(spec, this.emulator, snapshot);
    this.sources = spikeSourceMask(spec);
  }

  async step(n: number, inputs: StepInputs = {}): Promise<StepOutputs> {
    checkOpen(this.closed);
    checkStepCount(n);
    // Reward has no effect: plastic projections are rejected by check().
    if (inputs.spikes !== undefined) {
      checkInjected(inputs.spikes, this.sources);
      this.emulator.injectSpikes(inputs.spikes);
    }
    const list = new SpikeList();
    this.emulator.run(n, (step, spikes, count) => list.add(step, spikes, count));
    return list.toOutputs(this.emulator.step);
  }

  async snapshot(): Promise<Uint8Array> {
    checkOpen(this.closed);
    return encodeLoihiSnapshot(this.spec, this.emulator);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
