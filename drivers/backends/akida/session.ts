// A running Akida emulation behind the BackendSession interface.
//
// Snapshots use the core format (spec hash, checksum, version) with the emulator state in `extra.akida`. Akida keeps
// no neuron state between frames, so the core's neuron sections carry the network's initial values; restoring a
// snapshot without `extra.akida` (e.g. from the cpu backend) starts an empty frame at the snapshot's step.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from '../session-checks.ts';
import { SpikeList } from '../spike-list.ts';
import type { BackendSession, StepInputs, StepOutputs } from '../types.ts';
import { AkidaEmulator, decodeAkidaState, encodeAkidaState, initialAkidaState } from './emulator.ts';
import type { AkidaModel } from './model.ts';

export const AKIDA_EXTRA = 'akida';

export class AkidaSession implements BackendSession {
  readonly backend = 'akida' as const;
  private readonly emulator: AkidaEmulator;
  private readonly sources: Uint8Array;
  private closed = false;

  constructor(net: CompiledNetwork, model: AkidaModel, snapshot?: Uint8Array) {
    this.sources = spikeSourceMask(net.spec);
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

  async step(n: number, inputs: StepInputs = {}): Promise<StepOutputs> {
    checkOpen(this.closed);
    checkStepCount(n);
    if (inputs.spikes && inputs.spikes.length > 0) {
      checkInjected(inputs.spikes, this.sources);
      this.emulator.inject(inputs.spikes);
    }
    const em = this.emulator;
    const out = new SpikeList();
    for (let k = 0; k < n; k++) {
      const step = em.step;
      em.advance();
      out.add(step, em.spikes, em.spikeCount);
    }
    return out.toOutputs(em.step);
  }

  async snapshot(): Promise<Uint8Array> {
    checkOpen(this.closed);
    const staging = compileNetwork(this.emulator.net.spec);
    staging.state.inject.set(this.emulator.state.inject);
    return encodeSnapshot(staging, this.emulator.step, { [AKIDA_EXTRA]: encodeAkidaState(this.emulator.state) });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
