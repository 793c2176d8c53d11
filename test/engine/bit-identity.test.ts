// Bit-identical spikes and final state for the reference engine, the in-thread engine and 1–4 workers, TypeScript and WebAssembly kernels.
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import { coba, cuba, izhikevichWithDelays, plasticInputs, plasticNetwork } from './networks.ts';
import { runEngine, runReference, type EngineRun, type StepInputs } from './run-helpers.ts';

// 1, 2, 3 and 4 workers (one with more partitions than workers), both kernels, both modes, and the in-thread engine.
const configurations: EngineRun[] = [
  { workers: 0, partitions: 3, kernels: 'ts' },
  { workers: 0, partitions: 1, kernels: 'wasm' },
  { workers: 1, partitions: 1, kernels: 'wasm' },
  { workers: 2, partitions: 4, kernels: 'wasm' },
  { workers: 3, partitions: 3, kernels: 'ts' },
  { workers: 4, partitions: 4, kernels: 'wasm', mode: 'closed-loop' },
];

const label = (c: EngineRun): string => `${c.workers} workers, ${c.partitions} partitions, ${c.kernels}${c.mode ? `, ${c.mode}` : ''}`;

async function expectIdentical(spec: NetworkSpec, steps: number, minSpikes: number, inputs?: StepInputs): Promise<void> {
  const reference = runReference(spec, steps, inputs);
  expect(reference.total).toBeGreaterThan(minSpikes);
  for (const c of configurations) {
    const result = await runEngine(spec, steps, c, inputs);
    expect({ config: label(c), ...result }).toEqual({ config: label(c), ...reference });
  }
}

describe('parallel engine: bit-identical to the single-thread reference', () => {
  it('COBA (lif_cond), 300 steps', async () => {
    await expectIdentical(coba(), 300, 500);
  });

  it('CUBA (lif), 300 steps', async () => {
    await expectIdentical(cuba(), 300, 300);
  });

  it('Izhikevich with per-synapse delays up to 16 steps and Poisson drive, 300 steps', async () => {
    await expectIdentical(izhikevichWithDelays(), 300, 500);
  });

  it('STDP and reward-STDP with threshold adaptation, injected spikes and rewards every few steps (closed loop)', async () => {
    await expectIdentical(plasticNetwork(), 300, 500, plasticInputs);
  });

  it('batches cut short by a full spike log give the same spikes (every Poisson neuron fires every step)', async () => {
    const spec = parseSpec({
      version: 1, name: 'saturated', dt_ms: 0.1, seed: 2,
      populations: [{ id: 'p', size: 130, model: { type: 'poisson', rate_hz: 20000 } }, { id: 'n', size: 50, model: { type: 'lif' } }],
      projections: [{ id: 'pn', source: 'p', target: 'n', connector: { type: 'fixed_probability', p: 0.1 }, weight: 0.05 }],
    });
    // Partition 0 (90 Poisson neurons) logs 90 spikes a step into 2¹⁸ + 90 entries: its batches end after 2913 steps.
    const steps = 6000;
    const reference = runReference(spec, steps);
    expect(reference.total).toBeGreaterThan(130 * steps);
    expect(await runEngine(spec, steps, { workers: 2, partitions: 2 })).toEqual(reference);
  });
});
