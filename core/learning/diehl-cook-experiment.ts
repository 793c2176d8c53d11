// The phases of the Diehl & Cook benchmark on any engine: unsupervised training, frozen recording of responses, read-outs.
//
//   const trained = await trainDiehlCook(trainImages, { neurons: 400 });          // STDP + normalisation, θ adapts
//   const labelled = await recordDiehlCook(trained.net, labelImages, options);     // frozen copy: no STDP, θ fixed
//   const tested = await recordDiehlCook(trained.net, testImages, options);
//   const scores = scoreReadouts(labelled.responses, labelImages.labels, tested.responses, testImages.labels, 400, 10);
//
// Training compiles the spec of diehl-cook-spec.ts and drives it with ImagePresenter; nothing in the
// engine knows it is learning images. Recording copies the learned weights and θ into the evaluation
// variant of the same spec (same seed, so the same network otherwise).
import { compileNetwork } from '../compile/compile.ts';
import type { CompiledNetwork } from '../compile/types.ts';
import { createEngine, type KernelKind } from '../engine/create-engine.ts';
import { parseSpec } from '../spec/validate.ts';
import { diehlCookLayout, diehlCookSpec, diehlCookWeightTotal, type DiehlCookOptions } from './diehl-cook-spec.ts';
import { gradeNetwork, type GradedRecording } from './graded-recording.ts';
import type { LabelledImages } from './images.ts';
import { setThresholdOffsets, thresholdOffsets } from './network-state.ts';
import { DIEHL_COOK_PRESENTATION, ImagePresenter, presentImages, type PresentAllSummary, type PresentationConfig, type PresentationResult } from './presentation.ts';
import { projectionWeights, setProjectionWeights } from './projection-weights.ts';
import { predictSoftmax, trainSoftmaxRegression, type SoftmaxOptions } from './softmax-regression.ts';
import { accuracy, assignNeuronLabels, classifyByVote } from './vote-readout.ts';

export interface DiehlCookRunOptions extends Omit<DiehlCookOptions, 'inputs' | 'stdp' | 'adaptThreshold'> {
  /** STDP during training (false: the untrained control, θ still adapts). Default true. */
  stdp?: boolean;
  /** Engine worker threads (0 = this thread). Default 0. */
  workers?: number;
  kernels?: KernelKind;
  /** Presentation timing and rates; presentSteps defaults to 350 ms worth of steps. */
  presentation?: Partial<PresentationConfig>;
  onImage?: (index: number, result: PresentationResult) => void;
}

export interface PhaseResult {
  summary: PresentAllSummary;
  /** Simulated time of the shown steps (s). */
  simulatedS: number;
  /** e.g. `in-thread/wasm`, `workers(2)/wasm`. */
  engine: string;
}

export interface TrainedNetwork extends PhaseResult {
  net: CompiledNetwork;
  /** Pixels per image. */
  inputs: number;
  options: DiehlCookRunOptions;
}

export interface Recording extends PhaseResult {
  /** images × neurons spike counts of the excitatory population. */
  responses: Uint32Array;
}

export function presentationConfig(options: DiehlCookRunOptions): PresentationConfig {
  const dt = options.dtMs ?? 0.5;
  return { ...DIEHL_COOK_PRESENTATION, presentSteps: Math.round(350 / dt), ...options.presentation };
}

async function runPhase(net: CompiledNetwork, images: LabelledImages, options: DiehlCookRunOptions, normalize: boolean, responses?: Uint32Array): Promise<PhaseResult> {
  const ids = diehlCookLayout({ ...options, inputs: images.height * images.width });
  const engine = await createEngine(net, { workers: options.workers ?? 0, ...(options.kernels ? { kernels: options.kernels } : {}) });
  try {
    const presenter = new ImagePresenter(engine, ids.input, ids.excitatory, presentationConfig(options));
    const summary = await presentImages(presenter, images, {
      ...(normalize ? { normalize: { projectionIds: ids.learned, total: ids.fieldPixels.map((pixels) => diehlCookWeightTotal(pixels.length)) } } : {}),
      ...(responses ? { responses } : {}),
      ...(options.onImage ? { onImage: options.onImage } : {}),
    });
    return { summary, simulatedS: (summary.steps * net.dt) / 1000, engine: engine.kind };
  } finally {
    await engine.close();
  }
}

