// Times HASN's own engine on a spec the way Brian2 times itself: the stepping loop only, median of repeats.
import { performance } from 'node:perf_hooks';
import { compileNetwork } from '../core/compile/compile.ts';
import { createEngine, type KernelKind } from '../core/engine/create-engine.ts';
import { HasnError } from '../core/errors.ts';
import type { NetworkSpec } from '../core/spec/schema.ts';

export interface EngineTimingOptions {
  durationS: number;
  /** Runs; the loop times are medians. Default 1. */
  repeat?: number;
  /** 0 = the caller's thread (the single-thread engine, default); N ≥ 1 = N worker threads. */
  workers?: number;
  /** Default: the factory's choice (wasm when the network fits in wasm memory). */
  kernels?: KernelKind;
}

export interface EngineTiming {
  /** The engine that ran, e.g. `in-thread/wasm` or `workers(2)/ts`. */
  engine: string;
  workers: number;
  kernels: KernelKind;
  neurons: number;
  synapses: number;
  duration_s: number;
  steps: number;
  seed: number;
  /** Median wall time of the stepping loop (network compiled and engine started beforehand), seconds. */
  wall_s: number;
  wall_s_all: number[];
  real_time_factor: number;
  /**
   * Median CPU time of this process during the stepping loop (process.cpuUsage, user + system, all
   * threads), seconds. Brian2's serial C++ build times its loop with std::clock(), also process CPU
   * time: for the in-thread engine on a loaded machine this is the comparable figure, since wall time
   * then includes time other processes ran. With worker threads it sums their CPU time.
   */
  cpu_s: number;
  cpu_s_all: number[];
  real_time_factor_cpu: number;
  /** Compilation of the first repetition (synapse generation, initial state), seconds. */
  compile_s: number;
  spikes: number;
  mean_rate_hz: number;
  /** Rate per population id, Hz. */
  population_rates_hz: Record<string, number>;
}

/**
 * Compiles `spec` afresh for every repetition (as Brian2 rebuilds its network) and times
 * `durationS` of simulated time around the stepping loop only; spikes are counted per population.
 */
export async function timeEngine(spec: NetworkSpec, options: EngineTimingOptions): Promise<EngineTiming> {
  checkEngineTimingOptions(options);
  const workers = options.workers ?? 0;
  const repeat = options.repeat ?? 1;
  const steps = Math.round((options.durationS * 1000) / spec.dt_ms);
  const walls: number[] = [];
  const cpus: number[] = [];
  let compileS = 0;
  let counts = new Float64Array(0);
  let last: { engine: string; kernels: KernelKind; neurons: number; synapses: number } | undefined;
  for (let rep = 0; rep < repeat; rep++) {
    const t0 = performance.now();
    const net = compileNetwork(spec, { partitions: Math.max(1, workers), memory: options.kernels === 'ts' ? 'shared' : 'wasm' });
    if (rep === 0) compileS = (performance.now() - t0) / 1000;
    const engine = await createEngine(net, { workers, ...(options.kernels === undefined ? {} : { kernels: options.kernels }) });
    const populationOf = new Uint16Array(net.neuronCount);
    for (const pop of net.populations) populationOf.fill(pop.index, pop.offset, pop.offset + pop.size);
    counts = new Float64Array(net.populations.length);
    try {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await engine.run(steps, (_step, spikes, count) => {
        for (let k = 0; k < count; k++) counts[populationOf[spikes[k]!]!]!++;
      });
      walls.push((performance.now() - start) / 1000);
      const cpu = process.cpuUsage(cpuStart);
      cpus.push((cpu.user + cpu.system) / 1e6);
    } finally {
      await engine.close();
    }
    last = { engine: engine.kind, kernels: engine.kernels, neurons: net.neuronCount, synapses: net.synapseCount };
  }
  const { engine, kernels, neurons, synapses } = last!;
  const wallS = median(walls);
  const cpuS = median(cpus);
  const spikes = counts.reduce((a, b) => a + b, 0);
  const rates: Record<string, number> = {};
  spec.populations.forEach((pop, k) => { rates[pop.id] = counts[k]! / (pop.size * options.durationS); });
  return {
    engine, workers, kernels, neurons, synapses, duration_s: options.durationS, steps, seed: spec.seed,
    wall_s: wallS, wall_s_all: walls, real_time_factor: options.durationS / wallS,
    cpu_s: cpuS, cpu_s_all: cpus, real_time_factor_cpu: options.durationS / cpuS, compile_s: compileS,
    spikes, mean_rate_hz: spikes / (neurons * options.durationS), population_rates_hz: rates,
  };
}

/** Throws E_BENCH_OPTIONS for options timeEngine cannot run (call it before long preparations). */
export function checkEngineTimingOptions(o: EngineTimingOptions): void {
  const bad = (path: string, message: string): never => { throw new HasnError('E_BENCH_OPTIONS', message, { path }); };
  if (!(o.durationS > 0)) bad('durationS', 'durationS must be positive');
  if (o.repeat !== undefined && !(Number.isInteger(o.repeat) && o.repeat >= 1)) bad('repeat', 'repeat must be an integer ≥ 1');
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0)) bad('workers', 'workers must be an integer ≥ 0 (0 = this thread)');
  if (o.kernels !== undefined && o.kernels !== 'wasm' && o.kernels !== 'ts') bad('kernels', `kernels must be 'wasm' or 'ts', not ${String(o.kernels)}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
