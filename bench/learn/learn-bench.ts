// Issue #9's benchmark: unsupervised STDP (Diehl & Cook 2015) on Fashion-MNIST, with a pixel logistic-regression baseline from the same run.
//
//   npx hasn bench learn --neurons 400 --train 60000 --test 10000 [--workers W] [--json]
//
// Phases, each timed on the wall clock and in process CPU time (all threads):
//   1. baseline: softmax regression on the raw pixels of the training images used, scored on the test images;
//   2. training: every training image once through the plastic network (core/learning/diehl-cook-experiment.ts);
//   3. recording: a frozen copy (no STDP, θ fixed) sees the last `label` training images and the test images; then,
//      for the linear read-out, the graded copy (equal weight norms and θ, core/learning/graded-recording.ts) sees them;
//   4. read-outs: neuron labels + vote (Diehl & Cook) on the first recording, softmax regression on the labelling
//      images' spike counts of each recording;
//   5. the learned input weights as a PNG grid of receptive fields.
// The machine's load is reported next to the times: on a shared machine wall times are inflated, CPU times less so.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { HasnError } from '../../core/errors.ts';
import { diehlCookLayout, type ReceptiveFields } from '../../core/learning/diehl-cook-spec.ts';
import {
  learnedWeights, presentationConfig, recordDiehlCook, scoreReadouts, trainDiehlCook, type DiehlCookRunOptions, type RecordOptions, type Recording,
} from '../../core/learning/diehl-cook-experiment.ts';
import type { GradedRecording } from '../../core/learning/graded-recording.ts';
import { classCount, sliceImages, type LabelledImages } from '../../core/learning/images.ts';
import { predictSoftmax, trainSoftmaxRegression } from '../../core/learning/softmax-regression.ts';
import { accuracy } from '../../core/learning/vote-readout.ts';
import { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, loadFashionMnist } from './fashion-mnist.ts';
import { encodeGreyscalePng } from './png.ts';
import { receptiveFieldGrid } from './receptive-fields.ts';

export interface LearnBenchOptions {
  neurons: number;
  /** Training images (the first ones of the training set). */
  train: number;
  /** Test images (the first ones of the test set). */
  test: number;
  /**
   * Training images used to label neurons and fit the linear read-out: the last ones trained on. Default: all of them
   * (the issue labels on the training set; the last 10,000 instead cost up to 1.5 points of linear read-out and save 20 minutes).
   */
  label?: number;
  workers?: number;
  seed?: number;
  dataDir?: string;
  dtMs?: number;
  presentMs?: number;
  /**
   * Presentation time of the frozen recordings (labelling and test images), ms. Default RECORD_MS: four times the
   * training showing, so the counts carry less Poisson noise (measured, N = 400 after 10,000 images, 2,000 test
   * images: 350 / 700 / 1400 ms → vote 73.0 / 73.6 / 73.7 %, linear 79.3 / 80.1 / 81.2 %).
   */
  recordMs?: number;
  /**
   * Each image's input rates sum to this (Hz), still ∝ intensity. Default: the training images' mean total under
   * Diehl & Cook's scale (63.75 Hz at intensity 255), ≈ 14,300 Hz. null: their fixed scale, so large garments
   * drive the network harder than small ones (measured: 9 points less vote accuracy, N = 100, 5,000 images).
   */
  totalRateHz?: number | null;
  /** Local receptive fields (square patches, one inhibitory pool each); null: every neuron sees the whole image. */
  fields?: ReceptiveFields | null;
  /**
   * The linear read-out's own recording: the graded variant of the frozen network (core/learning/graded-recording.ts),
   * inputs of fixed Euclidean norm. Default GRADED; null: the linear read-out uses the vote's recording.
   */
  graded?: GradedRecording | null;
  /** Where to write the receptive-field PNG; null: none. */
  pngPath?: string | null;
  /** Progress lines (to stderr in the CLI). */
  progress?: (line: string) => void;
}

interface Timed {
  wall_s: number;
  cpu_s: number;
}

