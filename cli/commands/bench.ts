// `hasn bench …`: benchmarks against reference simulators, one subcommand per benchmark (add one to BENCHMARKS).
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatCobaRtf, runCobaRtf } from '../../bench/coba-rtf.ts';
import type { KernelKind } from '../../core/engine/create-engine.ts';
import { HasnError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';
import { addLearn } from './bench-learn.ts';

/** Each entry adds one `hasn bench <name>` subcommand to the group. */
const BENCHMARKS: ((bench: Command) => void)[] = [addCoba, addLearn];

export function register(program: Command): void {
  const bench = program
    .command('bench')
    .description('benchmarks that run HASN and a reference simulator in the same invocation and print both');
  for (const add of BENCHMARKS) add(bench);
}

function addCoba(bench: Command): void {
  bench
    .command('coba')
    .description('COBA network: real-time factor of HASN\'s engine vs Brian2 cpp_standalone (1 thread), and both firing rates')
    .option('--neurons <n>', 'total neurons (80 % excitatory, p = 80/N)', positiveInteger, 4000)
    .option('--duration-s <s>', 'simulated seconds', positiveNumber, 10)
    .option('--workers <w>', 'engine worker threads (0 = the single-thread engine in this thread)', nonNegativeInteger, 0)
    .addOption(new Option('--kernels <kind>', 'engine kernels (default: wasm when the network fits in 4 GiB)').choices(['wasm', 'ts']))
    .option('--repeat <r>', 'runs per simulator; the median loop time is reported', positiveInteger, 3)
    .option('--seed <s>', 'network seed (each simulator draws its own network from it)', nonNegativeInteger, 1)
    .option('--json', 'print the full report as JSON')
    .action(async (opts: { neurons: number; durationS: number; workers: number; kernels?: KernelKind; repeat: number; seed: number; json?: boolean }) => {
      await reportingUnavailable(async () => {
        const report = await runCobaRtf({
          neurons: opts.neurons, durationS: opts.durationS, workers: opts.workers, repeat: opts.repeat, seed: opts.seed,
          ...(opts.kernels === undefined ? {} : { kernels: opts.kernels }),
        });
        process.stdout.write(`${opts.json ? JSON.stringify(report) : formatCobaRtf(report)}\n`);
      });
    });
}

/** A missing reference simulator is "unavailable" (exit 69); a failing one a runtime failure (exit 1). */
async function reportingUnavailable(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof HasnError) || !err.code.startsWith('E_BRIAN2_') || err.code === 'E_BRIAN2_OPTIONS') throw err;
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exitCode = err.code === 'E_BRIAN2_MISSING' ? EXIT.UNAVAILABLE : EXIT.FAILURE;
  }
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}
