// Test helpers for the codec suites: running an encoder over steps and feeding spike trains to a decoder.
import type { SpikeDecoder, SpikeEncoder } from '../../core/codec/contracts.ts';

/** The spikes of each step from `from` to `from + steps − 1`, each as a plain ascending array. */
export function runEncoder(encoder: SpikeEncoder, steps: number, from = 0): number[][] {
  const out = new Uint32Array(encoder.size);
  const trains: number[][] = [];
  for (let s = from; s < from + steps; s++) {
    const n = encoder.emit(s, out);
    trains.push(Array.from(out.subarray(0, n)));
  }
  return trains;
}

/** Total spikes of each neuron over the given per-step trains. */
export function countPerNeuron(trains: number[][], size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (const step of trains) for (const i of step) counts[i]++;
  return counts;
}

/** Feeds `spikes` (local indices) as the spikes of `step`. */
export function observe(decoder: SpikeDecoder, step: number, spikes: number[]): void {
  decoder.observe(step, Uint32Array.from(spikes), spikes.length);
}
