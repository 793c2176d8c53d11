// The engine in the caller's thread (workers: 0): the same batch stepper the workers run, taking every task itself.
import type { CompiledNetwork } from '../compile/types.ts';
import { BatchedEngine } from './batched-engine.ts';
import type { Kernels } from './kernels.ts';
import { BatchStepper } from './parallel/batch-stepper.ts';
import { MAX_BATCH_STEPS, SoloGate } from './parallel/control.ts';

/** Neuron-steps per in-thread batch: about 10–50 ms of work, so the caller's event loop gets regular turns. */
const NEURON_STEPS_PER_BATCH = 4_000_000;

export class LocalEngine extends BatchedEngine {
  readonly workers = 0;
  readonly kind: string;
  readonly kernels: Kernels['kind'];
  private readonly stepper: BatchStepper;

  constructor(net: CompiledNetwork, kernels: Kernels, startStep = 0) {
    const counts = new Uint32Array(net.partitions.length * MAX_BATCH_STEPS);
    super(net, startStep, counts);
    this.kernels = kernels.kind;
    this.kind = `in-thread/${kernels.kind}`;
    this.stepper = new BatchStepper(net, kernels, counts, new SoloGate(net.partitions.length));
    this.maxBatchSteps = Math.max(1, Math.min(MAX_BATCH_STEPS, Math.floor(NEURON_STEPS_PER_BATCH / net.neuronCount)));
  }

  protected executeSync(start: number, steps: number): number {
    return this.stepper.runBatch(start, steps);
  }

  /** Runs the batch, then yields one macrotask so timers and I/O of the caller's thread get a turn between batches. */
  protected async executeAsync(start: number, steps: number): Promise<number> {
    const done = this.stepper.runBatch(start, steps);
    await new Promise<void>((resolve) => setImmediate(resolve));
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
