// `hasn run SPEC`: compiles a network and runs it on the engine for a simulated duration; prints rates, timing and the spike hash.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type KernelKind } from '../../core/engine/create-engine.ts';
import { SpikeRecorder } from '../../core/engine/recorder.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import { HasnError } from '../../core/errors.ts';

interface RunOptions {
  durationMs: number;
  seed?: number;
  workers: number;
  kernels?: KernelKind;
  json?: boolean;
  raster?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a network spec on the engine and print spike counts, rates, timing and the spike hash')
    .argument('<spec>', 'path to the spec JSON file')
    .requiredOption('--duration-ms <ms>', 'simulated time in ms', positiveNumber)
    .option('--seed <s>', 'override the spec seed', nonNegativeInteger)
    .option('--workers <n>', 'worker threads (0 = run in this thread)', nonNegativeInteger, availableParallelism())
    .addOption(new Option('--kernels <kind>', 'neuron/propagation kernels (default: wasm when the network fits in 4 GiB)').choices(['wasm', 'ts']))
    .option('--json', 'print one JSON object on stdout')
    .option('--raster <file>', 'write every spike as "step,neuron" lines (CSV) to this file')
    .action(async (file: string, opts: RunOptions) => {
      const summary = await runSpec(file, opts);
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    });
}

export interface RunSummary {
  spec: string;
  neurons: number;
  synapses: number;
  steps: number;
  dt_ms: number;
  duration_ms: number;
  seed: number;
  workers: number;
  kernels: KernelKind;
  spikes: number;
  mean_rate_hz: number;
  populations: Record<string, { spikes: number; rate_hz: number }>;
  compile_s: number;
  /** Wall time of the stepping loop only (compilation and worker start-up excluded). */
  wall_s: number;
  /** Simulated seconds per wall second. */
  rt_factor: number;
  spike_hash: string;
}

export async function runSpec(file: string, opts: RunOptions): Promise<RunSummary> {
  const spec = parseSpecJson(readFileSync(file, 'utf8'));
  if (opts.seed !== undefined) spec.seed = opts.seed;
  const steps = Math.round(opts.durationMs / spec.dt_ms);
  const t0 = performance.now();
  const net = compileNetwork(spec, { partitions: Math.max(1, opts.workers), memory: opts.kernels === 'ts' ? 'shared' : 'wasm' });
  const compileS = (performance.now() - t0) / 1000;
  process.stderr.write(`compiled ${net.neuronCount} neurons, ${net.synapseCount} synapses in ${compileS.toFixed(2)} s\n`);
  const engine = await createEngine(net, { workers: opts.workers, ...(opts.kernels ? { kernels: opts.kernels } : {}) });
  const recorder = new SpikeRecorder(net.populations);
  const raster = opts.raster === undefined ? null : new RasterWriter(opts.raster);
  let wallS: number;
  try {
    const start = performance.now();
    await engine.run(steps, (step, spikes, count) => {
      recorder.record(step, spikes, count);
      raster?.write(step, spikes, count);
    });
    wallS = (performance.now() - start) / 1000;
  } finally {
    await engine.close();
    raster?.close();
  }
  const seconds = (steps * spec.dt_ms) / 1000;
  const populations: RunSummary['populations'] = {};
  for (const pop of net.populations) {
    const spikes = recorder.populationCounts[pop.index]!;
    populations[pop.id] = { spikes, rate_hz: spikes / (pop.size * seconds) };
  }
  return {
    spec: spec.name, neurons: net.neuronCount, synapses: net.synapseCount, steps, dt_ms: spec.dt_ms, duration_ms: steps * spec.dt_ms,
    seed: spec.seed, workers: engine.workers, kernels: engine.kernels, spikes: recorder.total,
    mean_rate_hz: recorder.total / (net.neuronCount * seconds), populations, compile_s: compileS, wall_s: wallS,
    rt_factor: seconds / wallS, spike_hash: recorder.digest(),
  };
}

function formatSummary(s: RunSummary): string {
  const lines = [
    `${s.spec}: ${s.neurons} neurons, ${s.synapses} synapses, ${s.steps} steps of ${s.dt_ms} ms (seed ${s.seed})`,
    `engine: ${s.workers === 0 ? 'in-thread' : `${s.workers} workers`}, ${s.kernels} kernels; compile ${s.compile_s.toFixed(2)} s, run ${s.wall_s.toFixed(3)} s (${s.rt_factor.toFixed(2)}× real time)`,
    `spikes: ${s.spikes} (${s.mean_rate_hz.toFixed(2)} Hz)`,
    ...Object.entries(s.populations).map(([id, p]) => `  ${id}: ${p.spikes} spikes, ${p.rate_hz.toFixed(2)} Hz`),
    `spike_hash: ${s.spike_hash}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Streams "step,neuron" lines to a file in 64 KiB chunks. */
class RasterWriter {
  private readonly fd: number;
  private chunk = '';

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new HasnError('E_RUN_RASTER', `cannot write the raster file: ${(err as Error).message}`, { path });
    }
    this.chunk = 'step,neuron\n';
  }

  write(step: number, spikes: Uint32Array, count: number): void {
    for (let k = 0; k < count; k++) this.chunk += `${step},${spikes[k]}\n`;
    if (this.chunk.length > 65536) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    writeSync(this.fd, this.chunk);
    this.chunk = '';
  }
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}
