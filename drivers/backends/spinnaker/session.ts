// A running SpiNNaker emulation behind the BackendSession interface: step, snapshot, close.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { CheckedSession, collectSteps } from '../checked-session.ts';
import type { SpikeList } from '../spike-list.ts';
import type { StepInputs } from '../types.ts';
import { SpinnakerEmulator, type SpinnakerPlan } from './emulator.ts';
import { restoreEmulator, snapshotEmulator } from './snapshot.ts';

export class SpinnakerSession extends CheckedSession {
  readonly backend = 'spinnaker' as const;
  private readonly emulator: SpinnakerEmulator;
  /** A network of this session's own, used only to stage snapshots in the core format. */
  private readonly staging: CompiledNetwork;

  constructor(private readonly plan: SpinnakerPlan, snapshot?: Uint8Array) {
    super(plan.net.spec);
    this.staging = compileNetwork(plan.net.spec);
    this.emulator = new SpinnakerEmulator(plan, snapshot ? restoreEmulator(plan, this.staging, snapshot) : undefined);
  }

  /** Ring-buffer additions clipped at 0xFFFF so far (0 with the worst-case shifts this adapter chooses). */
  get saturations(): number {
    return this.emulator.state.saturations;
  }

  protected run(n: number, inputs: StepInputs, into: SpikeList): number {
    if (inputs.spikes !== undefined && inputs.spikes.length > 0) this.emulator.inject(inputs.spikes);
    return collectSteps(this.emulator, n, into);
  }

  protected encodeSnapshot(): Uint8Array {
    return snapshotEmulator(this.plan, this.staging, this.emulator.state);
  }
}
