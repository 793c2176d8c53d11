// Issue #3's benchmark: real-time factor of HASN's engine on COBA next to Brian2 cpp_standalone (1 thread), same invocation.
//
//   node --import tsx bench/coba-rtf.ts [--neurons 4000] [--duration-s 10] [--workers 0] [--kernels wasm|ts] [--repeat 3] [--seed 1] [--json]
//   npx hasn bench coba …   (the same, through the CLI)
//
// Brian2 runs first (it compiles its C++ project, ~15 s, then executes it `repeat` times), then our
// engine (createEngine; workers 0 = the single-thread engine in this thread) `repeat` times; each
// side reports the median time of its stepping loop only. Both use
// the same seed number, but the two simulators draw different random networks from it, so the rates
// agree statistically, not spike for spike (test/reference/brian2-equivalence.test.ts checks them).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runBrian2, type Brian2Result } from './brian2-runner.ts';
import type { KernelKind } from '../core/engine/create-engine.ts';
import { checkEngineTimingOptions, timeEngine, type EngineTiming } from './engine-timing.ts';
import { referenceSpec } from './reference-networks.ts';

export interface CobaRtfOptions {
  neurons?: number;
  durationS?: number;
  /** 0 = the single-thread engine in this thread (default); N ≥ 1 worker threads. */
  workers?: number;
  kernels?: KernelKind;
  repeat?: number;
  seed?: number;
  /** Limit for the Brian2 process. Default 10 minutes. */
  brian2TimeoutMs?: number;
}

export interface CobaRtfReport {
  benchmark: 'coba-rtf';
  neurons: number;
  duration_s: number;
  dt_ms: number;
  seed: number;
  repeat: number;
  hasn: EngineTiming;
  brian2: Brian2Result;
  /** HASN's real-time factor (wall clock) divided by Brian2's: > 1 means HASN is faster. */
  rtf_ratio: number;
  /** The same from HASN's loop CPU time, which is what Brian2's serial build measures (std::clock). */
  rtf_ratio_cpu: number;
  /** 1-minute load average before and after: above the CPU count, both timings are inflated. */
  load_average: [number, number];
  logical_cpus: number;
}

export async function runCobaRtf(options: CobaRtfOptions = {}): Promise<CobaRtfReport> {
  const neurons = options.neurons ?? 4000;
  const durationS = options.durationS ?? 10;
  const repeat = options.repeat ?? 3;
  const seed = options.seed ?? 1;
  const engineOptions = { durationS, repeat, workers: options.workers ?? 0, ...(options.kernels === undefined ? {} : { kernels: options.kernels }) };
  checkEngineTimingOptions(engineOptions);
  const spec = referenceSpec('coba', { neurons, seed });
  const loadBefore = loadavg()[0]!;
  const brian2 = await runBrian2({
    model: 'coba', neurons, durationS, target: 'cpp_standalone', threads: 1, seed, repeat, dtMs: spec.dt_ms,
    ...(options.brian2TimeoutMs === undefined ? {} : { timeoutMs: options.brian2TimeoutMs }),
  });
  const hasn = await timeEngine(spec, engineOptions);
  return {
    benchmark: 'coba-rtf', neurons, duration_s: durationS, dt_ms: spec.dt_ms, seed, repeat,
    hasn, brian2,
    rtf_ratio: hasn.real_time_factor / brian2.real_time_factor,
    rtf_ratio_cpu: hasn.real_time_factor_cpu / brian2.real_time_factor,
    load_average: [loadBefore, loadavg()[0]!], logical_cpus: brian2.host.logical_cpus,
  };
}

export function formatCobaRtf(r: CobaRtfReport): string {
  const rows = [
    ['', 'loop s', 'RTF', 'rate Hz', 'exc Hz', 'inh Hz', 'synapses'],
    [`HASN ${r.hasn.engine}, wall clock`, fixed(r.hasn.wall_s, 3), fixed(r.hasn.real_time_factor, 3),
      fixed(r.hasn.mean_rate_hz, 2), fixed(r.hasn.population_rates_hz.exc, 2), fixed(r.hasn.population_rates_hz.inh, 2), String(r.hasn.synapses)],
    [`HASN ${r.hasn.engine}, CPU time${r.hasn.workers > 0 ? ' (all threads)' : ''}`, fixed(r.hasn.cpu_s, 3), fixed(r.hasn.real_time_factor_cpu, 3), '', '', '', ''],
    [`Brian2 ${r.brian2.host.brian2} cpp_standalone (1 thread)`, fixed(r.brian2.wall_s, 3), fixed(r.brian2.real_time_factor, 3),
      fixed(r.brian2.mean_rate_hz, 2), fixed(r.brian2.rate_exc_hz, 2), fixed(r.brian2.rate_inh_hz, 2), String(r.brian2.synapses)],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const table = rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  return [
    `COBA, ${r.neurons} neurons, ${r.duration_s} s simulated, dt ${r.dt_ms} ms, seed ${r.seed}, median of ${r.repeat} runs (stepping loop only)`,
    ...table,
    `RTF ratio HASN/Brian2: ${fixed(r.rtf_ratio, 3)} (wall clock), ${fixed(r.rtf_ratio_cpu, 3)} (CPU time)`,
    `RTF = simulated s / loop s. Brian2 times its loop with ${r.brian2.wall_s_source}.`,
    `host: ${r.brian2.host.cpu}, ${r.logical_cpus} logical CPUs, load average ${fixed(r.load_average[0], 1)} → ${fixed(r.load_average[1], 1)}` +
      `${Math.max(...r.load_average) > r.logical_cpus ? ' (busy: timings inflated)' : ''}, Node ${process.versions.node}, ${r.brian2.host.gxx ?? 'g++ ?'}`,
  ].join('\n');
}

function fixed(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      neurons: { type: 'string' }, 'duration-s': { type: 'string' }, workers: { type: 'string' }, kernels: { type: 'string' },
      repeat: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const report = await runCobaRtf({
    neurons: num(values.neurons), durationS: num(values['duration-s']), workers: num(values.workers),
    ...(values.kernels === undefined ? {} : { kernels: values.kernels as KernelKind }),
    repeat: num(values.repeat), seed: num(values.seed),
  });
  process.stdout.write(`${values.json ? JSON.stringify(report) : formatCobaRtf(report)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
