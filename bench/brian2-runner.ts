// The one adapter to the Brian2 reference simulator: runs HASN's scripts in bench/brian2/ with Debian's python3-brian.
//
// Stable API (other benchmarks and the reference tests import it):
//
//   runBrian2({ model: 'coba' | 'cuba', neurons = 4000, durationS = 1, target = 'cpp_standalone',
//               threads = 1, seed, repeat = 1, dtMs = 0.1, timeoutMs = 600_000, cythonCacheDir, python })
//     → Promise<Brian2Result>            one network: Brian2's timing of its run loop, rates, synapse count
//   runBrian2Seeds({ ...same, seeds: [1, 2, 3] }) → Promise<Brian2Result[]>
//                                       one network per seed in ONE Python process (runtime targets
//                                       cython/numpy only): Brian2's start-up is paid once
//   runBrian2Cases(cases, { timeoutMs, python }) → Promise<Brian2CaseResult[]>
//                                       small deterministic HASN specs (lif, lif_cond, spike_source,
//                                       non-random connectors) run in Brian2: every spike and v traces
//
// Brian2Result.wall_s is Brian2's own measurement of the simulation loop only (device._last_run_time),
// the median of `repeat` runs; real_time_factor = duration_s / wall_s. cpp_standalone builds its C++
// project in a fresh temporary directory (deleted afterwards); cython keeps compiled modules in
// `cythonCacheDir` (default <tmpdir>/hasn-brian2-cython), so only a first run compiles (~25 s).
//
// Default interpreter /usr/bin/python3 (another python3 may come first on PATH without brian2), with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the child's environment only.
// Errors are HasnError: E_BRIAN2_MISSING (install the Debian package python3-brian), E_BRIAN2_OPTIONS,
// E_BRIAN2_TIMEOUT, E_BRIAN2_FAILED, E_BRIAN2_OUTPUT; the last three carry the tail of the script's stderr.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HasnError } from '../core/errors.ts';
import type { NetworkSpec } from '../core/spec/schema.ts';

export const BRIAN2_PYTHON = '/usr/bin/python3';
export const BRIAN2_SCRIPTS = fileURLToPath(new URL('./brian2/', import.meta.url));

export type Brian2Model = 'coba' | 'cuba';
export type Brian2Target = 'cpp_standalone' | 'cython' | 'numpy';

export interface Brian2Options {
  model: Brian2Model;
  /** Total neurons N (80 % excitatory, connection probability 80/N). Default 4000. */
  neurons?: number;
  /** Simulated seconds. Default 1. */
  durationS?: number;
  /** Default cpp_standalone. */
  target?: Brian2Target;
  /** cpp_standalone only: 1 = serial build without OpenMP (default), K > 1 = OpenMP with K threads. */
  threads?: number;
  /** Seeds connectivity and initial values; without it every run is a new random network. */
  seed?: number;
  /** Simulations per network; wall_s is their median. Default 1. */
  repeat?: number;
  /** Time step in ms. Default 0.1. */
  dtMs?: number;
  /** The whole Python process, compilation included. Default 10 minutes. */
  timeoutMs?: number;
  /** Where Cython keeps compiled modules. Default <tmpdir>/hasn-brian2-cython. */
  cythonCacheDir?: string;
  /** Interpreter that has brian2. Default /usr/bin/python3 (Debian's python3-brian). */
  python?: string;
}

/** One Brian2 run, as bench/brian2/reference_bench.py prints it. Times in seconds, rates in Hz. */
export interface Brian2Result {
  network: 'COBA' | 'CUBA';
  simulator: 'brian2';
  neurons: number;
  n_exc: number;
  n_inh: number;
  connection_probability: number;
  synapses: number;
  duration_s: number;
  dt_ms: number;
  steps: number;
  target: Brian2Target;
  threads: number;
  seed: number | null;
  repeats: number;
  /** Median time of the simulation loop only, measured by Brian2 (device._last_run_time). */
  wall_s: number;
  wall_s_all: number[];
  /** How Brian2 measured wall_s (std::clock, omp_get_wtime or time.time). */
  wall_s_source: string;
  real_time_factor: number;
  /** First repetition from network construction to the end of its run: code generation, compilation, run. */
  build_s: number;
  /** cpp_standalone: time of `make`; null otherwise. */
  compile_s: number | null;
  spikes: number;
  mean_rate_hz: number;
  rate_exc_hz: number;
  rate_inh_hz: number | null;
  host: { cpu: string; logical_cpus: number; python: string; brian2: string; numpy: string; gxx: string | null };
}

