// The largest delay a projection can draw, in steps (rounded as the compiler rounds), for backends' delay checks.
import type { Projection } from '../../core/spec/schema.ts';

/** Upper bound of a projection's delays in steps; Infinity for unbounded distributions (normal, exponential). */
export function maxDelaySteps(proj: Projection, dt: number): number {
  const toSteps = (ms: number): number => Math.max(1, Math.round(ms / dt));
  const value = proj.delay_ms ?? dt;
  let max: number;
  if (typeof value === 'number') max = toSteps(value);
  else if (value.dist === 'constant') max = toSteps(value.value);
  else if (value.dist === 'uniform' || value.dist === 'normal_clipped') max = toSteps(value.high);
  else max = Infinity;
  if (proj.connector.type === 'explicit') {
    for (const pair of proj.connector.pairs) if (pair[3] !== undefined) max = Math.max(max, toSteps(pair[3]));
  }
  return max;
}

/** Lower bound of a projection's delays in steps (1 at least, as the compiler clamps). */
export function minDelaySteps(proj: Projection, dt: number): number {
  const toSteps = (ms: number): number => Math.max(1, Math.round(ms / dt));
  const value = proj.delay_ms ?? dt;
  let min: number;
  if (typeof value === 'number') min = toSteps(value);
  else if (value.dist === 'constant') min = toSteps(value.value);
  else if (value.dist === 'uniform' || value.dist === 'normal_clipped') min = toSteps(value.low);
  else min = 1;
  if (proj.connector.type === 'explicit') {
    for (const pair of proj.connector.pairs) if (pair[3] !== undefined) min = Math.min(min, toSteps(pair[3]));
  }
  return min;
}
