// The main-thread side of the parallel engine: starts the worker threads once, hands them batches through the control block, collects spikes and errors.
//
// Workers are started once and reused. A batch is one command (control.ts). In batch mode the N
// workers are N threads and the main thread awaits each batch without blocking its event loop
// (Atomics.waitAsync). In closed-loop mode the main thread is worker 0 itself: it starts N − 1
// threads, and a step (advance) is main + threads sharing the step's tasks through the phase gate,
// with no thread to wake up or wait for at the end but the helpers — the lowest latency per step.
// Threads do not own partitions: each tries its share of a phase's tasks first (contiguous, as
// equal in count as possible) and then takes over any other thread's that are still unclaimed.
// A worker error is recorded in the control block by the failing worker, every other worker unwinds
// at its next phase wait, and the batch's promise (or advance) fails with the worker's HasnError code.
// close() ends every thread, also after a failure.
import { Worker } from 'node:worker_threads';
import type { CompiledNetwork } from '../../compile/types.ts';
import { HasnError } from '../../errors.ts';
import { BatchedEngine } from '../batched-engine.ts';
import { tsKernels, type KernelKind } from '../kernels.ts';
import { kernelModule, wasmKernels } from '../wasm/wasm-kernels.ts';
import { BatchStepper } from './batch-stepper.ts';
import {
  createControlBlock, EngineAborted, OP_EXIT, OP_RUN, readFailure, reportFailure, SLOT_COMMAND, SLOT_DONE, SLOT_OP,
  SharedGate, SLOT_FINISHED, SLOT_STEPS, SLOT_STEPS_DONE, storeStartStep, type ControlBlock,
} from './control.ts';
import type { WorkerSetup } from './worker.ts';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Atomics.waitAsync (Node ≥ 16), missing from TypeScript's ES2023 library. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Neuron-steps per batch when the main thread steps too (it blocks for the batch): ~10–50 ms of work. */
const CALLER_NEURON_STEPS_PER_BATCH = 4_000_000;

export interface ThreadedOptions {
  /** Workers stepping together (threads, plus the main thread when `callerJoins`). */
  workers: number;
  /** The main thread is worker 0 (closed-loop mode). */
  callerJoins: boolean;
  kernels: KernelKind;
  /** Microseconds to spin before parking: threads at the end of a phase, threads idle between commands, the main thread waiting for DONE. */
  gateSpinMicros: number;
  commandSpinMicros: number;
  mainSpinMicros: number;
  /** A step that takes longer than this fails with E_ENGINE_TIMEOUT (how a blocked main thread notices a dead worker). */
  stepTimeoutMs: number;
  startStep: number;
}

export class ThreadedEngine extends BatchedEngine {
  readonly kind: string;
  readonly workers: number;
  readonly kernels: KernelKind;
  private readonly threads: Worker[];
  private readonly control: ControlBlock;
  private readonly stepTimeoutMs: number;
  private readonly mainSpinMs: number;
  /** The main thread's own share of the steps (closed-loop mode), or null. */
  private readonly callerStepper: BatchStepper | null;
  private deadline = Infinity;
  /** Resolves (never rejects) once the engine is stopped from outside a batch: a worker died, a timeout, close() during a run. */
  private readonly crashed: Promise<void>;
  private onCrash: () => void = () => {};
  private crash: HasnError | null = null;
  private readonly exited: Promise<void>;

