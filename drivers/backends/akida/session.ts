// A running Akida emulation behind the BackendSession interface.
//
// Snapshots use the core format (spec hash, checksum, version) with the emulator state in `extra.akida`. Akida keeps
// no neuron state between frames, so the core's neuron sections carry the network's initial values; restoring a
// snapshot without `extra.akida` (e.g. from the cpu backend) starts an empty frame at the snapshot's step.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { CheckedSession, collectSteps } from '../checked-session.ts';
import type { SpikeList } from '../spike-list.ts';
import type { StepInputs } from '../types.ts';
import { AkidaEmulator, decodeAkidaState, encodeAkidaState, initialAkidaState } from './emulator.ts';
import type { AkidaModel } from './model.ts';

export const AKIDA_EXTRA = 'akida';

export class AkidaSession extends CheckedSession {
  readonly backend = 'akida' as const;
  private readonly emulator: AkidaEmulator;

  constructor(net: CompiledNetwork, model: AkidaModel, snapshot?: Uint8Array) {
    super(net.spec);
    let state = initialAkidaState(net, model);
    if (snapshot) {
      const staging = compileNetwork(net.spec);
      const { step, extra } = restoreSnapshot(staging, snapshot);
      const exact = extra[AKIDA_EXTRA];
      if (exact) {
        state = decodeAkidaState(exact, net, model, step);
      } else {
        state.step = step;
        state.inject.set(staging.state.inject);
      }
    }
    this.emulator = new AkidaEmulator(net, model, state);
  }

  protected run(n: number, inputs: StepInputs, into: SpikeList): number {
    if (inputs.spikes !== undefined && inputs.spikes.length > 0) this.emulator.inject(inputs.spikes);
    return collectSteps(this.emulator, n, into);
  }

  protected encodeSnapshot(): Uint8Array {
    const staging = compileNetwork(this.emulator.net.spec);
    staging.state.inject.set(this.emulator.state.inject);
    return encodeSnapshot(staging, this.emulator.step, { [AKIDA_EXTRA]: encodeAkidaState(this.emulator.state) });
  }
}
