// One independent copy of a network on the in-thread engine, in its own worker thread (independent-copies.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine } from '../../core/engine/create-engine.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

export interface CopyRequest {
  spec: NetworkSpec;
  durationS: number;
  /** Simulated seconds before the timed loop (V8 tier-up, as in measure.ts). */
  warmupS: number;
  /** When given, each of `parties` copies adds 1 to start[0] once warmed up; all begin their timed loops when all have. */
  start?: Int32Array;
  parties?: number;
}

export interface CopyResult {
  wall_s: number;
}

async function runCopy(request: CopyRequest): Promise<CopyResult> {
  const { spec } = request;
  const engine = await createEngine(compileNetwork(spec, { partitions: 1 }), { workers: 0 });
  try {
    await engine.run(Math.round((request.warmupS * 1000) / spec.dt_ms));
    if (request.start) {
      // The last to arrive wakes the others at once, so the timed loops overlap from their first step.
      Atomics.add(request.start, 0, 1);
      Atomics.notify(request.start, 0);
      for (let seen = Atomics.load(request.start, 0); seen < (request.parties ?? 1); seen = Atomics.load(request.start, 0)) Atomics.wait(request.start, 0, seen);
    }
    const t0 = performance.now();
    await engine.run(Math.round((request.durationS * 1000) / spec.dt_ms));
    return { wall_s: (performance.now() - t0) / 1000 };
  } finally {
    await engine.close();
  }
}

parentPort!.postMessage(await runCopy(workerData as CopyRequest));
