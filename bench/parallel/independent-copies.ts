// How much two threads give on this machine right now when they share nothing: the ceiling for the 2-over-1 speed-up.
//
//   const c = await measureIndependentCopies(spec, { durationS: 1 });
//   c.speedup   // 2 · (one copy alone) / (two copies at once): 2.0 on two free cores, less when they are shared
//
// Each copy is the whole network on the in-thread engine in its own worker thread (copy-worker.ts): no
// shared memory, no synchronisation. Run alone, then two at once, the second figure shows what the machine
// grants two busy threads (other tenants' load, SMT siblings, shared caches and memory bandwidth). A
// parallel engine that splits one network over two threads can at best reach this ratio.
import { Worker } from 'node:worker_threads';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import type { CopyRequest, CopyResult } from './copy-worker.ts';

const ENTRY = new URL('./copy-worker-entry.mjs', import.meta.url);

export interface IndependentCopies {
  /** Stepping-loop wall time of one copy alone, s. */
  alone_s: number;
  /** Stepping-loop wall time of each of two copies run at the same time, s. */
  together_s: [number, number];
  /** 2 · alone / max(together): the throughput two threads give over one. */
  speedup: number;
}

function runCopy(request: CopyRequest): Promise<CopyResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: request });
    worker.once('message', (result: CopyResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    // After a result, resolve() has run and this reject is a no-op; without one, the copy died.
    worker.once('exit', (code) => reject(new Error(`the copy's worker thread exited (code ${code}) without a result`)));
  });
}

export async function measureIndependentCopies(spec: NetworkSpec, options: { durationS: number; warmupS?: number }): Promise<IndependentCopies> {
  const request: CopyRequest = { spec, durationS: options.durationS, warmupS: options.warmupS ?? 0.1 };
  const alone = await runCopy(request);
  // Both copies compile first and start their timed loops together (copy-worker.ts waits on the start flag).
  const start = new Int32Array(new SharedArrayBuffer(8));
  const together = await Promise.all([runCopy({ ...request, start, parties: 2 }), runCopy({ ...request, start, parties: 2 })]);
  const t: [number, number] = [together[0].wall_s, together[1].wall_s];
  return { alone_s: alone.wall_s, together_s: t, speedup: (2 * alone.wall_s) / Math.max(...t) };
}
