// The agent's closed-loop brain: inputs to spikes, spikes to decoders, exact snapshot continuation, reward reaching the weights.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import { Brain } from '../../agent/brain/brain.ts';
import { LatencyRecorder } from '../../agent/brain/latency-recorder.ts';
import { lowerBound } from '../../agent/brain/output-binding.ts';
import { SpikeRaster } from '../../agent/brain/spike-raster.ts';
import { SENSORIMOTOR } from './helpers.ts';

const spec = parseSpecJson(readFileSync(SENSORIMOTOR, 'utf8'));
let fakeNow = 0;
const brainOptions = { workers: 0, now: () => fakeNow };

function plasticWeights(net: CompiledNetwork, id: string): Float32Array {
  const p = net.plastic.find((q) => q.id === id)!;
  return Float32Array.from({ length: p.count }, (_, c) => net.partitions[p.locPartition[c]!]!.weight[p.locIndex[c]!]!);
}

function populationSpikes(brain: Brain, id: string): number {
  return brain.activity.totals[brain.net.populations.findIndex((p) => p.id === id)]!;
}

function drive(brain: Brain, left: number, right: number): void {
  brain.input('light_left')!.setValue(left, fakeNow);
  brain.input('light_right')!.setValue(right, fakeNow);
  brain.input('proximity')!.setValue(0.5, fakeNow);
}

describe('closed-loop brain', () => {
  it('turns an input value into spikes of its spike_source population, and silence into none', async () => {
    const brain = await Brain.create(spec, brainOptions);
    drive(brain, 1, 0);
    brain.runSteps(200);
    expect(populationSpikes(brain, 'light_left')).toBeGreaterThan(200 * 20 * 0.08 * 0.5);
    expect(populationSpikes(brain, 'light_right')).toBe(0);
    expect(populationSpikes(brain, 'hidden')).toBeGreaterThan(0);
    expect(brain.step).toBe(200);
  });

  it('fires exactly the injected spike_source neurons in the next step', async () => {
    const brain = await Brain.create(spec, brainOptions);
    brain.injectSpikes('proximity', [0, 5, 15]);
    brain.runSteps(1);
    const offset = brain.net.populations.find((p) => p.id === 'proximity')!.offset;
    expect(Array.from(brain.engine.spikes.subarray(0, brain.engine.spikeCount))).toEqual([offset, offset + 5, offset + 15]);
    expect(() => brain.injectSpikes('hidden', [0])).toThrow(expect.objectContaining({ code: 'E_BRAIN_NOT_SPIKE_SOURCE' }));
    expect(() => brain.injectSpikes('proximity', [16])).toThrow(expect.objectContaining({ code: 'E_BRAIN_NEURON_OUT_OF_RANGE' }));
  });

  it('feeds each decoder only the spikes of its own population, as local indices', async () => {
    const brain = await Brain.create(spec, brainOptions);
    const steer = brain.outputs.find((o) => o.id === 'steer')!;
    const motor = steer.population;
    // Neuron 1 of motor fires twice, neuron 0 once; spikes of other populations around them must be ignored.
    steer.observe(0, Uint32Array.of(0, motor.offset - 1, motor.offset + 1, motor.offset + 2), 4);
    steer.observe(1, Uint32Array.of(motor.offset, motor.offset + 1), 2);
    expect(steer.read()).toMatchObject({ kind: 'winner_take_all', value: 1, winner_spikes: 2, total_spikes: 3 });
    expect(lowerBound(Uint32Array.of(1, 3, 3, 7), 4, 3)).toBe(1);
    expect(lowerBound(Uint32Array.of(1, 3, 3, 7), 4, 8)).toBe(4);
  });

  it('continues from a snapshot exactly as the uninterrupted brain does (spikes, outputs, encoders)', async () => {
    const a = await Brain.create(spec, brainOptions);
    drive(a, 0.8, 0.3);
    a.runSteps(400);
    const bytes = a.snapshot();
    a.runSteps(400);
    const expected = a.raster.read(a.raster.cursorAtStep(400), 1e6);
    const b = await Brain.create(spec, { ...brainOptions, snapshot: bytes });
    expect(b.startStep).toBe(400);
    expect(b.restoreWarnings).toEqual([]);
    b.runSteps(400);
    const actual = b.raster.read(0, 1e6);
    expect(actual.neurons.length).toBeGreaterThan(100);
    expect(actual.steps).toEqual(expected.steps);
    expect(actual.neurons).toEqual(expected.neurons);
    expect(b.readOutputs()).toEqual(a.readOutputs());
  });

  it('lets reward move the reward_stdp weights, which stay put without it', async () => {
    const rewarded = await Brain.create(spec, brainOptions);
    const control = await Brain.create(spec, brainOptions);
    const initial = plasticWeights(control.net, 'hidden_to_motor');
    for (const brain of [rewarded, control]) {
      drive(brain, 0.9, 0.1);
      brain.runSteps(300);
    }
    expect(rewarded.addReward(5)).toEqual(['hidden_to_motor']);
    expect(rewarded.rewardLevels().hidden_to_motor).toBe(5);
    rewarded.runSteps(300);
    control.runSteps(300);
    const after = plasticWeights(rewarded.net, 'hidden_to_motor');
    expect(plasticWeights(control.net, 'hidden_to_motor')).toEqual(initial);
    const changed = after.filter((w, i) => w !== initial[i]).length;
    expect(changed).toBeGreaterThan(after.length / 10);
    expect(() => rewarded.addReward(1, 'hidden_recurrent')).toThrow(expect.objectContaining({ code: 'E_BRAIN_UNKNOWN_PROJECTION' }));
  });

  it('measures the latency from a value reaching an input to the step that encoded it and to its first spike', async () => {
    const brain = await Brain.create(spec, { workers: 0, now: () => fakeNow });
    fakeNow = 1000;
    brain.input('light_left')!.setValue(1, fakeNow);
    fakeNow = 1007;
    brain.runSteps(50);
    expect(brain.spikeLatency.since(0).values).toEqual([7]);
    expect(brain.stepLatency.since(0).values).toEqual([7]);
    brain.runSteps(50);
    expect([brain.spikeLatency.written, brain.stepLatency.written]).toEqual([1, 1]); // one measurement per new value, not per spike
  });
});