  private constructor(net: CompiledNetwork, control: ControlBlock, threads: Worker[], options: ThreadedOptions) {
    super(net, options.startStep, control.counts);
    this.control = control;
    this.threads = threads;
    this.workers = options.workers;
    this.kernels = options.kernels;
    this.kind = `workers(${options.workers})/${options.kernels}${options.callerJoins ? ', caller steps as worker 0' : ''}`;
    this.stepTimeoutMs = options.stepTimeoutMs;
    this.mainSpinMs = options.mainSpinMicros / 1000;
    this.callerStepper = null;
    if (options.callerJoins) {
      const kernels = options.kernels === 'wasm' ? wasmKernels(net) : tsKernels(net);
      const gate = new SharedGate(control.ctl, control.claims, 0, () => this.checkDeadline());
      this.callerStepper = new BatchStepper(net, kernels, control.counts, gate);
      this.maxBatchSteps = Math.max(1, Math.min(this.maxBatchSteps, Math.floor(CALLER_NEURON_STEPS_PER_BATCH / net.neuronCount)));
    }
    this.crashed = new Promise<void>((resolve) => { this.onCrash = resolve; });
    this.exited = Promise.all(threads.map((t) => new Promise<void>((resolve) => t.once('exit', () => resolve())))).then(() => {});
    threads.forEach((t, k) => {
      t.on('error', (err) => { if (!this.closed) this.stop(new HasnError('E_ENGINE_WORKER_EXIT', `worker thread ${k} failed: ${err.message}`), -1); });
      t.on('exit', (code) => { if (!this.closed) this.stop(new HasnError('E_ENGINE_WORKER_EXIT', `worker thread ${k} exited (code ${code})`), -1); });
    });
  }

  /** Stops the engine from outside a batch: records why, releases every parked worker (they unwind) and any waiting run(). */
  private stop(reason: HasnError, worker: number): void {
    this.crash ??= reason;
    reportFailure(this.control, { code: reason.code, message: reason.message, worker });
    this.onCrash();
  }

