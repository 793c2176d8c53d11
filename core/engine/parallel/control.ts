// The shared control block of the parallel engine: named Int32Array slots, the command handshake and the step barrier.
//
// Who writes what (every slot is read and written only with Atomics, which are sequentially
// consistent; plain reads of shared arrays — neuron state, spike logs, counts — are ordered by the
// Atomics operation that precedes them, as noted at each place):
//
//   main → workers   COMMAND (generation), OP, START_STEP, STEPS
//       The main thread writes OP/START_STEP/STEPS while every worker is idle, then adds 1 to
//       COMMAND and notifies. A worker that sees COMMAND change reads OP, START_STEP and STEPS
//       after that load, so it sees the values written before the add.
//   workers → main   DONE, STEPS_DONE
//       Each worker thread adds 1 to DONE after its last write of the batch; the last one
//       notifies. The main thread reads spike logs and counts only after loading DONE = threads.
//   workers ↔ workers  ARRIVED, GENERATION (the barrier below). In closed-loop mode the main
//       thread takes part in the steps as worker 0 and in the barrier like any worker.
//   failure          ABORT (0, or 1 + index of the first worker that failed), ERROR_LENGTH
//       A failing worker claims ABORT with compareExchange, writes its error into the error bytes,
//       stores ERROR_LENGTH, then bumps GENERATION and notifies so no worker stays parked in the
//       barrier. Every barrier wait checks ABORT after waking and unwinds with EngineAborted.

/** Command generation: +1 per command. Workers wait for it to change. */
export const SLOT_COMMAND = 0;
/** The command: OP_RUN or OP_EXIT. */
export const SLOT_OP = 1;
/** First step of the batch. */
export const SLOT_START_STEP = 2;
/** Steps requested in the batch. */
export const SLOT_STEPS = 3;
/** Worker threads that finished the current command. */
export const SLOT_DONE = 4;
/** Steps the batch actually ran (fewer than requested when a spike log filled up). */
export const SLOT_STEPS_DONE = 5;
/** 0, or 1 + the index of the worker that failed first. */
export const SLOT_ABORT = 6;
/** Barrier: workers arrived in the current phase. */
export const SLOT_ARRIVED = 7;
/** Barrier: +1 each time the barrier opens. */
export const SLOT_GENERATION = 8;
/** Bytes of the failing worker's error (JSON) in the error area. */
export const SLOT_ERROR_LENGTH = 9;
/** Microseconds a barrier wait spins before parking the thread (Atomics.wait). */
export const SLOT_SPIN = 10;
const SLOT_COUNT = 16;

export const OP_RUN = 1;
export const OP_EXIT = 2;

/** Most steps in one batch (the size of each partition's per-step spike-count row). */
export const MAX_BATCH_STEPS = 4096;
const ERROR_BYTES = 8192;

/** Shared memory of one parallel engine: control slots, spike counts per (partition, batch step), error area. */
export interface ControlBlock {
  readonly ctl: Int32Array;
  /** counts[q · MAX_BATCH_STEPS + i]: spikes of partition q in step i of the current batch. */
  readonly counts: Uint32Array;
  readonly errorBytes: Uint8Array;
}

export function createControlBlock(partitions: number, barrierSpinMicros: number): ControlBlock {
  const ctl = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * 4));
  ctl[SLOT_SPIN] = barrierSpinMicros;
  return {
    ctl,
    counts: new Uint32Array(new SharedArrayBuffer(partitions * MAX_BATCH_STEPS * 4)),
    errorBytes: new Uint8Array(new SharedArrayBuffer(ERROR_BYTES)),
  };
}

/** Thrown inside a worker when another worker failed: unwinds the batch without reporting a second error. */
export class EngineAborted extends Error {
  constructor() {
    super('another worker failed');
  }
}

/** Barrier waits between re-evaluations of the spin budget, and between probes at the full budget. */
const SPIN_WINDOW = 32;
const SPIN_PROBE_EVERY = 64;

/**
 * A reusable barrier for `parties` workers on ARRIVED/GENERATION.
 *
 * A waiting worker spins, then parks in Atomics.wait. Waking a parked thread takes tens of
 * microseconds — as long as a whole step of a mid-sized network — so with a core per worker,
 * spinning through a step's imbalance is what makes two workers faster than one. On a machine
 * whose cores are busy with other work, though, the peer we wait for may not be running at all,
 * and spinning burns the very core it needs. So the spin budget adapts: over each window of
 * SPIN_WINDOW waits, it halves when most waits had to park and grows back when most were settled
 * by spinning; every SPIN_PROBE_EVERY-th wait spins with the full budget (SLOT_SPIN µs) to find out
 * whether the cores are free again.
 */