/** A deterministic network for runBrian2Cases: a parsed spec (defaults filled in), spike_source input, traces. */
export interface Brian2Case {
  name: string;
  spec: NetworkSpec;
  steps: number;
  /** [step, global neuron] of spike_source neurons that fire in that step. */
  inject?: [number, number][];
  /** Global neurons whose v (mV) is returned after every step. */
  recordV?: number[];
}

export interface Brian2CaseResult {
  name: string;
  /** [step, global neuron], ordered by step then neuron. */
  spikes: [number, number][];
  /** v in mV after each step (after reset), by global neuron index. */
  v: Record<string, number[]>;
}

const DEFAULT_TIMEOUT_MS = 600_000;
/** Exit code of the scripts when `import brian2` fails. */
const EXIT_BRIAN2_MISSING = 3;
/** Exit code of the scripts for options or specs they cannot handle. */
const EXIT_UNSUPPORTED = 2;
const STDERR_TAIL_CHARS = 4000;

export async function runBrian2(options: Brian2Options): Promise<Brian2Result> {
  const results = await runModel(options, options.seed === undefined ? [] : ['--seed', String(options.seed)]);
  if (results.length !== 1) throw outputError(`expected one result, got ${results.length}`, '');
  return results[0]!;
}

export async function runBrian2Seeds(options: Brian2Options & { seeds: readonly number[] }): Promise<Brian2Result[]> {
  if (options.seeds.length === 0) throw new HasnError('E_BRIAN2_OPTIONS', 'give at least one seed', { path: 'seeds' });
  if (options.seeds.length > 1 && (options.target ?? 'cpp_standalone') === 'cpp_standalone') {
    throw new HasnError('E_BRIAN2_OPTIONS', 'several seeds in one process need a runtime target (cython or numpy): a standalone binary has its seed compiled in', { path: 'target' });
  }
  const results = await runModel(options, ['--seeds', options.seeds.join(',')]);
  if (results.length !== options.seeds.length) throw outputError(`expected ${options.seeds.length} results, got ${results.length}`, '');
  return results;
}

export async function runBrian2Cases(cases: readonly Brian2Case[], options: { timeoutMs?: number; python?: string } = {}): Promise<Brian2CaseResult[]> {
  const input = JSON.stringify({
    cases: cases.map((c) => ({ name: c.name, spec: c.spec, steps: c.steps, inject: c.inject ?? [], record_v: c.recordV ?? [] })),
  });
  const { stdout, stderr } = await runScript(options.python ?? BRIAN2_PYTHON, 'spec_cases.py', [], options.timeoutMs ?? DEFAULT_TIMEOUT_MS, input);
  let parsed: { cases?: Brian2CaseResult[] };
  try {
    parsed = JSON.parse(stdout) as { cases?: Brian2CaseResult[] };
  } catch {
    throw outputError('spec_cases.py did not print JSON', stderr);
  }
  if (!Array.isArray(parsed.cases) || parsed.cases.length !== cases.length) throw outputError('spec_cases.py returned the wrong number of cases', stderr);
  return parsed.cases;
}

async function runModel(options: Brian2Options, seedArgs: string[]): Promise<Brian2Result[]> {
  checkOptions(options);
  const args = [
    '--neurons', String(options.neurons ?? 4000),
    '--duration', String(options.durationS ?? 1),
    '--target', options.target ?? 'cpp_standalone',
    '--threads', String(options.threads ?? 1),
    '--repeat', String(options.repeat ?? 1),
    '--dt', String(options.dtMs ?? 0.1),
    ...seedArgs,
    '--json',
    ...(options.cythonCacheDir === undefined ? [] : ['--cython-cache', options.cythonCacheDir]),
  ];
  const { stdout, stderr } = await runScript(options.python ?? BRIAN2_PYTHON, `${options.model}.py`, args, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => parseResult(line, stderr));
}

