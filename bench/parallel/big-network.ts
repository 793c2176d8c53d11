// Child process of the engine benchmark: builds the 1M-neuron / 80M-synapse COBA network and steps it; prints one JSON line.
//
//   node --import tsx bench/parallel/big-network.ts [neurons=1000000] [workers=2] [steps=300]
//
// Run in its own process so that peak RSS (process.resourceUsage().maxRSS, worker threads included)
// belongs to this network alone.
import { compileNetwork } from '../../core/compile/compile.ts';
import { memoryFootprint } from '../../core/compile/footprint.ts';
import { createEngine } from '../../core/engine/create-engine.ts';
import { referenceSpec } from '../reference-networks.ts';
import { median } from './measure.ts';

const neurons = Number(process.argv[2] ?? 1_000_000);
const workers = Number(process.argv[3] ?? 2);
const steps = Number(process.argv[4] ?? 300);
const spec = referenceSpec('coba', { neurons, seed: 1 });
const t0 = performance.now();
const net = compileNetwork(spec, { partitions: Math.max(1, workers) });
const buildS = (performance.now() - t0) / 1000;
const rssAfterBuild = process.memoryUsage().rss;
const engine = await createEngine(net, { workers });
// Steps are timed in chunks of 50: the median chunk is robust to a preempted moment on a shared machine.
const chunkMs: number[] = [];
let spikes = 0;
const start = performance.now();
for (let done = 0; done < steps; done += 50) {
  const t = performance.now();
  await engine.run(Math.min(50, steps - done), (_s, _spikes, count) => { spikes += count; });
  chunkMs.push((performance.now() - t) / Math.min(50, steps - done));
}
const wallS = (performance.now() - start) / 1000;
await engine.close();
const footprint = memoryFootprint(net);
process.stdout.write(`${JSON.stringify({
  neurons: net.neuronCount, synapses: net.synapseCount, workers, kernels: engine.kernels, steps, build_s: buildS,
  rss_after_build_bytes: rssAfterBuild, peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
  ms_per_step: (wallS * 1000) / steps, ms_per_step_median_chunk: median(chunkMs),
  mean_rate_hz: spikes / (net.neuronCount * steps * spec.dt_ms * 1e-3),
  bytes_per_synapse: footprint.bytesPerSynapse, bytes_per_neuron: footprint.bytesPerNeuron, arena_bytes: footprint.totalBytes,
})}\n`);