export class StepBarrier {
  private readonly maxSpinMs: number;
  private spinMs: number;
  private waits = 0;
  private settledBySpin = 0;

  /**
   * `whileParked`, if given, is called every 100 ms a wait stays parked (the caller's thread uses it
   * to give up on a worker that died, since no event can reach a blocked thread).
   */
  constructor(private readonly ctl: Int32Array, private readonly parties: number, private readonly whileParked?: () => void) {
    this.maxSpinMs = Atomics.load(ctl, SLOT_SPIN) / 1000;
    this.spinMs = this.maxSpinMs;
  }

  /** Returns once every party has arrived; everything each wrote before arriving is visible after. Throws EngineAborted after a failure. */
  arrive(): void {
    if (this.parties === 1) return;
    const ctl = this.ctl;
    // Read the generation before arriving: the last arrival changes it only after counting us.
    const generation = Atomics.load(ctl, SLOT_GENERATION);
    if (Atomics.load(ctl, SLOT_ABORT) !== 0) throw new EngineAborted();
    if (Atomics.add(ctl, SLOT_ARRIVED, 1) === this.parties - 1) {
      // Last to arrive: reset the count before opening, so early arrivals at the next barrier count from 0.
      Atomics.store(ctl, SLOT_ARRIVED, 0);
      Atomics.add(ctl, SLOT_GENERATION, 1);
      Atomics.notify(ctl, SLOT_GENERATION);
      return;
    }
    const probe = ++this.waits % SPIN_PROBE_EVERY === 0;
    if (spinOrPark(ctl, SLOT_GENERATION, generation, probe ? this.maxSpinMs : this.spinMs, this.whileParked)) {
      this.settledBySpin++;
      if (probe) this.spinMs = this.maxSpinMs;
    }
    if (this.waits % SPIN_WINDOW === 0) {
      const spinPaid = this.settledBySpin * 2 > SPIN_WINDOW;
      this.spinMs = spinPaid ? Math.min(this.maxSpinMs, this.spinMs * 2 + 0.001) : this.spinMs / 2;
      this.settledBySpin = 0;
    }
    if (Atomics.load(ctl, SLOT_ABORT) !== 0) throw new EngineAborted();
  }
}

/**
 * Waits until ctl[slot] ≠ value: spins for up to `spinMs` milliseconds, then parks (calling
 * `whileParked` every 100 ms parked, if given). True if spinning was enough.
 */
export function spinOrPark(ctl: Int32Array, slot: number, value: number, spinMs: number, whileParked?: () => void): boolean {
  if (spinMs > 0.001) {
    const until = performance.now() + spinMs;
    for (;;) {
      for (let k = 0; k < 64; k++) if (Atomics.load(ctl, slot) !== value) return true;
      if (performance.now() > until) break;
    }
  }
  while (Atomics.load(ctl, slot) === value) {
    if (Atomics.wait(ctl, slot, value, whileParked ? 100 : Infinity) === 'timed-out') whileParked?.();
  }
  return false;
}

/** Error details a worker hands to the main thread. */
export interface WorkerFailure {
  code: string;
  message: string;
  path?: string;
  worker: number;
}

/** Records the first failure (later ones are dropped) and releases every thread parked in the barrier. */
export function reportFailure(block: ControlBlock, failure: WorkerFailure): void {
  const { ctl, errorBytes } = block;
  if (Atomics.compareExchange(ctl, SLOT_ABORT, 0, failure.worker + 1) === 0) {
    const bytes = new TextEncoder().encode(JSON.stringify(failure)).subarray(0, errorBytes.length);
    errorBytes.set(bytes);
    Atomics.store(ctl, SLOT_ERROR_LENGTH, bytes.length);
  }
  Atomics.add(ctl, SLOT_GENERATION, 1);
  Atomics.notify(ctl, SLOT_GENERATION);
}

/** The failure recorded in the block, if any. */
export function readFailure(block: ControlBlock): WorkerFailure | null {
  if (Atomics.load(block.ctl, SLOT_ABORT) === 0) return null;
  const length = Atomics.load(block.ctl, SLOT_ERROR_LENGTH);
  try {
    return JSON.parse(new TextDecoder().decode(block.errorBytes.slice(0, length))) as WorkerFailure;
  } catch {
    return { code: 'E_ENGINE_WORKER', message: 'a worker failed (its error could not be read)', worker: Atomics.load(block.ctl, SLOT_ABORT) - 1 };
  }
}
