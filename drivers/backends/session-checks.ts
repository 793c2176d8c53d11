// Checks every session applies to step() arguments, so bad input gives a coded error instead of corrupt state.
import { HasnError } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

/** 1 at the global index of every spike_source neuron of the spec. */
export function spikeSourceMask(spec: NetworkSpec): Uint8Array {
  const total = spec.populations.reduce((n, p) => n + p.size, 0);
  const mask = new Uint8Array(total);
  let offset = 0;
  for (const pop of spec.populations) {
    if (pop.model.type === 'spike_source') mask.fill(1, offset, offset + pop.size);
    offset += pop.size;
  }
  return mask;
}

export function checkStepCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new HasnError('E_BACKEND_STEPS', `step count must be a non-negative integer, got ${String(n)}`, { path: 'n' });
  }
}

/** Every injected index must name a spike_source neuron. */
export function checkInjected(spikes: ArrayLike<number>, mask: Uint8Array): void {
  for (let k = 0; k < spikes.length; k++) {
    const i = spikes[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= mask.length || mask[i] !== 1) {
      throw new HasnError('E_BACKEND_INPUT', `input spike ${String(i)} is not the global index of a spike_source neuron`, { path: `inputs.spikes[${k}]` });
    }
  }
}

export function checkOpen(closed: boolean): void {
  if (closed) throw new HasnError('E_BACKEND_CLOSED', 'this session was closed; open the artifact again');
}
