// A running SpiNNaker emulation behind the BackendSession interface: step, snapshot, close.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from '../session-checks.ts';
import { SpikeList } from '../spike-list.ts';
import type { BackendSession, StepInputs, StepOutputs } from '../types.ts';
import { SpinnakerEmulator, type SpinnakerPlan } from './emulator.ts';
import { restoreEmulator, snapshotEmulator } from './snapshot.ts';

export class SpinnakerSession implements BackendSession {
  readonly backend = 'spinnaker' as const;
  private readonly emulator: SpinnakerEmulator;
  /** A network of this session's own, used only to stage snapshots in the core format. */
  private readonly staging: CompiledNetwork;
  private readonly sources: Uint8Array;
  private closed = false;

  constructor(private readonly plan: SpinnakerPlan, snapshot?: Uint8Array) {
    this.staging = compileNetwork(plan.net.spec);
    this.sources = spikeSourceMask(plan.net.spec);
    this.emulator = new SpinnakerEmulator(plan, snapshot ? restoreEmulator(plan, this.staging, snapshot) : undefined);
  }

  /** Ring-buffer additions clipped at 0xFFFF so far (0 with the worst-case shifts this adapter chooses). */
  get saturations(): number {
    return this.emulator.state.saturations;
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
    return snapshotEmulator(this.plan, this.staging, this.emulator.state);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