describe('engine choice', () => {
  it('gives the same closed-loop spikes on two worker threads as in the agent thread', async () => {
    const rasters = [];
    for (const workers of [0, 2]) {
      const brain = await Brain.create(spec, { workers, now: () => 0 });
      drive(brain, 0.7, 0.4);
      brain.runSteps(300);
      rasters.push({ kind: brain.engine.kind, spikes: brain.raster.read(0, 1e6) });
      await brain.close();
    }
    expect(rasters.map((r) => r.kind)).toEqual([expect.stringMatching(/^in-thread\//), expect.stringMatching(/^workers\(2\)\//)]);
    expect(rasters[1]!.spikes.neurons.length).toBeGreaterThan(500);
    expect(rasters[1]!.spikes).toEqual(rasters[0]!.spikes);
  });
});

describe('spike raster and latency recorder', () => {
  it('keeps the newest spikes and tells a reader that fell behind how many it missed', async () => {
    const raster = new SpikeRaster(4);
    raster.append(10, Uint32Array.of(1, 2, 3), 3);
    raster.append(11, Uint32Array.of(4, 5), 2);
    const read = raster.read(0, 100);
    expect(read).toMatchObject({ steps: [10, 10, 11, 11], neurons: [2, 3, 4, 5], missed: 1, next: 5, end: 5 });
    expect(raster.read(5, 100).neurons).toEqual([]);
    expect(raster.cursorAtStep(11)).toBe(3);
  });

  it('reports nearest-rank percentiles of the kept measurements', async () => {
    const recorder = new LatencyRecorder(100);
    for (let i = 1; i <= 100; i++) recorder.record(i);
    expect(recorder.percentiles([50, 99, 100])).toEqual([50, 99, 100]);
    expect(new LatencyRecorder().percentiles([50])).toEqual([null]);
  });
});
