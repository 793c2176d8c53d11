// The image presenter: Poisson rates from pixels, spike counting over several populations, repeats of images that draw too few spikes.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine } from '../../core/engine/create-engine.ts';
import { HasnError } from '../../core/errors.ts';
import { projectionWeights } from '../../core/learning/projection-weights.ts';
import { DIEHL_COOK_PRESENTATION, ImagePresenter, presentImages, type PresentationConfig } from '../../core/learning/presentation.ts';
import { spec } from '../core/helpers.ts';

// 4 pixel inputs, each driving its own output neuron hard: an output fires iff its pixel is on.
const NETWORK = spec({
  dt_ms: 0.5,
  populations: [
    { id: 'a', size: 2, model: { type: 'lif_cond' } },
    { id: 'pixels', size: 4, model: { type: 'poisson', rate_hz: 0 } },
    { id: 'b', size: 2, model: { type: 'lif_cond' } },
  ],
  projections: [
    { id: 'to_a', source: 'pixels', target: 'a', connector: { type: 'explicit', pairs: [[0, 0], [1, 1]] }, weight: 0.5 },
    { id: 'to_b', source: 'pixels', target: 'b', connector: { type: 'explicit', pairs: [[2, 0], [3, 1]] }, weight: 0.5 },
  ],
});

const CONFIG: PresentationConfig = { ...DIEHL_COOK_PRESENTATION, presentSteps: 200, maxRateHz: 200 };

describe('ImagePresenter', () => {
  it('counts spikes per neuron of the counted populations, concatenated in the order given', async () => {
    const net = compileNetwork(NETWORK);
    const engine = await createEngine(net, { workers: 0 });
    const presenter = new ImagePresenter(engine, 'pixels', ['b', 'a'], { ...CONFIG, minSpikes: 0 });
    const result = await presenter.present(Uint8Array.of(255, 0, 0, 255));
    // pixel 0 → a[0] (slot 2), pixel 3 → b[1] (slot 1)
    expect(presenter.counts[1]).toBeGreaterThan(0);
    expect(presenter.counts[2]).toBeGreaterThan(0);
    expect([presenter.counts[0], presenter.counts[3]]).toEqual([0, 0]);
    expect(result).toEqual({ spikes: presenter.counts.reduce((x, y) => x + y, 0), repeats: 0 });
    expect(Array.from(net.state.rate)).toEqual(new Array(8).fill(0));
    expect(engine.step).toBe(200);
    await engine.close();
  });

  it('shows an image again, brighter, while it draws fewer than minSpikes, at most maxRepeats times', async () => {
    const engine = await createEngine(compileNetwork(NETWORK), { workers: 0 });
    const silent = new ImagePresenter(engine, 'pixels', ['a', 'b'], { ...CONFIG, minSpikes: 1, maxRepeats: 3 });
    expect(await silent.present(new Uint8Array(4))).toEqual({ spikes: 0, repeats: 3 });
    expect(engine.step).toBe(4 * 200);
    // A faint pixel that needs the boost: the first showing is (almost surely) silent, a brighter one is not.
    const faint = new ImagePresenter(engine, 'pixels', ['a', 'b'], { ...CONFIG, maxRateHz: 4, minSpikes: 1, maxRepeats: 40, repeatBoost: 2 });
    const result = await faint.present(Uint8Array.of(255, 0, 0, 0));
    expect(result.spikes).toBeGreaterThan(0);
    expect(result.repeats).toBeGreaterThan(0);
    await engine.close();
  });

  /** The pixel rates the engine sees while each image is shown (one step each), under `config`'s normalisation. */
  async function ratesSeen(config: Partial<PresentationConfig>, images: Uint8Array[]): Promise<number[][]> {
    const net = compileNetwork(NETWORK);
    const engine = await createEngine(net, { workers: 0 });
    const seen: number[][] = [];
    const presenter = new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, ...config, presentSteps: 1, minSpikes: 0 });
    const run = engine.run.bind(engine);
    engine.run = async (steps, observe) => {
      seen.push(Array.from(net.state.rate.subarray(2, 6)));
      return run(steps, observe);
    };
    for (const image of images) await presenter.present(image);
    await engine.close();
    return seen;
  }

  it('scales each image to the same total rate when totalRateHz is set', async () => {
    const seen = await ratesSeen({ totalRateHz: 300 }, [Uint8Array.of(255, 0, 0, 0), Uint8Array.of(10, 20, 30, 0)]);
    expect(seen[0]).toEqual([300, 0, 0, 0]);
    expect(seen[1]!.map((r) => Math.round(r))).toEqual([50, 100, 150, 0]);
  });

  it('scales each image to the same Euclidean norm of its rates when l2RateHz is set', async () => {
    const seen = await ratesSeen({ totalRateHz: null, l2RateHz: 10 }, [Uint8Array.of(3, 4, 0, 0), Uint8Array.of(0, 0, 200, 0)]);
    expect(seen[0]!.map((r) => Math.round(r * 1000) / 1000)).toEqual([6, 8, 0, 0]);
    expect(seen[1]).toEqual([0, 0, 10, 0]);
  });

  it('rejects images of the wrong size and bad configurations with stable codes', async () => {
    const engine = await createEngine(compileNetwork(NETWORK), { workers: 0 });
    const presenter = new ImagePresenter(engine, 'pixels', ['a'], CONFIG);
    await expect(presenter.present(new Uint8Array(3))).rejects.toMatchObject({ code: 'E_LEARNING_SHAPE' });
    const code = (f: () => unknown) => { try { f(); } catch (err) { return (err as HasnError).code; } return undefined; };
    expect(code(() => new ImagePresenter(engine, 'a', ['b'], CONFIG))).toBe('E_LEARNING_POPULATION');
    expect(code(() => new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, presentSteps: 0 }))).toBe('E_LEARNING_PRESENTATION');
    expect(code(() => new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, totalRateHz: -1 }))).toBe('E_LEARNING_PRESENTATION');
    expect(code(() => new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, l2RateHz: Number.NaN }))).toBe('E_LEARNING_PRESENTATION');
    expect(code(() => new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, totalRateHz: 100, l2RateHz: 10 }))).toBe('E_LEARNING_PRESENTATION');
    await engine.close();
  });
});

