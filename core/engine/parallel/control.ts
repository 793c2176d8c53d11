// The shared control block of the parallel engine: named Int32Array slots, the command handshake and the phase gate.
//
// Who writes what (every slot is read and written only with Atomics, which are sequentially
// consistent; plain reads of shared arrays — neuron state, spike logs, counts — are ordered by the
// Atomics operation that precedes them, as noted at each place):
//
//   main → workers   COMMAND (generation), OP, START_STEP(_HIGH), STEPS, and FINISHED = 0 and
//       every task's claim = 0
//       The main thread writes these while every worker is idle, then adds 1 to COMMAND and
//       notifies. A worker that sees COMMAND change reads them after that load, so it sees the
//       values written before the add.
//   workers → main   DONE, STEPS_DONE
//       Each worker thread adds 1 to DONE after its last write of the batch; the last one
//       notifies. The main thread reads spike logs and counts only after loading DONE = threads.
//   workers ↔ workers  the task claims and FINISHED (the phase gate below). In closed-loop mode the main
//       thread takes part in the steps like any worker.
//   failure          ABORT (0, or 1 + index of the first worker that failed), ERROR_LENGTH
//       A failing worker claims ABORT with compareExchange, writes its error into the error bytes,
//       stores ERROR_LENGTH, then pushes FINISHED past every phase and notifies, so no thread stays
//       parked in the gate. Every gate wait checks ABORT after waking and unwinds with EngineAborted.

/** Command generation: +1 per command. Workers wait for it to change. */
export const SLOT_COMMAND = 0;
/** The command: OP_RUN or OP_EXIT. */
export const SLOT_OP = 1;
/** First step of the batch, low 32 bits (steps go past 2³¹: a brain at dt 1 ms gets there in 25 days); the high bits are in SLOT_START_STEP_HIGH. */
export const SLOT_START_STEP = 2;
/** Steps requested in the batch. */
export const SLOT_STEPS = 3;
/** Worker threads that finished the current command. */
export const SLOT_DONE = 4;
/** Steps the batch actually ran (fewer than requested when a spike log filled up). */
export const SLOT_STEPS_DONE = 5;
/** 0, or 1 + the index of the worker that failed first. */
export const SLOT_ABORT = 6;
/** Phase gate: tasks finished in this batch, over all its phases (phase k is complete at (k + 1) · tasks). */
export const SLOT_FINISHED = 8;
/** Bytes of the failing worker's error (JSON) in the error area. */
export const SLOT_ERROR_LENGTH = 9;
/** Microseconds a gate wait spins before parking the thread (Atomics.wait). */
export const SLOT_SPIN = 10;
/** First step of the batch ÷ 2³². */
export const SLOT_START_STEP_HIGH = 11;
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
  /** claims[q]: the phases of the current batch in which task q has been claimed (it is claimable in phase claims[q]). */
  readonly claims: Int32Array;
  readonly errorBytes: Uint8Array;
}

export function createControlBlock(partitions: number, gateSpinMicros: number): ControlBlock {
  const ctl = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * 4));
  ctl[SLOT_SPIN] = gateSpinMicros;
  return {
    ctl,
    counts: new Uint32Array(new SharedArrayBuffer(partitions * MAX_BATCH_STEPS * 4)),
    claims: new Int32Array(new SharedArrayBuffer(partitions * 4)),
    errorBytes: new Uint8Array(new SharedArrayBuffer(ERROR_BYTES)),
  };
}

/** Writes a batch's first step (any safe integer ≥ 0) into its two slots; only while every worker is idle. */
export function storeStartStep(ctl: Int32Array, step: number): void {
  Atomics.store(ctl, SLOT_START_STEP, step % 2 ** 32 | 0);
  Atomics.store(ctl, SLOT_START_STEP_HIGH, Math.floor(step / 2 ** 32));
}

export function loadStartStep(ctl: Int32Array): number {
  return Atomics.load(ctl, SLOT_START_STEP_HIGH) * 2 ** 32 + (Atomics.load(ctl, SLOT_START_STEP) >>> 0);
}

/** Thrown inside a worker when another worker failed: unwinds the batch without reporting a second error. */
export class EngineAborted extends Error {
  constructor() {
    super('another worker failed');
  }
}

/** Gate waits between re-evaluations of the spin budget, and between probes at the full budget. */
const SPIN_WINDOW = 32;
const SPIN_PROBE_EVERY = 64;
/** FINISHED after a failure: beyond the last task of any batch, so every wait returns (and then sees ABORT). */
const FINISHED_ON_ABORT = 1 << 30;

/**
 * How the threads of a batch share its work. A step is split into phases (batch-stepper.ts); each
 * phase has one task per partition, and every party claims tasks until none is left, then waits
 * until all have finished. Which thread runs which task changes nothing in the result (a task writes
 * only its partition's state), so the work goes to whoever is running: on a machine whose cores are
 * busy with other work a descheduled thread delays the step by at most the one task it holds, not
 * by its whole share — the difference between a per-thread barrier and this gate. Each thread
 * tries its own tasks first (the ones a static split would give it), so that while every thread is
 * on time each partition's state stays in the cache of the core that updated it last.
 */
export interface PhaseGate {
  /** The next unclaimed task of `phase` (0 … tasks − 1), or −1 once every task of it is claimed. */
  claim(phase: number): number;
  /** Marks one claimed task of `phase` finished (after its last write). */
  finish(phase: number): void;
  /** Returns once every task of `phase` has finished; what they wrote is visible after. Throws EngineAborted after a failure. */
  await(phase: number): void;
}

