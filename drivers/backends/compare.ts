// Runs a spec on the float cpu engine and on another backend, and compares firing rates per population.
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { cpuBackend } from './cpu/index.ts';
import type { Backend, BackendMode, StepOutputs } from './types.ts';

export interface RateComparison {
  population: string;
  size: number;
  cpuHz: number;
  backendHz: number;
  /** (backend − cpu) / cpu; 0 when both are silent, Infinity when only the backend fires. */
  relativeDifference: number;
}

/** Mean rate of each population over `steps` steps (with `inputs[step]` injected before each step) on both. */
export async function compareRates(
  spec: NetworkSpec, backend: Backend, mode: BackendMode, steps: number,
  inputs: ReadonlyMap<number, readonly number[]> = new Map(),
): Promise<RateComparison[]> {
  const cpu = await runCounts(cpuBackend, 'hardware', spec, steps, inputs);
  const other = await runCounts(backend, mode, spec, steps, inputs);
  const seconds = steps * spec.dt_ms * 1e-3;
  return spec.populations.map((pop, p) => {
    const cpuHz = cpu[p]! / pop.size / seconds;
    const backendHz = other[p]! / pop.size / seconds;
    const relativeDifference = cpuHz === 0 ? (backendHz === 0 ? 0 : Infinity) : (backendHz - cpuHz) / cpuHz;
    return { population: pop.id, size: pop.size, cpuHz, backendHz, relativeDifference };
  });
}

async function runCounts(backend: Backend, mode: BackendMode, spec: NetworkSpec, steps: number, inputs: ReadonlyMap<number, readonly number[]>): Promise<number[]> {
  const session = await backend.open(await backend.compile(spec, { mode }));
  const ends: number[] = [];
  let end = 0;
  for (const pop of spec.populations) ends.push((end += pop.size));
  const counts = new Array<number>(spec.populations.length).fill(0);
  const tally = (out: StepOutputs): void => {
    for (const neuron of out.spikes.neuron) counts[ends.findIndex((e) => neuron < e)]!++;
  };
  try {
    // Run to each input step, inject, continue: one step() call per stretch without input.
    const due = [...inputs.keys()].filter((s) => s >= 0 && s < steps).sort((a, b) => a - b);
    let at = 0;
    for (const step of due) {
      if (step > at) tally(await session.step(step - at));
      tally(await session.step(1, { spikes: inputs.get(step)! }));
      at = step + 1;
    }
    if (steps > at) tally(await session.step(steps - at));
  } finally {
    await session.close();
  }
  return counts;
}
