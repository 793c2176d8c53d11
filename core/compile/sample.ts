// Draws per-element values from a spec `Value` (constant or seeded distribution), keyed by element index.
import { normal, uniform53 } from '../random.ts';
import type { Value } from '../spec/schema.ts';

/** The value of element `index` of a `Value` in stream `stream`; a pure function of its arguments. */
export function sampleValue(value: Value, seed: number, stream: number, index: number): number {
  if (typeof value === 'number') return value;
  switch (value.dist) {
    case 'constant':
      return value.value;
    case 'uniform':
      return value.low + uniform53(seed, stream, index, 0) * (value.high - value.low);
    case 'normal':
      return value.mean + value.sd * normal(seed, stream, index, 0);
    case 'normal_clipped': {
      // Redraw until inside [low, high] (PyNN's NormalDistribution clipping), bounded; clamp as a last resort.
      for (let k = 0; k < 64; k++) {
        const x = value.mean + value.sd * normal(seed, stream, index, k);
        if (x >= value.low && x <= value.high) return x;
      }
      return Math.min(value.high, Math.max(value.low, value.mean));
    }
    case 'exponential':
      return -value.mean * Math.log(1 - uniform53(seed, stream, index, 0));
  }
}

/** True when every element has the same value (lets the compiler skip per-element sampling). */
export function isConstant(value: Value): value is number | { dist: 'constant'; value: number } {
  return typeof value === 'number' || value.dist === 'constant';
}

export function constantOf(value: number | { dist: 'constant'; value: number }): number {
  return typeof value === 'number' ? value : value.value;
}
