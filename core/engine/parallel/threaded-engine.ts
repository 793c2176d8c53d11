// The main-thread side of the parallel engine: starts N workers once, hands them batches through the control block, collects spikes and errors.
//
// Workers are started once and reused. A batch is one command (control.ts); the main thread either
// blocks for it (advance: closed loop, one step, microseconds) or awaits it without blocking its
// event loop (run: Atomics.waitAsync). A worker error is recorded in the control block by the
// failing worker, every other worker unwinds at its next barrier, and the batch's promise (or
// advance) fails with the worker's HasnError code. close() ends every worker, also after a failure.
import { Worker } from 'node:worker_threads';
import type { CompiledNetwork } from '../../compile/types.ts';
import { HasnError } from '../../errors.ts';
import { BatchedEngine } from '../batched-engine.ts';
import type { KernelKind } from '../kernels.ts';
import { kernelModule } from '../wasm/wasm-kernels.ts';
import {
  createControlBlock, OP_EXIT, OP_RUN, readFailure, reportFailure, SLOT_COMMAND, SLOT_DONE, SLOT_OP, SLOT_START_STEP,
  SLOT_STEPS, SLOT_STEPS_DONE, type ControlBlock,
} from './control.ts';
import type { WorkerSetup } from './worker.ts';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Atomics.waitAsync (Node ≥ 16), missing from TypeScript's ES2023 library. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export interface ThreadedOptions {
  workers: number;
  kernels: KernelKind;
  /** Microseconds to spin before parking: workers at a barrier, workers idle between commands, the main thread in advance(). */
  barrierSpinMicros: number;
  commandSpinMicros: number;
  mainSpinMicros: number;
  /** advance() gives up (E_ENGINE_TIMEOUT) when a step takes longer than this. */
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
  /** Resolves (never rejects) once the engine is stopped from outside a batch: a worker died, a timeout, close() during a run. */
  private readonly crashed: Promise<void>;
  private onCrash: () => void = () => {};
  private crash: HasnError | null = null;
  private readonly exited: Promise<void>;

  private constructor(net: CompiledNetwork, control: ControlBlock, threads: Worker[], options: ThreadedOptions) {
    super(net, options.startStep, control.counts);
    this.control = control;
    this.threads = threads;
    this.workers = threads.length;
    this.kernels = options.kernels;
    this.kind = `workers(${threads.length})/${options.kernels}`;
    this.stepTimeoutMs = options.stepTimeoutMs;
    this.mainSpinMs = options.mainSpinMicros / 1000;
    this.crashed = new Promise<void>((resolve) => { this.onCrash = resolve; });
    this.exited = Promise.all(threads.map((t) => new Promise<void>((resolve) => t.once('exit', () => resolve())))).then(() => {});
    threads.forEach((t, index) => {
      t.on('error', (err) => { if (!this.closed) this.stop(new HasnError('E_ENGINE_WORKER_EXIT', `worker ${index} failed: ${err.message}`), index); });
      t.on('exit', (code) => { if (!this.closed) this.stop(new HasnError('E_ENGINE_WORKER_EXIT', `worker ${index} exited (code ${code})`), index); });
    });
  }

  /** Stops the engine from outside a batch: records why, releases every parked worker (they unwind) and any waiting run(). */
  private stop(reason: HasnError, worker: number): void {
    this.crash ??= reason;
    reportFailure(this.control, { code: reason.code, message: reason.message, worker });
    this.onCrash();
  }

  /** Starts the workers and resolves once every one has built its kernels. */
  static async start(net: CompiledNetwork, options: ThreadedOptions): Promise<ThreadedEngine> {
    const partitions = net.partitions.length;
    if (options.workers > partitions) {
      throw new HasnError('E_ENGINE_WORKERS', `${options.workers} workers need at least ${options.workers} partitions; this network was compiled with ${partitions} (compile with { partitions: workers })`, { path: 'workers' });
    }
    const control = createControlBlock(partitions, options.barrierSpinMicros);
    const module = options.kernels === 'wasm' ? kernelModule() : null;
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 0; index < options.workers; index++) {
      const first = Math.round((partitions * index) / options.workers);
      const end = Math.round((partitions * (index + 1)) / options.workers);
      const setup: WorkerSetup = { net, control, kernels: options.kernels, module, index, workers: options.workers, first, end, commandSpinMicros: options.commandSpinMicros };
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
    Atomics.store(ctl, SLOT_START_STEP, start);
    Atomics.store(ctl, SLOT_STEPS, steps);
    Atomics.store(ctl, SLOT_DONE, 0);
    Atomics.add(ctl, SLOT_COMMAND, 1); // publishes the four stores above to every worker
    Atomics.notify(ctl, SLOT_COMMAND);
  }

  /** The steps the batch ran, or the worker's error. Called after DONE reached the worker count. */
  private outcome(steps: number): number {
    if (this.crash) throw this.crash;
    const failure = readFailure(this.control);
    if (failure !== null) throw new HasnError(failure.code, failure.message, failure.path === undefined ? {} : { path: failure.path });
    return steps === 1 ? 1 : Atomics.load(this.control.ctl, SLOT_STEPS_DONE);
  }

  protected executeSync(start: number, steps: number): number {
    if (this.crash) throw this.crash;
    this.issue(OP_RUN, start, steps);
    const ctl = this.control.ctl;
    const workers = this.workers;
    const deadline = performance.now() + this.stepTimeoutMs;
    const spinUntil = performance.now() + this.mainSpinMs;
    for (;;) {
      const done = Atomics.load(ctl, SLOT_DONE);
      if (done === workers) break;
      if (performance.now() < spinUntil) continue;
      // The last worker to finish notifies DONE; the timeout only serves to notice a worker that died.
      if (Atomics.wait(ctl, SLOT_DONE, done, 100) === 'timed-out' && performance.now() > deadline) {
        this.stop(new HasnError('E_ENGINE_TIMEOUT', `a step took longer than ${this.stepTimeoutMs} ms; the engine is stopped`), -1);
        throw this.crash!;
      }
    }
    return this.outcome(steps);
  }

  protected async executeAsync(start: number, steps: number): Promise<number> {
    if (this.crash) throw this.crash;
    // A pending Atomics.waitAsync does not keep Node's event loop alive; the referenced workers do.
    for (const t of this.threads) t.ref();
    try {
      this.issue(OP_RUN, start, steps);
      const ctl = this.control.ctl;
      for (;;) {
        const done = Atomics.load(ctl, SLOT_DONE);
        if (done === this.workers || this.crash) break;
        const wait = waitAsync(ctl, SLOT_DONE, done);
        if (wait.async) await Promise.race([wait.value, this.crashed]);
      }
      return this.outcome(steps);
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
