// Shows images to a network through a Poisson input population (rate ∝ pixel intensity) and counts the spikes of chosen populations per image.
//
// One presentation (Diehl & Cook 2015): input rates from the pixels, `presentSteps` steps, then the rest
// (restNetwork). An image that drew fewer than `minSpikes` spikes from the counted population is shown again,
// after the rest, with rates raised by `repeatBoost` of the original each time (their "intensity + 1" from 2
// is 0.5), at most `maxRepeats` times; the counts of the last showing are kept. Plasticity runs during every
// showing; the network's spec decides whether there is any. Nothing here depends on the engine kind.
import type { Engine } from '../engine/create-engine.ts';
import { HasnError } from '../errors.ts';
import type { LabelledImages } from './images.ts';
import { populationOf, restNetwork } from './network-state.ts';
import { normalizeIncomingWeights } from './projection-weights.ts';

export interface PresentationConfig {
  /** Steps per showing. */
  presentSteps: number;
  /** Rest after each showing (ms), applied by restNetwork. */
  restMs: number;
  /** Rate of a pixel of intensity 255 (Hz). Diehl & Cook: 63.75. */
  maxRateHz: number;
  /**
   * When set, each image's rates are scaled so that they sum to this (Hz) instead, still ∝ intensity: large
   * and small garments then drive the network equally hard. null: the fixed maxRateHz scale (Diehl & Cook).
   */
  totalRateHz: number | null;
  /**
   * When set (totalRateHz must then be null), each image's rates are scaled so that their Euclidean norm is this
   * (Hz), still ∝ intensity: the drive of a neuron with unit-norm weights is then the cosine of image and weights.
   */
  l2RateHz?: number | null;
  /** Fewest spikes of the counted population for a showing to count. Diehl & Cook: 5. */
  minSpikes: number;
  maxRepeats: number;
  repeatBoost: number;
}

export const DIEHL_COOK_PRESENTATION: PresentationConfig = { presentSteps: 700, restMs: 150, maxRateHz: 63.75, totalRateHz: null, minSpikes: 5, maxRepeats: 5, repeatBoost: 0.5 };

export interface PresentationResult {
  /** Spikes of the counted population in the kept showing. */
  spikes: number;
  /** Extra showings needed (0 when the first one drew enough spikes). */
  repeats: number;
}

export class ImagePresenter {
  /** Spikes per neuron of the counted populations (concatenated, in the order given) in the current showing. */
  readonly counts: Uint32Array;
  /** 1 for each counted neuron that fired in any showing since the caller last cleared it (same layout as counts). */
  readonly fired: Uint8Array;
  /** Where each counted population's neurons sit in `counts`. */
  readonly counted: readonly { id: string; start: number; size: number }[];
  private readonly inputOffset: number;
  private readonly inputSize: number;
  private readonly rate: Float32Array;
  private readonly observe: (step: number, spikes: Uint32Array, count: number) => void;

  constructor(readonly engine: Engine, inputId: string, countedIds: readonly string[], readonly config: PresentationConfig) {
    const input = populationOf(engine.net, inputId);
    if (input.model.type !== 'poisson') throw new HasnError('E_LEARNING_POPULATION', `input population '${inputId}' must be poisson, it is ${input.model.type}`, { path: 'input' });
    checkConfig(config);
    const counted = countedIds.map((id) => populationOf(engine.net, id));
    this.inputOffset = input.offset;
    this.inputSize = input.size;
    this.counts = new Uint32Array(counted.reduce((n, p) => n + p.size, 0));
    this.fired = new Uint8Array(this.counts.length);
    this.rate = engine.net.state.rate;
    // Where each global neuron's count goes (−1: not counted), so the per-step observer is one lookup per spike.
    const slot = new Int32Array(engine.net.neuronCount).fill(-1);
    let at = 0;
    this.counted = counted.map((pop) => {
      for (let i = 0; i < pop.size; i++) slot[pop.offset + i] = at + i;
      at += pop.size;
      return { id: pop.id, start: at - pop.size, size: pop.size };
    });
    const counts = this.counts;
    const fired = this.fired;
    this.observe = (_step, spikes, count) => {
      for (let k = 0; k < count; k++) {
        const c = slot[spikes[k]!]!;
        if (c >= 0) {
          counts[c]!++;
          fired[c] = 1;
        }
      }
    };
  }

  /** Shows one image (`pixels`: inputSize intensities 0–255); its spike counts are in `counts` afterwards. */
  async present(pixels: Uint8Array): Promise<PresentationResult> {
    if (pixels.length !== this.inputSize) throw new HasnError('E_LEARNING_SHAPE', `the input population has ${this.inputSize} neurons, the image ${pixels.length} pixels`, { path: 'pixels' });
    const { presentSteps, restMs, maxRateHz, totalRateHz, minSpikes, maxRepeats, repeatBoost } = this.config;
    let base = maxRateHz / 255;
    const l2RateHz = this.config.l2RateHz ?? null;
    if (totalRateHz !== null) {
      let sum = 0;
      for (let i = 0; i < pixels.length; i++) sum += pixels[i]!;
      base = sum > 0 ? totalRateHz / sum : 0;
    } else if (l2RateHz !== null) {
      let squares = 0;
      for (let i = 0; i < pixels.length; i++) squares += pixels[i]! * pixels[i]!;
      base = squares > 0 ? l2RateHz / Math.sqrt(squares) : 0;
    }
    let repeats = 0;
    for (;;) {
      const scale = base * (1 + repeats * repeatBoost);
      for (let i = 0; i < this.inputSize; i++) this.rate[this.inputOffset + i] = pixels[i]! * scale;
      this.counts.fill(0);
      await this.engine.run(presentSteps, this.observe);
      this.rate.fill(0, this.inputOffset, this.inputOffset + this.inputSize);
      restNetwork(this.engine.net, restMs);
      let spikes = 0;
      for (let i = 0; i < this.counts.length; i++) spikes += this.counts[i]!;
      if (spikes >= minSpikes || repeats >= maxRepeats) return { spikes, repeats };
      repeats++;
    }
  }
}

