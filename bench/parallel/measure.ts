// Times the engine the way Brian2 times itself: the stepping loop only (compile and worker start-up excluded), median of fresh runs.
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type KernelKind } from '../../core/engine/create-engine.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

export interface EngineMeasurement {
  workers: number;
  kernels: KernelKind;
  neurons: number;
  synapses: number;
  steps: number;
  /** Median wall time of the stepping loop, seconds. */
  wall_s: number;
  /** Steps run (untimed) on the same engine before the timed loop, so that V8 has compiled its hot code. */
  warmup_steps: number;
  wall_s_all: number[];
  /** Median process CPU time during the loop (all threads, spinning included), seconds. */
  cpu_s: number;
  real_time_factor: number;
  compile_s: number;
  spikes: number;
  mean_rate_hz: number;
  /** Median wall time per neuron per step, and per synaptic event (spikes × mean out-degree), ns. */
  ns_per_neuron_step: number;
  ns_per_synaptic_event: number;
}

export interface MeasureOptions {
  workers: number;
  durationS: number;
  repeat: number;
  kernels?: KernelKind;
  /**
   * Simulated seconds run before the timed loop, on the same engine (default 0.1 s). V8 compiles the
   * hot JavaScript and WebAssembly with its optimising tier while they run; on two busy cores those
   * background compiles stall the per-step phase waits for the first few hundred steps. Brian2's timed
   * loop likewise excludes its (C++ or Cython) compilation.
   */
  warmupS?: number;
}

export async function measureEngine(spec: NetworkSpec, options: MeasureOptions): Promise<EngineMeasurement> {
  const steps = Math.round((options.durationS * 1000) / spec.dt_ms);
  const warmupSteps = Math.round(((options.warmupS ?? 0.1) * 1000) / spec.dt_ms);
  const walls: number[] = [];
  const cpus: number[] = [];
  let compileS = 0;
  let spikes = 0;
  let neurons = 0;
  let synapses = 0;
  let kernels: KernelKind = 'wasm';
  for (let rep = 0; rep < options.repeat; rep++) {
    const t0 = performance.now();
    const net = compileNetwork(spec, { partitions: Math.max(1, options.workers) });
    if (rep === 0) compileS = (performance.now() - t0) / 1000;
    neurons = net.neuronCount;
    synapses = net.synapseCount;
    const engine = await createEngine(net, { workers: options.workers, ...(options.kernels ? { kernels: options.kernels } : {}) });
    kernels = engine.kernels;
    await engine.run(warmupSteps);
    let count = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await engine.run(steps, (_step, _spikes, n) => { count += n; });
    walls.push((performance.now() - start) / 1000);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1e6);
    await engine.close();
    spikes = count;
  }
  const wall = median(walls);
  const events = spikes * (synapses / neurons);
  return {
    workers: options.workers, kernels, neurons, synapses, steps, warmup_steps: warmupSteps, wall_s: wall, wall_s_all: walls, cpu_s: median(cpus),
    real_time_factor: options.durationS / wall, compile_s: compileS, spikes, mean_rate_hz: spikes / (neurons * options.durationS),
    ns_per_neuron_step: (wall * 1e9) / (neurons * steps),
    ns_per_synaptic_event: events > 0 ? (wall * 1e9) / events : 0,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
