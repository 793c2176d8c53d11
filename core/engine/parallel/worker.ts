// One engine worker thread: builds its kernels and batch stepper once, then runs every batch the main thread commands until told to exit.
import { parentPort, workerData } from 'node:worker_threads';
import { HasnError } from '../../errors.ts';
import type { CompiledNetwork } from '../../compile/types.ts';
import type { WasmModule } from '../../compile/wasm-api.ts';
import { tsKernels, type KernelKind } from '../kernels.ts';
import { wasmKernels } from '../wasm/wasm-kernels.ts';
import { BatchStepper } from './batch-stepper.ts';
import {
  EngineAborted, loadStartStep, OP_EXIT, reportFailure, SharedGate, SLOT_COMMAND, SLOT_DONE, SLOT_OP, SLOT_STEPS, SLOT_STEPS_DONE,
  spinOrPark, type ControlBlock,
} from './control.ts';

/** What the main thread hands each worker once (shared memory is shared, not copied). */
export interface WorkerSetup {
  net: CompiledNetwork;
  control: ControlBlock;
  kernels: KernelKind;
  module: WasmModule | null;
  /** This worker's place among the threads that step together (worker 0 reports STEPS_DONE). */
  index: number;
  /** The first task (partition) this worker tries in each phase. */
  home: number;
  /** Worker threads that report DONE (one fewer than the threads stepping when the main thread takes part). */
  threads: number;
  /** Microseconds to spin while waiting for the next command before parking. */
  commandSpinMicros: number;
}

function describe(err: unknown): { code: string; message: string; path?: string } {
  if (err instanceof HasnError) return { code: err.code, message: err.message, ...(err.path === undefined ? {} : { path: err.path }) };
  return { code: 'E_ENGINE_WORKER', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

function serve(setup: WorkerSetup): void {
  const { net, control, index, threads } = setup;
  const ctl = control.ctl;
  const kernels = setup.kernels === 'wasm' ? wasmKernels(net, setup.module ?? undefined) : tsKernels(net);
  const stepper = new BatchStepper(net, kernels, control.counts, new SharedGate(ctl, control.claims, setup.home));
  parentPort!.postMessage({ type: 'ready' });
  let seen = 0;
  for (;;) {
    spinOrPark(ctl, SLOT_COMMAND, seen, setup.commandSpinMicros / 1000);
    seen = Atomics.load(ctl, SLOT_COMMAND);
    // OP, the start step and STEPS were written before COMMAND changed (see control.ts).
    if (Atomics.load(ctl, SLOT_OP) === OP_EXIT) return;
    try {
      const done = stepper.runBatch(loadStartStep(ctl), Atomics.load(ctl, SLOT_STEPS));
      if (index === 0) Atomics.store(ctl, SLOT_STEPS_DONE, done); // every thread computed the same number
    } catch (err) {
      if (!(err instanceof EngineAborted)) reportFailure(control, { ...describe(err), worker: index });
    }
    // After this add the main thread may read everything this worker wrote in the batch.
    if (Atomics.add(ctl, SLOT_DONE, 1) === threads - 1) Atomics.notify(ctl, SLOT_DONE);
  }
}

try {
  serve(workerData as WorkerSetup);
} catch (err) {
  // Setup failed (before the first command): the main thread is waiting for 'ready' and gets this instead.
  parentPort!.postMessage({ type: 'error', ...describe(err) });
}