function checkConfig(c: PresentationConfig): void {
  const bad = (field: string, what: string): never => { throw new HasnError('E_LEARNING_PRESENTATION', `${field} must be ${what}`, { path: field }); };
  if (!(Number.isInteger(c.presentSteps) && c.presentSteps > 0)) bad('presentSteps', 'a whole number > 0');
  if (!(c.restMs >= 0)) bad('restMs', '≥ 0');
  if (!(c.maxRateHz > 0 && Number.isFinite(c.maxRateHz))) bad('maxRateHz', 'a finite number > 0');
  if (c.totalRateHz !== null && !(c.totalRateHz > 0 && Number.isFinite(c.totalRateHz))) bad('totalRateHz', 'null or a finite number > 0');
  const l2 = c.l2RateHz ?? null;
  if (l2 !== null && !(l2 > 0 && Number.isFinite(l2))) bad('l2RateHz', 'null or a finite number > 0');
  if (l2 !== null && c.totalRateHz !== null) bad('l2RateHz', 'null when totalRateHz is set (one normalisation at a time)');
  if (!(Number.isInteger(c.minSpikes) && c.minSpikes >= 0)) bad('minSpikes', 'a whole number ≥ 0');
  if (!(Number.isInteger(c.maxRepeats) && c.maxRepeats >= 0)) bad('maxRepeats', 'a whole number ≥ 0');
  if (!(c.repeatBoost >= 0 && Number.isFinite(c.repeatBoost))) bad('repeatBoost', 'a finite number ≥ 0');
}

export interface PresentAllOptions {
  /**
   * Normalise these projections' incoming weights to `total` per target before each image (training): all of them
   * before the first image, then those of the neurons that fired since (the only ones STDP changed).
   * Projection i must end in counted population i; `total` is one for all, or one per projection.
   */
  normalize?: { projectionIds: readonly string[]; total: number | readonly number[] };
  /** Receives each image's counts: row i of an images × neurons matrix. */
  responses?: Uint32Array;
  /** Called after each image (progress, timing). */
  onImage?: (index: number, result: PresentationResult) => void;
}

export interface PresentAllSummary {
  images: number;
  /** Showings including repeats. */
  showings: number;
  /** Images still under minSpikes after every repeat. */
  silent: number;
  /** Steps simulated (showings × presentSteps). */
  steps: number;
}

function checkNormalized(presenter: ImagePresenter, projectionIds: readonly string[]): void {
  const projections = presenter.engine.net.spec.projections;
  projectionIds.forEach((id, i) => {
    const proj = projections.find((p) => p.id === id);
    if (proj === undefined || proj.target !== presenter.counted[i]?.id) {
      throw new HasnError('E_LEARNING_NORMALIZE', `normalised projection ${i} ('${id}') must end in counted population ${i} ('${presenter.counted[i]?.id ?? 'none'}')`, { path: `normalize.projectionIds[${i}]` });
    }
  });
}

/** Shows every image in order. */
export async function presentImages(presenter: ImagePresenter, images: LabelledImages, options: PresentAllOptions = {}): Promise<PresentAllSummary> {
  const size = images.height * images.width;
  const neurons = presenter.counts.length;
  if (options.responses !== undefined && options.responses.length !== images.count * neurons) {
    throw new HasnError('E_LEARNING_SHAPE', `responses need ${images.count} × ${neurons} entries, got ${options.responses.length}`, { path: 'responses' });
  }
  const net = presenter.engine.net;
  const normalize = options.normalize;
  if (normalize) checkNormalized(presenter, normalize.projectionIds);
  let showings = 0;
  let silent = 0;
  for (let k = 0; k < images.count; k++) {
    if (normalize) {
      normalize.projectionIds.forEach((id, i) => {
        const { start, size } = presenter.counted[i]!;
        normalizeIncomingWeights(net, id, typeof normalize.total === 'number' ? normalize.total : normalize.total[i]!, k === 0 ? {} : { targets: presenter.fired.subarray(start, start + size) });
      });
      presenter.fired.fill(0);
    }
    const result = await presenter.present(images.pixels.subarray(k * size, (k + 1) * size));
    showings += 1 + result.repeats;
    if (result.spikes < presenter.config.minSpikes) silent++;
    options.responses?.set(presenter.counts, k * neurons);
    options.onImage?.(k, result);
  }
  return { images: images.count, showings, silent, steps: showings * presenter.config.presentSteps };
}
