// Where a step's time goes: neuron update (ns per neuron) and spike propagation (ns per synaptic event), TS vs WebAssembly, one thread.
//
//   node --import tsx bench/parallel/kernel-costs.ts [neurons=4000,40000] [steps=2000]
//
// Calls the kernels directly on partition 0 of a one-partition COBA network, outside any engine, so
// the figures are the kernels' own (no phase waits, no batching, no observers). On a shared machine wall
// time includes time other processes ran, so the process CPU time of the loop is split between the
// two kernels in the proportion of their wall times.
import { compileNetwork } from '../../core/compile/compile.ts';
import { tsKernels, type Kernels } from '../../core/engine/kernels.ts';
import { wasmKernels } from '../../core/engine/wasm/wasm-kernels.ts';
import { referenceSpec } from '../reference-networks.ts';

export interface KernelCost {
  kernels: string;
  neurons: number;
  steps: number;
  update_ns_per_neuron: number;
  propagate_ns_per_event: number;
  update_ms_per_step: number;
  propagate_ms_per_step: number;
  spikes_per_step: number;
}

export function kernelCost(neurons: number, kind: 'ts' | 'wasm', steps: number): KernelCost {
  const net = compileNetwork(referenceSpec('coba', { neurons, seed: 1 }), { partitions: 1 });
  const kernels: Kernels = kind === 'wasm' ? wasmKernels(net) : tsKernels(net);
  const part = net.partitions[0]!;
  const log = part.spikeLog;
  const warmup = Math.min(500, steps);
  let update = 0;
  let propagate = 0;
  let spikes = 0;
  let cpu0 = process.cpuUsage();
  for (let step = 0; step < warmup + steps; step++) {
    if (step === warmup) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let count = 0;
    for (const pop of net.populations) count = kernels.update(pop, 0, net.neuronCount, step, log, count);
    const t1 = performance.now();
    for (const block of part.blocks) kernels.propagate(part, block, log, 0, count, step);
    const t2 = performance.now();
    if (step >= warmup) {
      update += t1 - t0;
      propagate += t2 - t1;
      spikes += count;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const scale = cpuMs / (update + propagate); // wall → CPU
  update *= scale;
  propagate *= scale;
  const events = spikes * (net.synapseCount / net.neuronCount);
  return {
    kernels: kind, neurons, steps,
    update_ns_per_neuron: (update * 1e6) / (steps * neurons),
    propagate_ns_per_event: events > 0 ? (propagate * 1e6) / events : 0,
    update_ms_per_step: update / steps, propagate_ms_per_step: propagate / steps, spikes_per_step: spikes / steps,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? '4000,40000').split(',').map(Number);
  const steps = Number(process.argv[3] ?? 2000);
  for (const neurons of sizes) {
    for (const kind of ['ts', 'wasm'] as const) {
      const c = kernelCost(neurons, kind, steps);
      process.stdout.write(`${String(neurons).padStart(8)} ${kind.padEnd(4)}  update ${c.update_ns_per_neuron.toFixed(2)} ns/neuron (${c.update_ms_per_step.toFixed(3)} ms/step)  ` +
        `propagate ${c.propagate_ns_per_event.toFixed(2)} ns/event (${c.propagate_ms_per_step.toFixed(3)} ms/step, ${c.spikes_per_step.toFixed(0)} spikes/step)\n`);
    }
  }
}
