// What every BackendSession does the same way: argument checks, the closed state, and collecting spikes into StepOutputs.
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { checkInjected, checkOpen, checkStepCount, spikeSourceMask } from './session-checks.ts';
import { SpikeList } from './spike-list.ts';
import type { BackendId, BackendSession, StepInputs, StepOutputs } from './types.ts';

/** An emulator that advances one step at a time and exposes that step's spikes (ascending global indices). */
export interface SteppedEmulator {
  readonly step: number;
  readonly spikes: ArrayLike<number>;
  readonly spikeCount: number;
  advance(): void;
}

/** Runs `n` steps of `em`, adding each step's spikes to `into`; returns the step after the last. */
export function collectSteps(em: SteppedEmulator, n: number, into: SpikeList): number {
  for (let k = 0; k < n; k++) {
    const step = em.step;
    em.advance();
    into.add(step, em.spikes, em.spikeCount);
  }
  return em.step;
}

/**
 * A session whose step() and snapshot() refuse bad arguments and a closed session with the shared error codes
 * (session-checks.ts) before the backend sees them; subclasses supply only the backend's own part.
 */
export abstract class CheckedSession implements BackendSession {
  abstract readonly backend: BackendId;
  private readonly sources: Uint8Array;
  private closed = false;

  protected constructor(spec: NetworkSpec) {
    this.sources = spikeSourceMask(spec);
  }

  async step(n: number, inputs: StepInputs = {}): Promise<StepOutputs> {
    checkOpen(this.closed);
    checkStepCount(n);
    if (inputs.spikes !== undefined) checkInjected(inputs.spikes, this.sources);
    const list = new SpikeList();
    const next = await this.run(n, inputs, list);
    return list.toOutputs(next);
  }

  async snapshot(): Promise<Uint8Array> {
    checkOpen(this.closed);
    return this.encodeSnapshot();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }

  /** Applies the (checked) inputs, runs `n` steps adding their spikes to `into`, and returns the step after the last. */
  protected abstract run(n: number, inputs: StepInputs, into: SpikeList): number | Promise<number>;

  /** The brain state in the core snapshot format. */
  protected abstract encodeSnapshot(): Uint8Array | Promise<Uint8Array>;

  /** Frees what the session holds (threads, files); called once, by the first close(). */
  protected async release(): Promise<void> {}
}
