// What the cpu engine cannot run as written: the limits of the compiled form (delays are stored in one byte).
import { MAX_DELAY_STEPS } from '../../../core/compile/compile.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { maxDelaySteps } from '../delays.ts';
import type { Violation } from '../types.ts';

export function checkCpu(spec: NetworkSpec): Violation[] {
  const violations: Violation[] = [];
  spec.projections.forEach((proj, k) => {
    const steps = maxDelaySteps(proj, spec.dt_ms);
    if (steps > MAX_DELAY_STEPS) {
      violations.push({
        code: 'E_CPU_DELAY_TOO_LONG',
        path: `projections[${k}].delay_ms`,
        message: `projection "${proj.id}" can draw delays of ${Number.isFinite(steps) ? `${steps} steps` : 'unbounded length'}; the engine stores at most ${MAX_DELAY_STEPS} steps (${(MAX_DELAY_STEPS * spec.dt_ms).toFixed(3)} ms at dt = ${spec.dt_ms} ms) and would clip longer ones`,
      });
    }
  });
  return violations;
}