  /** Starts the worker threads and resolves once every one has built its kernels. */
  static async start(net: CompiledNetwork, options: ThreadedOptions): Promise<ThreadedEngine> {
    const partitions = net.partitions.length;
    if (options.workers > partitions) {
      throw new HasnError('E_ENGINE_WORKERS', `${options.workers} workers need at least ${options.workers} partitions; this network was compiled with ${partitions} (compile with { partitions: workers })`, { path: 'workers' });
    }
    const control = createControlBlock(partitions, options.gateSpinMicros);
    const module = options.kernels === 'wasm' ? kernelModule() : null;
    const firstThread = options.callerJoins ? 1 : 0;
    const threadCount = options.workers - firstThread;
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = firstThread; index < options.workers; index++) {
      const setup: WorkerSetup = {
        net, control, kernels: options.kernels, module, index, home: firstOwnTask(partitions, options.workers, index), threads: threadCount,
        commandSpinMicros: options.commandSpinMicros,
      };
      const thread = new Worker(WORKER_ENTRY, { workerData: setup });
      threads.push(thread);
      ready.push(new Promise<void>((resolve, reject) => {
        const fail = (err: HasnError): void => { thread.removeAllListeners('message'); reject(err); };
        thread.on('message', (m: { type: string; code?: string; message?: string; path?: string }) => {
          if (m.type === 'ready') { thread.removeAllListeners('message'); resolve(); }
          else if (m.type === 'error') fail(new HasnError(m.code ?? 'E_ENGINE_WORKER', m.message ?? 'worker setup failed', m.path === undefined ? {} : { path: m.path }));
        });
        thread.once('error', (err) => fail(new HasnError('E_ENGINE_WORKER', `worker ${index} failed to start: ${err.message}`)));
        thread.once('exit', (code) => fail(new HasnError('E_ENGINE_WORKER_EXIT', `worker ${index} exited during start-up (code ${code})`)));
      }));
    }
    const started = await Promise.allSettled(ready);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw failed.reason;
    }
    threads.forEach((t) => {
      t.removeAllListeners();
      t.unref(); // an idle engine does not keep the process alive; a running batch refs them (executeAsync)
    });
    return new ThreadedEngine(net, control, threads, options);
  }

  private issue(op: number, start: number, steps: number): void {
    const ctl = this.control.ctl;
    Atomics.store(ctl, SLOT_OP, op);
    storeStartStep(ctl, start);
    Atomics.store(ctl, SLOT_STEPS, steps);
    Atomics.store(ctl, SLOT_DONE, 0);
    this.control.claims.fill(0); // plain stores, published by the add to COMMAND below
    Atomics.store(ctl, SLOT_FINISHED, 0);
    Atomics.add(ctl, SLOT_COMMAND, 1); // publishes the stores above to every worker
    Atomics.notify(ctl, SLOT_COMMAND);
  }

  /** The steps the batch ran, or the failing worker's error. Called once every thread reported DONE. */
  private outcome(stepsDone: number): number {
    if (this.crash) throw this.crash;
    const failure = readFailure(this.control);
    if (failure !== null) throw new HasnError(failure.code, failure.message, failure.path === undefined ? {} : { path: failure.path });
    return stepsDone;
  }

  /** Called while the main thread is parked: gives up once a step has taken longer than stepTimeoutMs. */
  private checkDeadline(): void {
    if (performance.now() <= this.deadline) return;
    this.stop(new HasnError('E_ENGINE_TIMEOUT', `a step took longer than ${this.stepTimeoutMs} ms; the engine is stopped`), -1);
    throw this.crash!;
  }

  protected executeSync(start: number, steps: number): number {
    if (this.crash) throw this.crash;
    this.deadline = performance.now() + this.stepTimeoutMs * steps;
    this.issue(OP_RUN, start, steps);
    let done = -1;
    if (this.callerStepper !== null) {
      try {
        done = this.callerStepper.runBatch(start, steps);
      } catch (err) {
        if (err === this.crash) throw err;
        if (!(err instanceof EngineAborted)) reportFailure(this.control, { code: err instanceof HasnError ? err.code : 'E_ENGINE_INTERNAL', message: (err as Error).message, ...(err instanceof HasnError && err.path !== undefined ? { path: err.path } : {}), worker: 0 });
      }
    }
    const ctl = this.control.ctl;
    const threads = this.threads.length;
    const spinUntil = performance.now() + this.mainSpinMs;
    for (;;) {
      const reported = Atomics.load(ctl, SLOT_DONE);
      if (reported === threads) break;
      if (performance.now() < spinUntil) continue;
      // The last thread to finish notifies DONE; the timeout only serves to notice a thread that died.
      if (Atomics.wait(ctl, SLOT_DONE, reported, 100) === 'timed-out') this.checkDeadline();
    }
    return this.outcome(done >= 0 ? done : Atomics.load(ctl, SLOT_STEPS_DONE));
  }

  protected async executeAsync(start: number, steps: number): Promise<number> {
    if (this.crash) throw this.crash;
    if (this.callerStepper !== null) {
      // The main thread steps too: run the batch, then give its event loop a turn.
      const done = this.executeSync(start, steps);
      await new Promise<void>((resolve) => setImmediate(resolve));
      return done;
    }
    // A pending Atomics.waitAsync does not keep Node's event loop alive; the referenced workers do.
    for (const t of this.threads) t.ref();
    try {
      this.issue(OP_RUN, start, steps);
      const ctl = this.control.ctl;
      for (;;) {
        const reported = Atomics.load(ctl, SLOT_DONE);
        if (reported === this.threads.length || this.crash) break;
        const wait = waitAsync(ctl, SLOT_DONE, reported);
        if (wait.async) await Promise.race([wait.value, this.crashed]);
      }
      return this.outcome(Atomics.load(ctl, SLOT_STEPS_DONE));
    } finally {
      for (const t of this.threads) t.unref();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.exited;
    if (this.busy) this.stop(new HasnError('E_ENGINE_CLOSED', 'the engine was closed during a run'), -1);
    this.closed = true;
    for (const t of this.threads) t.ref(); // keep the process alive until they have exited
    if (this.crash === null) {
      this.issue(OP_EXIT, 0, 0);
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
      if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'exited') return;
    }
    // A worker that crashed, hangs, or is mid-batch: stop them all.
    await Promise.all(this.threads.map((t) => t.terminate()));
    await this.exited;
  }
}

/** The first of the tasks (partitions) a static split among `workers` would give worker `index`. */
function firstOwnTask(partitions: number, workers: number, index: number): number {
  return Math.round((partitions * index) / workers);
}
