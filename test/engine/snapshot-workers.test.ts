// A brain snapshot taken from a parallel run restores into an engine with another worker count and continues exactly as an uninterrupted run.
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type Engine } from '../../core/engine/create-engine.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { SpikeRecorder } from '../../core/engine/recorder.ts';
import { encodeSnapshot, restoreSnapshot } from '../../core/state/index.ts';
import { plasticInputs, plasticNetwork } from './networks.ts';
import { stateHash } from './run-helpers.ts';

const spec = plasticNetwork();
const HALF = 250;

function stepWithInputs(engine: Engine, recorder: SpikeRecorder, steps: number): void {
  for (let k = 0; k < steps; k++) {
    engine.inject(plasticInputs.inject(engine.step));
    const r = plasticInputs.reward(engine.step);
    if (r !== 0) engine.addReward(r);
    engine.advance();
    recorder.record(engine.step - 1, engine.spikes, engine.spikeCount);
  }
}

describe('snapshots across worker counts', () => {
  it('2 workers for T steps, snapshot, restore into 3 workers, T more steps = the reference engine for 2T steps', async () => {
    const refNet = compileNetwork(spec, { memory: 'shared' });
    const reference = new ReferenceEngine(refNet);
    const refSecondHalf = new SpikeRecorder(refNet.populations);
    for (let k = 0; k < 2 * HALF; k++) {
      reference.inject(plasticInputs.inject(reference.step));
      const r = plasticInputs.reward(reference.step);
      if (r !== 0) reference.addReward(r);
      reference.run(1, (step, spikes, count) => { if (step >= HALF) refSecondHalf.record(step, spikes, count); });
    }

    const first = compileNetwork(spec, { partitions: 2 });
    const two = await createEngine(first, { workers: 2 });
    stepWithInputs(two, new SpikeRecorder(first.populations), HALF);
    const snapshot = encodeSnapshot(first, two.step);
    await two.close();

    const second = compileNetwork(spec, { partitions: 3 });
    const { step } = restoreSnapshot(second, snapshot);
    expect(step).toBe(HALF);
    const three = await createEngine(second, { workers: 3, startStep: step });
    const secondHalf = new SpikeRecorder(second.populations);
    stepWithInputs(three, secondHalf, HALF);
    await three.close();

    expect(secondHalf.total).toBeGreaterThan(100);
    expect(secondHalf.digest()).toBe(refSecondHalf.digest());
    expect(stateHash(second)).toBe(stateHash(refNet));
  });
});
