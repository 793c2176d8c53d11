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
//       Each worker adds 1 to DONE after its last write of the batch; the last one notifies. The
//       main thread reads spike logs and counts only after loading DONE = workers.
//   workers ↔ workers  ARRIVED, GENERATION (the barrier below)
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
/** Workers that finished the current command. */
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
/** Spin iterations before a wait parks the thread (Atomics.wait). */
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

export function createControlBlock(partitions: number, spin: number): ControlBlock {
  const ctl = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * 4));
  ctl[SLOT_SPIN] = spin;
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

/**
 * Waits until ctl[slot] ≠ value: spins `spin` loads first (a step is often shorter than a park/unpark),
 * then parks in Atomics.wait. Returns the new value.
 */
export function waitForChange(ctl: Int32Array, slot: number, value: number, spin: number): number {
  for (let k = 0; k < spin; k++) {
    const now = Atomics.load(ctl, slot);
    if (now !== value) return now;
  }
  for (;;) {
    Atomics.wait(ctl, slot, value);
    const now = Atomics.load(ctl, slot);
    if (now !== value) return now;
  }
}

/** Fewest and most spin iterations a barrier wait uses before parking. */
const MIN_BARRIER_SPIN = 256;

/**
 * A reusable barrier for `parties` workers on ARRIVED/GENERATION.
 *
 * Spinning pays while the other workers arrive within microseconds; when one was descheduled (a busy
 * machine) spinning only burns the core it needs. So the spin budget adapts: halved whenever a wait
 * had to park, grown by a quarter whenever spinning sufficed, within [MIN_BARRIER_SPIN, SLOT_SPIN].
 */
export class StepBarrier {
  private readonly maxSpin: number;
  private spin: number;

  constructor(private readonly ctl: Int32Array, private readonly parties: number) {
    this.maxSpin = Math.max(MIN_BARRIER_SPIN, Atomics.load(ctl, SLOT_SPIN));
    this.spin = this.maxSpin;
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
    let opened = false;
    for (let k = 0; k < this.spin; k++) {
      if (Atomics.load(ctl, SLOT_GENERATION) !== generation) {
        opened = true;
        break;
      }
    }
    if (opened) {
      this.spin = Math.min(this.maxSpin, this.spin + (this.spin >> 2));
    } else {
      this.spin = Math.max(MIN_BARRIER_SPIN, this.spin >> 1);
      while (Atomics.load(ctl, SLOT_GENERATION) === generation) Atomics.wait(ctl, SLOT_GENERATION, generation);
    }
    if (Atomics.load(ctl, SLOT_ABORT) !== 0) throw new EngineAborted();
  }
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