/** The gate of a single thread (the in-thread engine): tasks in order, nothing to wait for. */
export class SoloGate implements PhaseGate {
  private phase = -1;
  private next = 0;

  constructor(private readonly tasks: number) {}

  claim(phase: number): number {
    if (phase !== this.phase) {
      this.phase = phase;
      this.next = 0;
    }
    return this.next < this.tasks ? this.next++ : -1;
  }

  finish(): void {}

  await(): void {}
}

/**
 * The gate of N threads on CLAIMED/FINISHED, both reset to 0 by the main thread before each batch.
 *
 * A waiting thread spins, then parks in Atomics.wait. Waking a parked thread takes tens of
 * microseconds — as long as a whole step of a mid-sized network — so with a core per thread,
 * spinning through the end of a phase is what makes two threads faster than one. On a machine whose
 * cores are busy, though, the thread we wait for may not be running at all, and spinning burns the
 * very core it needs. So the spin budget adapts: over each window of SPIN_WINDOW waits, it halves
 * when most waits had to park and grows back when most were settled by spinning; every
 * SPIN_PROBE_EVERY-th wait spins with the full budget (SLOT_SPIN µs) to find out whether the cores
 * are free again.
 */
export class SharedGate implements PhaseGate {
  private readonly tasks: number;
  private readonly maxSpinMs: number;
  private spinMs: number;
  private waits = 0;
  private settledBySpin = 0;

  /**
   * `whileParked`, if given, is called every 100 ms a wait stays parked (the caller's thread uses it
   * to give up on a worker that died, since no event can reach a blocked thread).
   */
  private phase = -1;
  /** Tasks this thread has tried in the current phase, counted from its first own task. */
  private tried = 0;

  /**
   * `home`: this thread's first own task; it tries tasks in the order home, home + 1, … (cyclically).
   * `whileParked`, if given, is called every 100 ms a wait stays parked (the caller's thread uses it
   * to give up on a worker that died, since no event can reach a blocked thread).
   */
  constructor(private readonly ctl: Int32Array, private readonly claims: Int32Array, private readonly home: number, private readonly whileParked?: () => void) {
    this.tasks = claims.length;
    this.maxSpinMs = Atomics.load(ctl, SLOT_SPIN) / 1000;
    this.spinMs = this.maxSpinMs;
  }

  claim(phase: number): number {
    if (phase !== this.phase) {
      this.phase = phase;
      this.tried = 0;
    }
    const claims = this.claims;
    while (this.tried < this.tasks) {
      const q = (this.home + this.tried++) % this.tasks;
      // Every task is claimed once per phase, so a task still claimable in `phase` holds exactly `phase`.
      if (Atomics.load(claims, q) === phase && Atomics.compareExchange(claims, q, phase, phase + 1) === phase) return q;
    }
    return -1;
  }

  finish(phase: number): void {
    if (Atomics.add(this.ctl, SLOT_FINISHED, 1) === (phase + 1) * this.tasks - 1) Atomics.notify(this.ctl, SLOT_FINISHED);
  }

  await(phase: number): void {
    const ctl = this.ctl;
    const target = (phase + 1) * this.tasks;
    if (Atomics.load(ctl, SLOT_FINISHED) < target) {
      const probe = ++this.waits % SPIN_PROBE_EVERY === 0;
      if (this.spinUntil(target, probe ? this.maxSpinMs : this.spinMs)) {
        this.settledBySpin++;
        if (probe) this.spinMs = this.maxSpinMs;
      } else {
        for (let seen = Atomics.load(ctl, SLOT_FINISHED); seen < target; seen = Atomics.load(ctl, SLOT_FINISHED)) {
          if (Atomics.wait(ctl, SLOT_FINISHED, seen, this.whileParked ? 100 : Infinity) === 'timed-out') this.whileParked?.();
        }
      }
      if (this.waits % SPIN_WINDOW === 0) {
        const spinPaid = this.settledBySpin * 2 > SPIN_WINDOW;
        this.spinMs = spinPaid ? Math.min(this.maxSpinMs, this.spinMs * 2 + 0.001) : this.spinMs / 2;
        this.settledBySpin = 0;
      }
    }
    if (Atomics.load(ctl, SLOT_ABORT) !== 0) throw new EngineAborted();
  }

  /** Spins up to `spinMs` for FINISHED to reach `target`; true if it did. */
  private spinUntil(target: number, spinMs: number): boolean {
    if (spinMs <= 0.001) return false;
    const until = performance.now() + spinMs;
    for (;;) {
      for (let k = 0; k < 64; k++) if (Atomics.load(this.ctl, SLOT_FINISHED) >= target) return true;
      if (performance.now() > until) return false;
    }
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

/** Records the first failure (later ones are dropped) and releases every thread parked in the gate. */
export function reportFailure(block: ControlBlock, failure: WorkerFailure): void {
  const { ctl, errorBytes } = block;
  if (Atomics.compareExchange(ctl, SLOT_ABORT, 0, failure.worker + 1) === 0) {
    const bytes = new TextEncoder().encode(JSON.stringify(failure)).subarray(0, errorBytes.length);
    errorBytes.set(bytes);
    Atomics.store(ctl, SLOT_ERROR_LENGTH, bytes.length);
  }
  Atomics.store(ctl, SLOT_FINISHED, FINISHED_ON_ABORT);
  Atomics.notify(ctl, SLOT_FINISHED);
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
