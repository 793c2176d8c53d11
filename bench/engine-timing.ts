// Times HASN's own engine on a spec the way Brian2 times itself: the stepping loop only, median of repeats.
import { performance } from 'node:perf_hooks';
import { compileNetwork } from '../core/compile/compile.ts';
import { ReferenceEngine } from '../core/engine/engine.ts';
import { HasnError } from '../core/errors.ts';
import type { NetworkSpec } from '../core/spec/schema.ts';

export interface EngineTiming {
  engine: string;
  workers: number;
  neurons: number;
  synapses: number;
  duration_s: number;
  steps: number;
  seed: number;
  /** Median wall time of the stepping loop (network compiled beforehand), seconds. */
  wall_s: number;
  wall_s_all: number[];
  real_time_factor: number;
  /**
   * Median CPU time of this process during the stepping loop (process.cpuUsage, user + system), seconds.
   * Brian2's serial C++ build times its loop with std::clock(), also process CPU time: on a loaded
   * machine this is the comparable figure, since wall time then includes time other processes ran.
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
 * Compiles `spec` afresh for every repetition (as Brian2 rebuilds its network) and times `durationS` of
 * simulated time with performance.now() around the stepping loop only; spikes are counted per population.
 */
export function timeEngine(spec: NetworkSpec, options: { durationS: number; repeat?: number; workers?: number }): EngineTiming {
  const workers = options.workers ?? 1;
  checkWorkers(workers);
  const repeat = options.repeat ?? 1;
  const steps = Math.round((options.durationS * 1000) / spec.dt_ms);
  const walls: number[] = [];
  const cpus: number[] = [];
  let compileS = 0;
  let counts = new Float64Array(0);
  let synapses = 0;
  let neurons = 0;
  for (let rep = 0; rep < repeat; rep++) {
    const t0 = performance.now();
    const net = compileNetwork(spec, { partitions: workers });
    if (rep === 0) compileS = (performance.now() - t0) / 1000;
    const populationOf = new Uint16Array(net.neuronCount);
    for (const pop of net.populations) populationOf.fill(pop.index, pop.offset, pop.offset + pop.size);
    counts = new Float64Array(net.populations.length);
    const engine = new ReferenceEngine(net);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    engine.run(steps, (_step, spikes, count) => {
      for (let k = 0; k < count; k++) counts[populationOf[spikes[k]!]!]!++;
    });
    walls.push((performance.now() - start) / 1000);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1e6);
    synapses = net.synapseCount;
    neurons = net.neuronCount;
  }
  const wallS = median(walls);
  const cpuS = median(cpus);
  const spikes = counts.reduce((a, b) => a + b, 0);
  const rates: Record<string, number> = {};
  spec.populations.forEach((pop, k) => { rates[pop.id] = counts[k]! / (pop.size * options.durationS); });
  return {
    engine: 'reference', workers, neurons, synapses, duration_s: options.durationS, steps, seed: spec.seed,
    wall_s: wallS, wall_s_all: walls, real_time_factor: options.durationS / wallS,
    cpu_s: cpuS, cpu_s_all: cpus, real_time_factor_cpu: options.durationS / cpuS, compile_s: compileS,
    spikes, mean_rate_hz: spikes / (neurons * options.durationS), population_rates_hz: rates,
  };
}

/** Throws unless an engine with this many workers exists (call before long preparations). */
export function checkWorkers(workers: number): void {
  if (workers !== 1) {
    // The parallel engine (issue #7) is not in core/engine yet; this is the place to create it once it is.
    throw new HasnError('E_BENCH_WORKERS', `only the single-thread reference engine exists so far; run with 1 worker, not ${workers}`, { path: 'workers' });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