function checkOptions(o: Brian2Options): void {
  const bad = (path: string, message: string): never => { throw new HasnError('E_BRIAN2_OPTIONS', message, { path }); };
  if (o.model !== 'coba' && o.model !== 'cuba') bad('model', `model must be 'coba' or 'cuba', not ${String(o.model)}`);
  if (o.neurons !== undefined && !(Number.isInteger(o.neurons) && o.neurons >= 5)) bad('neurons', 'neurons must be an integer ≥ 5');
  if (o.durationS !== undefined && !(o.durationS > 0)) bad('durationS', 'durationS must be positive');
  if (o.dtMs !== undefined && !(o.dtMs > 0)) bad('dtMs', 'dtMs must be positive');
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1)) bad('threads', 'threads must be an integer ≥ 1');
  if ((o.threads ?? 1) > 1 && (o.target ?? 'cpp_standalone') !== 'cpp_standalone') bad('threads', 'threads > 1 needs target cpp_standalone');
  if (o.repeat !== undefined && !(Number.isInteger(o.repeat) && o.repeat >= 1)) bad('repeat', 'repeat must be an integer ≥ 1');
}

const NUMBER_FIELDS = ['neurons', 'n_exc', 'n_inh', 'synapses', 'duration_s', 'dt_ms', 'steps', 'threads', 'wall_s', 'real_time_factor', 'build_s', 'spikes', 'mean_rate_hz', 'rate_exc_hz'] as const;

function parseResult(line: string, stderr: string): Brian2Result {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw outputError(`not a JSON result line: ${line.slice(0, 200)}`, stderr);
  }
  const record = value as Record<string, unknown>;
  const missing = NUMBER_FIELDS.filter((k) => typeof record[k] !== 'number');
  if (record.simulator !== 'brian2' || missing.length > 0) throw outputError(`result line lacks ${missing.join(', ') || 'simulator'}`, stderr);
  return value as Brian2Result;
}

interface ScriptOutput {
  stdout: string;
  stderr: string;
}

/** Runs one script of bench/brian2/ in its own process group (so a timeout also ends make/g++/the binary). */
function runScript(python: string, script: string, args: string[], timeoutMs: number, stdin?: string): Promise<ScriptOutput> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], { cwd: BRIAN2_SCRIPTS, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let forceKill: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 4 * STDERR_TAIL_CHARS) stderr = stderr.slice(-STDERR_TAIL_CHARS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      forceKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT'
        ? missingError(python, `${python} does not exist`)
        : new HasnError('E_BRIAN2_FAILED', `could not start ${python}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      const tail = stderr.slice(-STDERR_TAIL_CHARS);
      if (timedOut) reject(new HasnError('E_BRIAN2_TIMEOUT', `${script} did not finish within ${timeoutMs} ms; its stderr ends with:\n${tail}`, { path: script }));
      else if (code === EXIT_BRIAN2_MISSING) reject(missingError(python, tail.trim()));
      else if (code === EXIT_UNSUPPORTED) reject(new HasnError('E_BRIAN2_OPTIONS', `${script} refused its input:\n${tail}`, { path: script }));
      else if (code !== 0) reject(new HasnError('E_BRIAN2_FAILED', `${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`}); its stderr ends with:\n${tail}`, { path: script }));
      else resolve({ stdout, stderr: tail });
    });
    child.stdin.on('error', () => { /* the script may exit before reading its input; the exit code says why */ });
    child.stdin.end(stdin ?? '');
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function missingError(python: string, detail: string): HasnError {
  return new HasnError('E_BRIAN2_MISSING', `Brian2 is not available to ${python} (${detail}); install the Debian package python3-brian (apt-get install python3-brian, or npm run setup)`, { path: python });
}

function outputError(message: string, stderr: string): HasnError {
  return new HasnError('E_BRIAN2_OUTPUT', `unexpected output from Brian2: ${message}; its stderr ends with:\n${stderr}`);
}
