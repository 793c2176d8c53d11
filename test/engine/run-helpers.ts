// Runs a spec on the reference engine or on createEngine and fingerprints the result: spike hash and a hash of the whole final state.
import { createHash } from 'node:crypto';
import { compileNetwork } from '../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { createEngine, type EngineOptions } from '../../core/engine/create-engine.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { SpikeRecorder } from '../../core/engine/recorder.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

export interface Fingerprint {
  spikes: string;
  total: number;
  /** sha256 over every neuron array, the ring, and plastic weights/eligibility/traces in canonical order. */
  state: string;
}

/** Per-step inputs: neurons to inject and reward to add before each step. */
export interface StepInputs {
  inject(step: number): number[];
  reward(step: number): number;
}

export function stateHash(net: CompiledNetwork): string {
  const h = createHash('sha256');
  const add = (a: ArrayBufferView): void => { h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)); };
  const s = net.state;
  for (const a of [s.v, s.synE, s.synI, s.u, s.theta, s.lastSpike, s.inject, s.ring]) add(a);
  for (const p of net.plastic) {
    const w = new Float32Array(p.count);
    for (let c = 0; c < p.count; c++) w[c] = net.partitions[p.locPartition[c]!]!.weight[p.locIndex[c]!]!;
    for (const a of [w, p.eligibility, p.preTrace, p.postTrace]) add(a);
  }
  add(net.reward);
  return h.digest('hex');
}

export function runReference(spec: NetworkSpec, steps: number, inputs?: StepInputs): Fingerprint {
  const net = compileNetwork(spec, { partitions: 1, memory: 'shared' });
  const engine = new ReferenceEngine(net);
  const recorder = new SpikeRecorder(net.populations);
  for (let k = 0; k < steps; k++) {
    if (inputs) {
      engine.inject(inputs.inject(engine.step));
      const r = inputs.reward(engine.step);
      if (r !== 0) engine.addReward(r);
    }
    engine.run(1, (step, spikes, count) => recorder.record(step, spikes, count));
  }
  return { spikes: recorder.digest(), total: recorder.total, state: stateHash(net) };
}

export interface EngineRun extends EngineOptions {
  partitions: number;
}

/** Batch runs use run(steps); with per-step inputs the engine is stepped with advance() (the closed loop). */
export async function runEngine(spec: NetworkSpec, steps: number, options: EngineRun, inputs?: StepInputs): Promise<Fingerprint> {
  const net = compileNetwork(spec, { partitions: options.partitions });
  const engine = await createEngine(net, options);
  const recorder = new SpikeRecorder(net.populations);
  try {
    if (inputs) {
      const local = new Uint32Array(64);
      for (let k = 0; k < steps; k++) {
        // Alternate the two ways of marking inputs: global indices, and an encoder's local indices + offset.
        const due = inputs.inject(engine.step);
        if (k % 2 === 0) engine.inject(due);
        else {
          local.set(due.map((i) => i - 100));
          engine.markSpikes(100, local, due.length);
        }
        const r = inputs.reward(engine.step);
        if (r !== 0) engine.addReward(r);
        engine.advance();
        recorder.record(engine.step - 1, engine.spikes, engine.spikeCount);
      }
    } else {
      await engine.run(steps, (step, spikes, count) => recorder.record(step, spikes, count));
    }
  } finally {
    await engine.close();
  }
  return { spikes: recorder.digest(), total: recorder.total, state: stateHash(net) };
}