export interface LearnBenchReport {
  benchmark: 'learn-fashion-mnist';
  /** Vote read-out accuracy on the test images. */
  accuracy: number;
  /** Softmax regression on spike counts: of the graded recording, or of the vote's recording when graded is null. */
  linear_accuracy: number;
  /** Softmax regression on the spike counts of the vote's recording (Diehl & Cook's test mode). */
  linear_accuracy_wta: number;
  /** The graded recording's θ fraction, or null when there was none. */
  graded_theta_scale: number | null;
  /** Softmax regression on raw pixels, same training images, same test images. */
  baseline_accuracy: number;
  train_images: number;
  label_images: number;
  test_images: number;
  neurons: number;
  /** Receptive fields: patch size and stride, and how many patches; null when every neuron sees the whole image. */
  fields: (ReceptiveFields & { count: number }) | null;
  workers: number;
  engine: string;
  dt_ms: number;
  present_ms: number;
  /** Presentation time of the labelling and test recordings. */
  record_ms: number;
  rest_ms: number;
  /** Each image's total input rate (Hz), or null for the fixed 63.75 Hz per full-intensity pixel. */
  input_total_hz: number | null;
  /** Whole run, data loading included. */
  wall_s: number;
  cpu_s: number;
  baseline: Timed;
  training: Timed & {
    showings: number; silent: number; simulated_s: number;
    /** Simulated seconds per wall-clock second while training (> 1: faster than real time). */
    real_time_factor: number;
    /** The training wall time scaled to the 60,000 images of one Fashion-MNIST epoch (minutes). */
    epoch_min: number;
    epoch_cpu_min: number;
  };
  recording: Timed & { showings: number; silent: number; simulated_s: number; real_time_factor: number };
  /** Neurons per class label (index = class, then the count of unlabelled neurons). */
  neurons_per_class: number[];
  receptive_fields_png: string | null;
  seed: number;
  data_dir: string;
  /** 1-minute load average at the start and the end: above the CPU count, every time is inflated. */
  load_average: [number, number];
  logical_cpus: number;
}

const EPOCH_IMAGES = 60000;
/**
 * The excitatory neurons are always two populations of N/2 (diehl-cook-spec.ts), so that 2 workers each own
 * half the plastic synapses, and so that the network, hence every result, is the same for any worker count.
 */
const EXCITATORY_GROUPS = 2;
/** Diehl & Cook's input rate of a full-intensity pixel (Hz). */
const DIEHL_COOK_MAX_RATE_HZ = 63.75;
/** Default presentation time of the frozen recordings (ms). */
const RECORD_MS = 1400;
/**
 * The graded recording's θ: 0.85 × the median learned θ, the fraction chosen on held-out training images (N = 400
 * trained on images 0–9,999, labelled with 5,000–9,999, scored on 10,000–14,999: linear read-out 79.98 % on the vote's
 * recording, 80.86 % graded with 0.85, 80.64 % with 0.7; bench/learn/README.md).
 */
const GRADED: GradedRecording = { thetaScale: 0.85 };

/** Mean over the images of Σ pixel / ‖pixels‖₂: turns a mean total rate into the Euclidean norm that matches it. */
function meanL1OverL2(images: LabelledImages): number {
  const size = images.height * images.width;
  let sum = 0;
  for (let k = 0; k < images.count; k++) {
    let l1 = 0;
    let squares = 0;
    for (let i = k * size; i < (k + 1) * size; i++) {
      l1 += images.pixels[i]!;
      squares += images.pixels[i]! * images.pixels[i]!;
    }
    if (squares > 0) sum += l1 / Math.sqrt(squares);
  }
  return sum / images.count;
}

/** Mean over the images of Σ pixel · 63.75 / 255 (Hz): the total input rate of an average image under Diehl & Cook's scale. */
function meanTotalRate(images: LabelledImages): number {
  let sum = 0;
  for (let i = 0; i < images.pixels.length; i++) sum += images.pixels[i]!;
  return (sum / images.count) * (DIEHL_COOK_MAX_RATE_HZ / 255);
}

