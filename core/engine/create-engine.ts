// The one engine factory for the CLI, the agent and the backends: in-thread or N worker threads, WebAssembly or TypeScript kernels.
//
//   const net = compileNetwork(spec, { partitions: workers || 1 });
//   const engine = await createEngine(net, { workers, mode: 'batch' | 'closed-loop' });
//   await engine.run(steps, (step, spikes, count) => …);   // batches; observer sees every step, in order
//   engine.inject([…]); engine.addReward(r); engine.advance();  // closed loop: one step, synchronously
//   await engine.close();
//
// workers: 0 runs in the caller's thread; N ≥ 1 steps the network with N workers (needs ≥ N
//   partitions; each worker takes its contiguous share of them first, then any still unclaimed —
//   parallel/control.ts). Default: one per partition, at most the CPU count.
// mode: 'batch' — N worker threads; idle workers sleep, the main thread awaits batches without
//   blocking. 'closed-loop' (the agent) — the caller's thread is worker 0 and N − 1 threads help
//   (N = 1: the caller alone), helpers spin briefly between steps: advance() returns in microseconds.
//   run() then blocks the caller for each batch (batches are kept to ~10–50 ms).
// kernels: 'wasm' (SIMD, default when the network lives in wasm memory) or 'ts' (pure TypeScript).
//   Both give bit-identical spikes; so do all worker counts and the ReferenceEngine (engine.ts).
// Errors: every failure is a HasnError with a stable code — E_ENGINE_WORKERS (more workers than
//   partitions), E_ENGINE_WASM, E_ENGINE_UNSTABLE (non-finite membrane potential), E_ENGINE_WORKER /
//   E_ENGINE_WORKER_EXIT (a worker threw or died), E_ENGINE_TIMEOUT, E_ENGINE_BUSY, E_ENGINE_CLOSED,
//   E_ENGINE_FAILED (called after an earlier failure). After a failure only close() is useful.
import { availableParallelism } from 'node:os';
import type { CompiledNetwork } from '../compile/types.ts';
import { HasnError } from '../errors.ts';
import type { Engine } from './batched-engine.ts';
import { tsKernels, type KernelKind } from './kernels.ts';
import { LocalEngine } from './local-engine.ts';
import { ThreadedEngine } from './parallel/threaded-engine.ts';
import { wasmKernels } from './wasm/wasm-kernels.ts';

export type { Engine } from './batched-engine.ts';
export type { StepObserver } from './engine.ts';
export type { KernelKind } from './kernels.ts';

export type EngineMode = 'batch' | 'closed-loop';

export interface EngineOptions {
  /** 0 = the caller's thread; default: min(partitions, CPU count). */
  workers?: number;
  mode?: EngineMode;
  /** Default: 'wasm' when the network is in wasm memory, else 'ts'. */
  kernels?: KernelKind;
  /** The step to continue from (after a snapshot restore). Default 0. */
  startStep?: number;
  /** advance() fails with E_ENGINE_TIMEOUT after this long (worker threads only). Default 60 s. */
  stepTimeoutMs?: number;
}

/** The worker count `createEngine` uses when none is given. */
export function defaultWorkers(net: CompiledNetwork): number {
  return Math.min(net.partitions.length, availableParallelism());
}

export async function createEngine(net: CompiledNetwork, options: EngineOptions = {}): Promise<Engine> {
  const workers = options.workers ?? defaultWorkers(net);
  if (!(Number.isInteger(workers) && workers >= 0)) throw new HasnError('E_ENGINE_WORKERS', `workers must be a non-negative integer, got ${workers}`, { path: 'workers' });
  const kernels = options.kernels ?? (net.arena.memory !== null ? 'wasm' : 'ts');
  const mode = options.mode ?? 'batch';
  const startStep = options.startStep ?? 0;
  if (workers === 0) return new LocalEngine(net, kernels === 'wasm' ? wasmKernels(net) : tsKernels(net), startStep);
  if (kernels === 'wasm' && net.arena.memory === null) wasmKernels(net); // throws E_ENGINE_WASM with the reason
  const cores = availableParallelism();
  const closedLoop = mode === 'closed-loop';
  if (closedLoop && workers === 1) return new LocalEngine(net, kernels === 'wasm' ? wasmKernels(net) : tsKernels(net), startStep);
  // Spinning only pays while every spinning thread has a core of its own.
  const spare = cores > workers;
  return ThreadedEngine.start(net, {
    workers, kernels, startStep, callerJoins: closedLoop,
    stepTimeoutMs: options.stepTimeoutMs ?? 60_000,
    gateSpinMicros: 200,
    commandSpinMicros: closedLoop ? (spare ? 2000 : 50) : 0,
    mainSpinMicros: closedLoop ? 20 : spare ? 2000 : 0,
  });
}
