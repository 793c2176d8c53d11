// Poisson input neurons in the kernels: the draws of neurons.ts's updatePoisson, from per-neuron hash prefixes.
//
// Neuron i fires in `step` when hash4(seed, stream, i, step mod 2³²) / 2³² < rate · dt (stream: the Poisson
// stream of the step's 2³²-step epoch). Three of hash4's five mixing rounds depend on the neuron only, so they
// are computed once per epoch and each draw costs the other two: the same values (random.ts keyPrefix/hashFrom),
// at a fraction of the cost where inputs are many and the network small (784 pixels in the Fashion-MNIST network).
import type { CompiledNetwork, NeuronState } from '../compile/types.ts';
import { hashFrom, keyPrefix, streamForStep } from '../random.ts';
import { POISSON_STREAM } from './neurons.ts';

const TWO_POW_32 = 4294967296;

export class PoissonSampler {
  /** keyPrefix(seed, stream, i) of every Poisson neuron i (0 elsewhere), for `stream`. */
  private readonly prefixes: Uint32Array;
  private stream = Number.NaN;

  constructor(private readonly net: CompiledNetwork) {
    const hasPoisson = net.populations.some((p) => p.constants.kind === 'poisson');
    this.prefixes = new Uint32Array(hasPoisson ? net.neuronCount : 0);
  }

  /** updatePoisson for the neurons [from, to) of a Poisson population: appends those that fire to `spikes`, returns the new count. */
  update(s: NeuronState, from: number, to: number, step: number, spikes: Uint32Array, count: number): number {
    const stream = streamForStep(POISSON_STREAM, step);
    if (stream !== this.stream) this.rekey(stream);
    const { rate, lastSpike } = s;
    const prefixes = this.prefixes;
    const perStep = this.net.dt * 0.001;
    const key = step >>> 0;
    for (let i = from; i < to; i++) {
      const r = rate[i]!;
      if (r > 0 && hashFrom(prefixes[i]!, key) / TWO_POW_32 < r * perStep) {
        lastSpike[i] = step;
        spikes[count++] = i;
      }
    }
    return count;
  }

  private rekey(stream: number): void {
    const { net, prefixes } = this;
    for (const pop of net.populations) {
      if (pop.constants.kind !== 'poisson') continue;
      for (let i = pop.offset; i < pop.offset + pop.size; i++) prefixes[i] = keyPrefix(net.seed, stream, i);
    }
    this.stream = stream;
  }
}
