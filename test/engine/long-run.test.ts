// A brain that runs for months: refractoriness, delays and silence behave the same past 2³¹ and 2³² steps as from step 0, and Poisson inputs do not repeat.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type EngineOptions } from '../../core/engine/create-engine.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { LAST_SPIKE_AGE_INTERVAL, LAST_SPIKE_HORIZON, POISSON_STREAM } from '../../core/engine/neurons.ts';
import { uniform32 } from '../../core/random.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';

// Neurons driven by a constant current fire at their refractory limit; others only fire when the
// spike source (injected at fixed relative steps) reaches them through 1- and 4-step delays.
const spec: NetworkSpec = parseSpec({
  version: 1, name: 'long-run', dt_ms: 1, seed: 3,
  populations: [
    { id: 'source', size: 3, model: { type: 'spike_source' } },
    { id: 'paced', size: 5, model: { type: 'lif', tau_refrac_ms: 4, i_offset_nA: 2 } },
    { id: 'paced_cond', size: 4, model: { type: 'lif_cond', tau_refrac_ms: 3, i_offset_nA: 1 } },
    { id: 'quiet', size: 6, model: { type: 'lif', tau_refrac_ms: 2 } },
  ],
  projections: [
    { id: 'near', source: 'source', target: 'quiet', connector: { type: 'all_to_all' }, weight: 8, delay_ms: 1 },
    { id: 'far', source: 'source', target: 'quiet', connector: { type: 'all_to_all' }, weight: 8, delay_ms: 4 },
  ],
});

const STEPS = 160;
const injectAt = new Set([5, 6, 40, 41, 42, 100]);

/** Spikes as (step − start, neuron) after running STEPS steps from `start`, every neuron last spiking `since` steps before it. */
async function relativeSpikes(start: number, since: number, engine: 'reference' | EngineOptions): Promise<string[]> {
  const net = compileNetwork(spec, { partitions: engine === 'reference' ? 1 : Math.max(1, engine.workers ?? 1), memory: engine === 'reference' ? 'shared' : 'wasm' });
  net.state.lastSpike.fill((start - since) | 0); // what a restored snapshot of a long-running brain holds
  const out: string[] = [];
  const record = (step: number, spikes: Uint32Array, count: number): void => {
    for (let k = 0; k < count; k++) out.push(`${step - start}:${spikes[k]}`);
  };
  if (engine === 'reference') {
    const e = new ReferenceEngine(net, start);
    for (let i = 0; i < STEPS; i++) {
      if (injectAt.has(i)) e.inject([0, 2]);
      e.advance();
      record(start + i, e.spikes, e.spikeCount);
    }
    return out;
  }
  const e = await createEngine(net, { ...engine, startStep: start, mode: 'closed-loop' });
  try {
    for (let i = 0; i < STEPS; i++) {
      if (injectAt.has(i)) e.inject([0, 2]);
      e.advance();
      record(start + i, e.spikes, e.spikeCount);
    }
  } finally {
    await e.close();
  }
  return out;
}

describe('long-running brains (step counters past 2³¹ and 2³²)', () => {
  const engines: ('reference' | EngineOptions)[] = ['reference', { workers: 0, kernels: 'wasm' }, { workers: 0, kernels: 'ts' }, { workers: 2, kernels: 'wasm' }];
  const starts = [
    ['across 2³¹', 2 ** 31 - 60],
    ['across 2³²', 2 ** 32 - 60],
    ['across an ageing step, with last spikes just inside the horizon', 5 * LAST_SPIKE_AGE_INTERVAL - 60],
    ['across 2⁴⁰', 2 ** 40 - 60],
  ] as const;

  it('the same spikes, relative to the start, as a brain started at step 0 — for every engine and start', async () => {
    const fromZero = await relativeSpikes(0, LAST_SPIKE_HORIZON, 'reference');
    const neuron = (s: string): number => Number(s.split(':')[1]);
    expect(fromZero.filter((s) => neuron(s) >= 3 && neuron(s) < 12).length).toBeGreaterThan(60); // paced neurons, throughout
    expect(fromZero.filter((s) => neuron(s) >= 12).length).toBeGreaterThan(12); // quiet neurons, after injections
    for (const [label, start] of starts) {
      for (const engine of engines) {
        const since = label.includes('horizon') ? LAST_SPIKE_HORIZON - 10 : LAST_SPIKE_HORIZON;
        expect({ label, engine, spikes: await relativeSpikes(start, since, engine) }).toEqual({ label, engine, spikes: fromZero });
      }
    }
  });

  it('Poisson inputs do not repeat after 2³² steps, and draw the same below 2³² as before', async () => {
    const poisson = parseSpec({
      version: 1, name: 'poisson', dt_ms: 1, seed: 5,
      populations: [{ id: 'in', size: 50, model: { type: 'poisson', rate_hz: 100 } }],
      projections: [],
    });
    const spikesFrom = (start: number): string[] => {
      const e = new ReferenceEngine(compileNetwork(poisson, { memory: 'shared' }), start);
      const out: string[] = [];
      for (let i = 0; i < 200; i++) {
        e.advance();
        for (let k = 0; k < e.spikeCount; k++) out.push(`${i}:${e.spikes[k]}`);
      }
      return out;
    };
    const early = spikesFrom(1000);
    expect(early.length).toBeGreaterThan(500); // 50 neurons × 200 steps × 0.1
    const nextEpoch = spikesFrom(2 ** 32 + 1000);
    const shared = nextEpoch.filter((s) => early.includes(s)).length;
    expect(shared).toBeLessThan(early.length * 0.2); // independent draws share ~10 % by chance; a repeat would share all
    expect(spikesFrom(2 ** 33 + 1000)).not.toEqual(nextEpoch);
    // Below 2³² the key is the step itself: neuron 0's draws are uniform32(seed, POISSON_STREAM, 0, step), as always.
    const e = new ReferenceEngine(compileNetwork(poisson, { memory: 'shared' }), 1000);
    const fired: number[] = [];
    for (let i = 0; i < 200; i++) {
      e.advance();
      if (e.spikeCount > 0 && e.spikes[0] === 0) fired.push(1000 + i);
    }
    const expected = Array.from({ length: 200 }, (_, i) => 1000 + i).filter((step) => uniform32(5, POISSON_STREAM, 0, step) < 0.1);
    expect(fired).toEqual(expected);
  });

  it('a neuron silent for longer than the horizon is free to fire (its last spike is aged, not wrapped into a refractory period)', async () => {
    // Last spikes 2³¹ − 5 steps back: without ageing, step − lastSpike wraps to a negative int32.
    const start = 7 * LAST_SPIKE_AGE_INTERVAL;
    const reference = await relativeSpikes(0, LAST_SPIKE_HORIZON, 'reference');
    expect(await relativeSpikes(start, 2 ** 31 - 5, { workers: 0, kernels: 'wasm' })).toEqual(reference);
    expect(await relativeSpikes(start, 2 ** 31 - 5, 'reference')).toEqual(reference);
  });
});