describe('presentImages', () => {
  it('normalises before each image, records each image\'s counts as a row and sums up the showings', async () => {
    const net = compileNetwork(spec({
      ...NETWORK,
      projections: [{ id: 'to_a', source: 'pixels', target: 'a', connector: { type: 'all_to_all' }, weight: { dist: 'uniform', low: 0.1, high: 0.3 } }],
    }));
    const engine = await createEngine(net, { workers: 0 });
    const presenter = new ImagePresenter(engine, 'pixels', ['a'], { ...CONFIG, minSpikes: 0 });
    const images = { count: 2, height: 2, width: 2, pixels: Uint8Array.of(255, 255, 0, 0, 0, 0, 0, 0), labels: Uint8Array.of(0, 1) };
    const responses = new Uint32Array(2 * 2);
    const seen: number[] = [];
    const summary = await presentImages(presenter, images, { normalize: { projectionIds: ['to_a'], total: 1 }, responses, onImage: (k) => seen.push(k) });
    expect(summary).toEqual({ images: 2, showings: 2, silent: 0, steps: 400 });
    expect(seen).toEqual([0, 1]);
    expect(responses[0]! + responses[1]!).toBeGreaterThan(0);
    expect([responses[2], responses[3]]).toEqual([0, 0]);
    const w = net.partitions[0]!.weight;
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 5);
    await expect(presentImages(presenter, images, { normalize: { projectionIds: ['nope'], total: 1 } })).rejects.toMatchObject({ code: 'E_LEARNING_NORMALIZE' });
    await engine.close();
  });

  it('normalises each projection to its own total when given one per projection', async () => {
    const drawn = { dist: 'uniform' as const, low: 0.1, high: 0.3 };
    const net = compileNetwork(spec({
      ...NETWORK,
      projections: [
        { id: 'to_a', source: 'pixels', target: 'a', connector: { type: 'all_to_all' }, weight: drawn },
        { id: 'to_b', source: 'pixels', target: 'b', connector: { type: 'explicit', pairs: [[2, 0], [3, 0], [3, 1]] }, weight: drawn },
      ],
    }));
    const engine = await createEngine(net, { workers: 0 });
    const presenter = new ImagePresenter(engine, 'pixels', ['a', 'b'], { ...CONFIG, minSpikes: 0 });
    const images = { count: 1, height: 2, width: 2, pixels: new Uint8Array(4), labels: Uint8Array.of(0) };
    await presentImages(presenter, images, { normalize: { projectionIds: ['to_a', 'to_b'], total: [1, 0.25] } });
    const sums = (id: string) => {
      const w = projectionWeights(net, id);
      return [0, 1].map((t) => w.subarray(t * 4, t * 4 + 4).reduce((x, y) => x + y, 0));
    };
    expect(sums('to_a')[0]).toBeCloseTo(1, 5);
    expect(sums('to_a')[1]).toBeCloseTo(1, 5);
    expect(sums('to_b')[0]).toBeCloseTo(0.25, 5);
    expect(sums('to_b')[1]).toBeCloseTo(0.25, 5);
    await engine.close();
  });
});