function compileVariant(options: DiehlCookRunOptions, inputs: number, stdp: boolean, adaptThreshold: boolean): CompiledNetwork {
  const spec = parseSpec(diehlCookSpec({
    neurons: options.neurons, inputs, stdp, adaptThreshold,
    ...(options.dtMs === undefined ? {} : { dtMs: options.dtMs }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.groups === undefined ? {} : { groups: options.groups }),
    ...(options.fields === undefined ? {} : { fields: options.fields }),
  }));
  return compileNetwork(spec, { partitions: Math.max(1, options.workers ?? 0) });
}

/** Shows every training image once with STDP (or without, `stdp: false`), normalising weights before each. */
export async function trainDiehlCook(images: LabelledImages, options: DiehlCookRunOptions): Promise<TrainedNetwork> {
  const net = compileVariant(options, images.height * images.width, options.stdp ?? true, true);
  const phase = await runPhase(net, images, options, true);
  return { ...phase, net, inputs: images.height * images.width, options };
}

export interface RecordOptions extends Pick<DiehlCookRunOptions, 'workers' | 'kernels' | 'onImage' | 'presentation'> {
  /** Record the graded variant (graded-recording.ts) instead of Diehl & Cook's test mode. */
  graded?: GradedRecording;
}

/**
 * Shows every image to a frozen copy of the trained network (no plasticity, θ fixed) and records its spike counts.
 * `presentation` overrides the training presentation (e.g. a longer showing: more spikes, less Poisson noise in the counts).
 */
export async function recordDiehlCook(trained: TrainedNetwork, images: LabelledImages, overrides: RecordOptions = {}): Promise<Recording> {
  const { presentation, graded, ...rest } = overrides;
  const options = { ...trained.options, ...rest, presentation: { ...trained.options.presentation, ...presentation } };
  const frozen = compileVariant(options, images.height * images.width, false, false);
  const ids = diehlCookLayout({ ...options, inputs: images.height * images.width });
  for (const id of ids.learned) setProjectionWeights(frozen, id, projectionWeights(trained.net, id));
  for (const id of ids.excitatory) setThresholdOffsets(frozen, id, thresholdOffsets(trained.net, id));
  if (graded) gradeNetwork(frozen, ids, graded);
  const responses = new Uint32Array(images.count * options.neurons);
  const phase = await runPhase(frozen, images, options, false, responses);
  return { ...phase, responses };
}

/** The learned input weights of every excitatory neuron: neurons × inputs, neuron order as in the responses. */
export function learnedWeights(trained: TrainedNetwork): Float32Array {
  const parts = diehlCookLayout({ ...trained.options, inputs: trained.inputs }).learned.map((id) => projectionWeights(trained.net, id));
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

export interface ReadoutScores {
  /** Diehl & Cook's vote read-out. */
  voteAccuracy: number;
  /** Softmax regression on spike counts. */
  linearAccuracy: number;
  /** Class of each neuron (−1: never fired on the labelling images). */
  neuronLabels: Int16Array;
}

/** Fits both read-outs on the labelling responses and scores them on the test responses. */
export function scoreReadouts(
  labelResponses: Uint32Array, labelLabels: Uint8Array, testResponses: Uint32Array, testLabels: Uint8Array,
  neurons: number, classes: number, softmax: SoftmaxOptions = {},
): ReadoutScores {
  const neuronLabels = assignNeuronLabels(labelResponses, labelLabels, neurons, classes);
  const voteAccuracy = accuracy(classifyByVote(testResponses, neuronLabels, classes), testLabels);
  const model = trainSoftmaxRegression(labelResponses, labelLabels, classes, { epochs: 30, ...softmax });
  const linearAccuracy = accuracy(predictSoftmax(model, testResponses), testLabels);
  return { voteAccuracy, linearAccuracy, neuronLabels };
}
