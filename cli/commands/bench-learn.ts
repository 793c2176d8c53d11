// `hasn bench learn`: unsupervised STDP on Fashion-MNIST (bench/learn/learn-bench.ts), added to the `hasn bench` group.
import { Command, InvalidArgumentError } from 'commander';
import { formatLearnReport, runLearnBench } from '../../bench/learn/learn-bench.ts';
import { DEFAULT_FASHION_MNIST_DIR } from '../../bench/learn/fashion-mnist.ts';
import { HasnError } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';

interface LearnOptions {
  neurons: number;
  train: number;
  test: number;
  label?: number;
  workers: number;
  seed: number;
  data: string;
  dtMs?: number;
  presentMs?: number;
  recordMs?: number;
  totalRateHz?: number;
  fixedRate?: boolean;
  fields?: { size: number; stride: number } | null;
  graded: boolean;
  gradedTheta?: number;
  png: string | false;
  json?: boolean;
  quiet?: boolean;
}

export function addLearn(bench: Command): void {
  bench
    .command('learn')
    .description('unsupervised STDP (Diehl & Cook 2015) on Fashion-MNIST: vote and linear read-outs vs a pixel logistic-regression baseline, times, receptive-field PNG')
    .option('--neurons <n>', 'excitatory neurons', wholeNumber(1), 100)
    .option('--train <k>', 'training images (the first k of the 60,000)', wholeNumber(1), 1000)
    .option('--test <m>', 'test images (the first m of the 10,000)', wholeNumber(1), 1000)
    .option('--label <l>', 'last training images used to label neurons and fit the linear read-out (default: all training images)', wholeNumber(1))
    .option('--workers <w>', 'engine worker threads (0 = this thread)', wholeNumber(0), 0)
    .option('--seed <s>', 'network seed', wholeNumber(0), 1)
    .option('--data <dir>', 'directory with the Fashion-MNIST IDX files (.gz or not)', DEFAULT_FASHION_MNIST_DIR)
    .option('--dt-ms <ms>', 'time step (default 0.5)', positiveNumber)
    .option('--present-ms <ms>', 'presentation time per image (default 350)', positiveNumber)
    .option('--record-ms <ms>', 'presentation time of the frozen labelling and test recordings (default 1400)', positiveNumber)
    .option('--total-rate-hz <hz>', 'each image\'s input rates sum to this (default: the mean total under Diehl & Cook\'s scale)', positiveNumber)
    .option('--fixed-rate', 'Diehl & Cook\'s fixed scale instead: 63.75 Hz at intensity 255')
    .option('--fields <size:stride|full>', 'local receptive fields: square patches of size pixels every stride pixels, each with its own neurons and inhibitory pool; full: every neuron sees the whole image', receptiveFields)
    .option('--graded-theta <x>', 'θ of the linear read-out\'s graded recording, as a fraction of the median learned θ (default 0.85)', positiveNumber)
    .option('--no-graded', 'no graded recording: the linear read-out uses the vote\'s recording')
    .option('--png <file>', 'receptive-field image (default fashion-mnist-receptive-fields-<N>.png)')
    .option('--no-png', 'write no image')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (opts: LearnOptions) => {
      try {
        const report = await runLearnBench({
          neurons: opts.neurons, train: opts.train, test: opts.test, workers: opts.workers, seed: opts.seed, dataDir: opts.data,
          ...(opts.label === undefined ? {} : { label: opts.label }),
          ...(opts.dtMs === undefined ? {} : { dtMs: opts.dtMs }),
          ...(opts.presentMs === undefined ? {} : { presentMs: opts.presentMs }),
          ...(opts.recordMs === undefined ? {} : { recordMs: opts.recordMs }),
          ...(opts.fixedRate ? { totalRateHz: null } : opts.totalRateHz === undefined ? {} : { totalRateHz: opts.totalRateHz }),
          ...(opts.fields === undefined ? {} : { fields: opts.fields }),
          ...(!opts.graded ? { graded: null } : opts.gradedTheta === undefined ? {} : { graded: { thetaScale: opts.gradedTheta } }),
          pngPath: opts.png === false ? null : (opts.png as string | undefined) ?? `fashion-mnist-receptive-fields-${opts.neurons}.png`,
          ...(opts.quiet ? {} : { progress: (line: string) => process.stderr.write(`${line}\n`) }),
        });
        process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatLearnReport(report));
      } catch (err) {
        // A missing data set is "unavailable" (exit 69), like a missing reference simulator.
        if (!(err instanceof HasnError) || err.code !== 'E_DATASET_MISSING') throw err;
        process.stderr.write(`error ${err.code}: ${err.message}\n`);
        process.exitCode = EXIT.UNAVAILABLE;
      }
    });
}

function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

function receptiveFields(text: string): { size: number; stride: number } | null {
  if (text === 'full') return null;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('expected size:stride (whole numbers ≥ 1, e.g. 16:12) or full');
  return { size: Number(m[1]), stride: Number(m[2]) };
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}
