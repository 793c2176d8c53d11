// Closed-loop step latency: a 10k-neuron COBA network fed by 32 input channels, stepped one step at a time as the agent does.
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type EngineMode } from '../../core/engine/create-engine.ts';
import { uniform32 } from '../../core/random.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { referenceSpec } from '../reference-networks.ts';
import { percentile } from './measure.ts';

export const INPUT_CHANNELS = 32;

/** COBA at 10 000 neurons plus a spike_source population of 32 neurons, one per input channel, projecting onto exc. */
export function closedLoopSpec(): NetworkSpec {
  const base = referenceSpec('coba', { neurons: 10_000, seed: 1 });
  return {
    ...base,
    populations: [...base.populations, { id: 'input', size: INPUT_CHANNELS, model: { type: 'spike_source' }, initial: {} }],
    projections: [...base.projections, {
      id: 'input_exc', source: 'input', target: 'exc', connector: { type: 'fixed_probability', p: 0.05, allow_self: true }, weight: 0.01, receptor: 'exc',
    }],
  };
}

export interface ClosedLoopLatency {
  workers: number;
  mode: EngineMode;
  kind: string;
  steps: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
  /** Rate of the excitatory population over the measured steps (shows the network was active). */
  exc_rate_hz: number;
}

/**
 * Per step: decide which channels fire (each at 50 Hz, as a rate encoder would), inject them, advance one
 * step, count the output spikes of exc. The latency of those three is recorded; 500 warm-up steps first.
 */
export async function measureClosedLoop(workers: number, steps = 5000, mode: EngineMode = 'closed-loop'): Promise<ClosedLoopLatency> {
  const spec = closedLoopSpec();
  const net = compileNetwork(spec, { partitions: Math.max(1, workers) });
  const input = net.populations.find((p) => p.id === 'input')!;
  const exc = net.populations.find((p) => p.id === 'exc')!;
  const engine = await createEngine(net, { workers, mode });
  const fired = new Uint32Array(INPUT_CHANNELS);
  const perStep = 50 * spec.dt_ms * 1e-3;
  const latencies = new Float64Array(steps);
  let excSpikes = 0;
  for (let k = -500; k < steps; k++) {
    const t = performance.now();
    let count = 0;
    for (let c = 0; c < INPUT_CHANNELS; c++) if (uniform32(7, c, engine.step, 0) < perStep) fired[count++] = input.offset + c;
    engine.inject(fired.subarray(0, count));
    engine.advance();
    const spikes = engine.spikes;
    let excNow = 0;
    for (let j = 0; j < engine.spikeCount; j++) if (spikes[j]! < exc.offset + exc.size) excNow++;
    if (k >= 0) {
      latencies[k] = performance.now() - t;
      excSpikes += excNow;
    }
  }
  await engine.close();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const us = (ms: number): number => ms * 1000;
  return {
    workers, mode, kind: engine.kind, steps,
    p50_us: us(percentile(sorted, 0.5)), p99_us: us(percentile(sorted, 0.99)), max_us: us(sorted[sorted.length - 1]!),
    mean_us: us(sorted.reduce((a, b) => a + b, 0) / steps),
    exc_rate_hz: excSpikes / (exc.size * steps * spec.dt_ms * 1e-3),
  };
}
