// Shared helpers for the core tests: build specs tersely, compile, run and hash.
import { compileNetwork } from '../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { SpikeRecorder } from '../../core/engine/recorder.ts';
import type { NetworkSpec, NetworkSpecInput } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';

export function spec(input: Omit<NetworkSpecInput, 'version' | 'name'> & { name?: string }): NetworkSpec {
  return parseSpec({ version: 1, name: 'test', ...input });
}

export interface RunResult {
  hash: string;
  total: number;
  spikes: number[][];
  engine: ReferenceEngine;
  net: CompiledNetwork;
}

/** Compiles and runs `steps` steps, injecting `inject[step]` (global indices) before each step. */
export function run(s: NetworkSpec, steps: number, inject: Record<number, number[]> = {}, net = compileNetwork(s)): RunResult {
  const engine = new ReferenceEngine(net);
  const recorder = new SpikeRecorder(net.populations, { keepRaster: true });
  for (let k = 0; k < steps; k++) {
    const due = inject[engine.step];
    if (due) engine.inject(due);
    engine.run(1, (step, spikes, count) => recorder.record(step, spikes, count));
  }
  return { hash: recorder.digest(), total: recorder.total, spikes: recorder.spikes(), engine, net };
}

export function spikeSteps(result: RunResult, neuron: number): number[] {
  return result.spikes.filter(([, n]) => n === neuron).map(([step]) => step!);
}