function checkOptions(o: LearnBenchOptions, trainAvailable: number, testAvailable: number): void {
  const whole = (name: string, v: number, max: number) => {
    if (!(Number.isInteger(v) && v >= 1 && v <= max)) throw new HasnError('E_LEARN_OPTIONS', `${name} must be a whole number from 1 to ${max}, got ${v}`, { path: name });
  };
  whole('neurons', o.neurons, 10000);
  if (!o.fields && o.neurons % EXCITATORY_GROUPS !== 0) throw new HasnError('E_LEARN_OPTIONS', `neurons must be even (two equal excitatory populations), got ${o.neurons}`, { path: 'neurons' });
  whole('train', o.train, trainAvailable);
  whole('test', o.test, testAvailable);
  if (o.label !== undefined) whole('label', o.label, o.train);
}

class Stopwatch {
  private readonly wall = performance.now();
  private readonly cpu = process.cpuUsage();
  read(): Timed {
    const c = process.cpuUsage(this.cpu);
    return { wall_s: (performance.now() - this.wall) / 1000, cpu_s: (c.user + c.system) / 1e6 };
  }
}

function progressReporter(phase: string, total: number, progress: ((line: string) => void) | undefined): ((index: number) => void) | undefined {
  if (progress === undefined) return undefined;
  const started = performance.now();
  const every = Math.max(1, Math.round(total / 20));
  return (index) => {
    const done = index + 1;
    if (done % every !== 0 && done !== total) return;
    const elapsed = (performance.now() - started) / 1000;
    const eta = (elapsed / done) * (total - done);
    progress(`${phase}: ${done}/${total} images, ${(elapsed / done * 1000).toFixed(1)} ms/image, ${elapsed.toFixed(0)} s elapsed, ~${eta.toFixed(0)} s left`);
  };
}

