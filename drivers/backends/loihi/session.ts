// A loihi emulation session: the bit-accurate emulator behind the BackendSession interface.
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { CheckedSession } from '../checked-session.ts';
import type { SpikeList } from '../spike-list.ts';
import type { StepInputs } from '../types.ts';
import { LoihiEmulator } from './emulate.ts';
import type { LoihiNetwork } from './network.ts';
import { encodeLoihiSnapshot, restoreLoihiSnapshot } from './snapshot.ts';

export class LoihiSession extends CheckedSession {
  readonly backend = 'loihi' as const;
  private readonly emulator: LoihiEmulator;

  constructor(private readonly spec: NetworkSpec, network: LoihiNetwork, snapshot?: Uint8Array) {
    super(spec);
    this.emulator = new LoihiEmulator(network);
    if (snapshot !== undefined) restoreLoihiSnapshot(spec, this.emulator, snapshot);
  }

  protected run(n: number, inputs: StepInputs, into: SpikeList): number {
    // Reward has no effect: plastic projections are rejected by check().
    if (inputs.spikes !== undefined) this.emulator.injectSpikes(inputs.spikes);
    this.emulator.run(n, (step, spikes, count) => into.add(step, spikes, count));
    return this.emulator.step;
  }

  protected encodeSnapshot(): Uint8Array {
    return encodeLoihiSnapshot(this.spec, this.emulator);
  }
}
