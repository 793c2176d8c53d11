// Collects the spikes of a session's steps into the canonical (step, neuron) arrays of StepOutputs.
import type { StepOutputs } from './types.ts';

/** A growable list of (step, neuron) pairs; spikes must be added in step order, neurons ascending within a step. */
export class SpikeList {
  private steps = new Int32Array(1024);
  private neurons = new Uint32Array(1024);
  private length = 0;

  add(step: number, spikes: ArrayLike<number>, count: number): void {
    if (this.length + count > this.steps.length) this.grow(this.length + count);
    for (let k = 0; k < count; k++) {
      this.steps[this.length] = step;
      this.neurons[this.length] = spikes[k]!;
      this.length++;
    }
  }

  /** The pairs collected so far, as copies, and the step after the last one run. */
  toOutputs(nextStep: number): StepOutputs {
    return { spikes: { step: this.steps.slice(0, this.length), neuron: this.neurons.slice(0, this.length) }, step: nextStep };
  }

  private grow(minimum: number): void {
    let size = this.steps.length * 2;
    while (size < minimum) size *= 2;
    const steps = new Int32Array(size);
    steps.set(this.steps.subarray(0, this.length));
    const neurons = new Uint32Array(size);
    neurons.set(this.neurons.subarray(0, this.length));
    this.steps = steps;
    this.neurons = neurons;
  }
}
