// What every engine that steps in batches shares: the public Engine surface, queued inputs, and replaying spike logs to observers.
import type { CompiledNetwork } from '../compile/types.ts';
import { HasnError } from '../errors.ts';
import type { StepObserver } from './engine.ts';
import type { KernelKind } from './kernels.ts';
import { MAX_BATCH_STEPS } from './parallel/control.ts';

/** A running network. See create-engine.ts for how to get one and what each method promises. */
export interface Engine {
  /** e.g. `in-thread/wasm`, `workers(4)/ts`. */
  readonly kind: string;
  /** Worker threads (0 = the caller's thread). */
  readonly workers: number;
  readonly kernels: KernelKind;
  readonly net: CompiledNetwork;
  /** The next step to run. */
  readonly step: number;
  /** Spikes of the last completed step: `spikes[0 … spikeCount)`, ascending global indices. */
  readonly spikes: Uint32Array;
  readonly spikeCount: number;
  /** Marks spike_source neurons (global indices) to fire in the next step that runs. */
  inject(globalIndices: ArrayLike<number>): void;
  /** Marks neurons `offset + local[k]` (k < count) — an encoder's output for a population — without allocating. */
  markSpikes(offset: number, local: ArrayLike<number>, count: number): void;
  /** Adds to the reward level of every reward_stdp projection (or only `projectionId`) before the next step that runs. */
  addReward(amount: number, projectionId?: string): void;
  /** Runs one step now and returns when its spikes are in `spikes` (closed loop: inputs before, outputs after). */
  advance(): void;
  /** Runs `steps` steps in batches; `observe` sees every step's spikes, in order, after each batch. */
  run(steps: number, observe?: StepObserver): Promise<void>;
  /** Stops the workers; the engine cannot run any more. Safe to call twice and after a failure. */
  close(): Promise<void>;
}

export abstract class BatchedEngine implements Engine {
  abstract readonly kind: string;
  abstract readonly workers: number;
  abstract readonly kernels: KernelKind;
  step: number;
  readonly spikes: Uint32Array;
  spikeCount = 0;
  protected busy = false;
  protected closed = false;
  /** The error that stopped the engine; every later call fails with E_ENGINE_FAILED. */
  protected failure: HasnError | null = null;
  private readonly cursor: Int32Array;
  private readonly pendingInject: number[] = [];
  private readonly pendingReward: { amount: number; projectionId: string | undefined }[] = [];

  protected constructor(readonly net: CompiledNetwork, startStep: number, private readonly counts: Uint32Array) {
    this.step = startStep;
    this.spikes = new Uint32Array(net.neuronCount);
    this.cursor = new Int32Array(net.partitions.length);
  }

  /** The longest batch run() hands over at once (≤ MAX_BATCH_STEPS). */
  protected maxBatchSteps = MAX_BATCH_STEPS;

  /** Runs a batch with every thread and waits synchronously; returns the steps that ran. */
  protected abstract executeSync(start: number, steps: number): number;
  /** Runs a batch without blocking the caller's thread. */
  protected abstract executeAsync(start: number, steps: number): Promise<number>;

  inject(globalIndices: ArrayLike<number>): void {
    this.markSpikes(0, globalIndices, globalIndices.length);
  }

  markSpikes(offset: number, local: ArrayLike<number>, count: number): void {
    const n = this.net.neuronCount;
    const inject = this.net.state.inject;
    for (let k = 0; k < count; k++) {
      const i = offset + local[k]!;
      if (!(i >= 0 && i < n && Number.isInteger(i))) throw new HasnError('E_ENGINE_NEURON', `no neuron ${i} (the network has ${n})`, { path: 'inject' });
      // Workers read the marks only during a step; while one runs, marks wait for the next.
      if (this.busy) this.pendingInject.push(i);
      else inject[i] = 1;
    }
  }

  addReward(amount: number, projectionId?: string): void {
    if (!Number.isFinite(amount)) throw new HasnError('E_ENGINE_REWARD', `reward must be a finite number, got ${amount}`, { path: 'reward' });
    if (projectionId !== undefined && !this.net.plastic.some((p) => p.id === projectionId && p.rule.rule === 'reward_stdp')) {
      throw new HasnError('E_ENGINE_REWARD', `no reward_stdp projection '${projectionId}'`, { path: 'reward.projection' });
    }
    if (this.busy) this.pendingReward.push({ amount, projectionId });
    else this.applyReward(amount, projectionId);
  }

  advance(): void {
    this.enter();
    try {
      const done = this.executeSync(this.step, 1);
      this.replay(done);
    } catch (err) {
      throw this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  async run(steps: number, observe?: StepObserver): Promise<void> {
    if (!(Number.isInteger(steps) && steps >= 0)) throw new HasnError('E_ENGINE_STEPS', `steps must be a non-negative integer, got ${steps}`, { path: 'steps' });
    this.enter();
    try {
      let remaining = steps;
      while (remaining > 0) {
        let done: number;
        try {
          done = await this.executeAsync(this.step, Math.min(remaining, this.maxBatchSteps));
        } catch (err) {
          throw this.fail(err);
        }
        this.busy = false;
        this.replay(done, observe);
        remaining -= done;
        if (remaining > 0) this.enter();
      }
    } finally {
      this.busy = false;
    }
  }

  /** Remembers the first error that stopped the engine and returns it as a HasnError (code kept). */
  protected fail(err: unknown): HasnError {
    const error = err instanceof HasnError ? err : new HasnError('E_ENGINE_INTERNAL', err instanceof Error ? err.message : String(err));
    this.failure ??= error;
    return error;
  }

  /** Marks the engine busy and applies inputs that arrived while it was. */
  private enter(): void {
    if (this.closed) throw new HasnError('E_ENGINE_CLOSED', 'the engine is closed');
    if (this.failure !== null) throw new HasnError('E_ENGINE_FAILED', `the engine stopped after an error: ${this.failure.code}: ${this.failure.message}`);
    if (this.busy) throw new HasnError('E_ENGINE_BUSY', 'the engine is already running a step or batch; await it first');
    const inject = this.net.state.inject;
    for (const i of this.pendingInject) inject[i] = 1;
    this.pendingInject.length = 0;
    for (const r of this.pendingReward) this.applyReward(r.amount, r.projectionId);
    this.pendingReward.length = 0;
    this.busy = true;
  }

  private applyReward(amount: number, projectionId: string | undefined): void {
    this.net.plastic.forEach((p, k) => {
      if (p.rule.rule === 'reward_stdp' && (projectionId === undefined || p.id === projectionId)) this.net.reward[k]! += amount;
    });
  }

  /** Hands the `done` steps of the last batch, in order, to the observer; the last step's spikes stay in `spikes`. */
  private replay(done: number, observe?: StepObserver): void {
    const partitions = this.net.partitions;
    const counts = this.counts;
    const cursor = this.cursor;
    const spikes = this.spikes;
    cursor.fill(0);
    for (let i = 0; i < done; i++) {
      let count = 0;
      for (let q = 0; q < partitions.length; q++) {
        const c = counts[q * MAX_BATCH_STEPS + i]!;
        if (c > 0) {
          // An element loop rather than set(subarray(…)): no view allocated per step.
          const log = partitions[q]!.spikeLog;
          const from = cursor[q]!;
          for (let k = 0; k < c; k++) spikes[count + k] = log[from + k]!;
          cursor[q] = from + c;
          count += c;
        }
      }
      this.spikeCount = count;
      const step = this.step;
      this.step = step + 1;
      observe?.(step, spikes, count);
    }
  }

  abstract close(): Promise<void>;
}