export async function runLearnBench(options: LearnBenchOptions): Promise<LearnBenchReport> {
  const total = new Stopwatch();
  const loadBefore = loadavg()[0]!;
  const dataDir = options.dataDir ?? DEFAULT_FASHION_MNIST_DIR;
  const data = loadFashionMnist(dataDir);
  checkOptions(options, data.train.count, data.test.count);
  const classes = classCount(data.train);
  const trainSet = sliceImages(data.train, 0, options.train);
  const labelCount = options.label ?? options.train;
  const labelSet = sliceImages(data.train, options.train - labelCount, labelCount);
  const testSet = sliceImages(data.test, 0, options.test);
  const log = options.progress;
  const totalRateHz = options.totalRateHz === undefined ? meanTotalRate(trainSet) : options.totalRateHz;

  let watch = new Stopwatch();
  log?.(`baseline: softmax regression on the pixels of ${trainSet.count} training images`);
  const baselineModel = trainSoftmaxRegression(trainSet.pixels, trainSet.labels, classes, { epochs: 10, seed: options.seed ?? 1 });
  const baselineAccuracy = accuracy(predictSoftmax(baselineModel, testSet.pixels), testSet.labels);
  const baseline = watch.read();
  log?.(`baseline: ${(baselineAccuracy * 100).toFixed(2)} % in ${baseline.wall_s.toFixed(1)} s`);

  const run: DiehlCookRunOptions = {
    neurons: options.neurons,
    workers: options.workers ?? 0,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.dtMs === undefined ? {} : { dtMs: options.dtMs }),
    ...(options.fields ? { fields: options.fields } : { groups: EXCITATORY_GROUPS }),
    presentation: {
      totalRateHz,
      ...(options.presentMs === undefined ? {} : { presentSteps: Math.round(options.presentMs / (options.dtMs ?? 0.5)) }),
    },
  };
  const config = presentationConfig(run);

  watch = new Stopwatch();
  const onTrain = progressReporter('training', trainSet.count, log);
  const trained = await trainDiehlCook(trainSet, { ...run, ...(onTrain ? { onImage: onTrain } : {}) });
  const training = watch.read();

  watch = new Stopwatch();
  const recordMs = options.recordMs ?? RECORD_MS;
  const recordPresentation = { presentSteps: Math.round(recordMs / (options.dtMs ?? 0.5)) };
  /** One frozen recording of `images` (its progress lines under `phase`). */
  const record = (phase: string, images: LabelledImages, extra: RecordOptions): Promise<Recording> => {
    const onImage = progressReporter(phase, images.count, log);
    return recordDiehlCook(trained, images, { ...extra, ...(onImage ? { onImage } : {}) });
  };
  const labelled = await record('labelling', labelSet, { presentation: recordPresentation });
  const tested = await record('testing', testSet, { presentation: recordPresentation });
  const graded = options.graded === undefined ? GRADED : options.graded;
  let gradedRecordings: [Recording, Recording] | null = null;
  if (graded !== null) {
    // Same showing time; rates of fixed Euclidean norm, as large on average as the training rates' total.
    const gradedOptions = { presentation: { ...recordPresentation, totalRateHz: null, l2RateHz: (totalRateHz ?? meanTotalRate(trainSet)) / meanL1OverL2(trainSet) }, graded };
    gradedRecordings = [await record('graded labelling', labelSet, gradedOptions), await record('graded testing', testSet, gradedOptions)];
  }
  const recording = watch.read();

  const score = ([label, test]: readonly [Recording, Recording]) =>
    scoreReadouts(label.responses, labelSet.labels, test.responses, testSet.labels, options.neurons, classes, { seed: options.seed ?? 1 });
  const scores = score([labelled, tested]);
  const gradedScores = gradedRecordings === null ? null : score(gradedRecordings);
  const recordings = [labelled, tested, ...(gradedRecordings ?? [])];
  const recordedS = recordings.reduce((n, r) => n + r.simulatedS, 0);
  const perClass = new Array<number>(classes + 1).fill(0);
  for (const c of scores.neuronLabels) perClass[c >= 0 ? c : classes]!++;

  let png: string | null = null;
  if (options.pngPath !== null) {
    png = options.pngPath ?? `fashion-mnist-receptive-fields-${options.neurons}.png`;
    const grid = receptiveFieldGrid(learnedWeights(trained), options.neurons, trainSet.height, trainSet.width, { zoom: 2 });
    writeFileSync(png, encodeGreyscalePng(grid.width, grid.height, grid.pixels));
  }

  const all = total.read();
  return {
    benchmark: 'learn-fashion-mnist',
    accuracy: scores.voteAccuracy,
    linear_accuracy: gradedScores?.linearAccuracy ?? scores.linearAccuracy,
    linear_accuracy_wta: scores.linearAccuracy,
    graded_theta_scale: graded?.thetaScale ?? null,
    baseline_accuracy: baselineAccuracy,
    train_images: trainSet.count,
    label_images: labelSet.count,
    test_images: testSet.count,
    neurons: options.neurons,
    fields: options.fields ? { ...options.fields, count: diehlCookLayout({ neurons: options.neurons, inputs: trained.inputs, fields: options.fields }).excitatory.length } : null,
    workers: run.workers!,
    engine: trained.engine,
    dt_ms: trained.net.dt,
    present_ms: config.presentSteps * trained.net.dt,
    record_ms: recordPresentation.presentSteps * trained.net.dt,
    rest_ms: config.restMs,
    input_total_hz: config.totalRateHz,
    wall_s: all.wall_s,
    cpu_s: all.cpu_s,
    baseline,
    training: {
      ...training,
      showings: trained.summary.showings, silent: trained.summary.silent, simulated_s: trained.simulatedS,
      real_time_factor: trained.simulatedS / training.wall_s,
      epoch_min: (training.wall_s / trainSet.count) * EPOCH_IMAGES / 60,
      epoch_cpu_min: (training.cpu_s / trainSet.count) * EPOCH_IMAGES / 60,
    },
    recording: {
      ...recording,
      showings: recordings.reduce((n, r) => n + r.summary.showings, 0),
      silent: recordings.reduce((n, r) => n + r.summary.silent, 0),
      simulated_s: recordedS,
      real_time_factor: recordedS / recording.wall_s,
    },
    neurons_per_class: perClass,
    receptive_fields_png: png,
    seed: trained.net.seed,
    data_dir: dataDir,
    load_average: [loadBefore, loadavg()[0]!],
    logical_cpus: availableParallelism(),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

/** The printed table. */
export function formatLearnReport(r: LearnBenchReport): string {
  const t = r.training;
  const lines = [
    r.fields === null
      ? `Fashion-MNIST, unsupervised STDP (Diehl & Cook 2015): ${r.neurons} excitatory neurons and an inhibitory pool, seed ${r.seed}`
      : `Fashion-MNIST, unsupervised STDP (Diehl & Cook 2015, local receptive fields): ${r.neurons} excitatory neurons in ${r.fields.count} patches of ${r.fields.size} × ${r.fields.size} pixels (stride ${r.fields.stride}), an inhibitory pool each, seed ${r.seed}`,
    `images: ${r.train_images} trained, ${r.label_images} for labelling, ${r.test_images} tested; ${r.present_ms} ms per image at dt ${r.dt_ms} ms (recordings ${r.record_ms} ms), rest ${r.rest_ms} ms (reset)`,
    `input: Poisson, rate ∝ pixel intensity, ${r.input_total_hz === null ? '63.75 Hz at intensity 255' : `${r.input_total_hz.toFixed(0)} Hz per image in total`}`,
    `engine: ${r.engine}, workers ${r.workers}; ${r.logical_cpus} logical CPUs, load average ${r.load_average[0].toFixed(1)} → ${r.load_average[1].toFixed(1)}`,
    '',
    '  read-out                              test accuracy',
    `  SNN, vote (neuron labels)             ${pct(r.accuracy)}`,
    `  SNN, softmax on spike counts          ${pct(r.linear_accuracy_wta)}`,
    ...(r.graded_theta_scale === null ? [] : [`  SNN, softmax on graded counts         ${pct(r.linear_accuracy)}   (graded recording, θ = ${r.graded_theta_scale} × median)`]),
    `  baseline, softmax on raw pixels       ${pct(r.baseline_accuracy)}`,
    '',
    '  phase        wall s     CPU s   simulated s   real-time factor',
    `  training  ${t.wall_s.toFixed(1).padStart(9)} ${t.cpu_s.toFixed(1).padStart(9)} ${t.simulated_s.toFixed(1).padStart(13)} ${t.real_time_factor.toFixed(2).padStart(18)}`,
    `  recording ${r.recording.wall_s.toFixed(1).padStart(9)} ${r.recording.cpu_s.toFixed(1).padStart(9)} ${r.recording.simulated_s.toFixed(1).padStart(13)} ${r.recording.real_time_factor.toFixed(2).padStart(18)}`,
    `  baseline  ${r.baseline.wall_s.toFixed(1).padStart(9)} ${r.baseline.cpu_s.toFixed(1).padStart(9)}`,
    `  total     ${r.wall_s.toFixed(1).padStart(9)} ${r.cpu_s.toFixed(1).padStart(9)}`,
    '',
    `one 60,000-image training epoch at this speed: ${t.epoch_min.toFixed(1)} min wall, ${t.epoch_cpu_min.toFixed(1)} min CPU (target ≤ 30 min on 2 cores)`,
    `showings: ${t.showings} for ${r.train_images} training images (repeats when < 5 spikes), ${t.silent} still silent`,
    `neurons per class: ${FASHION_MNIST_CLASSES.map((name, c) => `${name} ${r.neurons_per_class[c] ?? 0}`).join(', ')}, unlabelled ${r.neurons_per_class[r.neurons_per_class.length - 1]}`,
    r.receptive_fields_png === null ? 'receptive fields: not written' : `receptive fields: ${r.receptive_fields_png}`,
  ];
  return `${lines.join('\n')}\n`;
}
