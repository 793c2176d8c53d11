// Configured reward rules: the agent rewards its brain by itself (sim mode's "steer towards the brighter side").
import type { DecodedOutput } from '../../core/codec/decoders.ts';
import type { RewardRule } from '../config/schema.ts';

export interface RewardDecision {
  rule: number;
  amount: number;
  projection: string | undefined;
}

/** Index of the largest value (ties: the lowest index), or null when a value is missing. */
export function argmax(values: readonly (number | null)[]): number | null {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) return null;
    if (best === -1 || v > values[best]!) best = i;
  }
  return best === -1 ? null : best;
}

export class RewardRules {
  private readonly lastAt: number[];

  constructor(private readonly rules: readonly RewardRule[], start: number) {
    this.lastAt = rules.map(() => start);
  }

  /** The rewards due at `now`: each rule at most once per interval_ms; none for an undecided output or a missing sensor value. */
  evaluate(now: number, outputs: Readonly<Record<string, DecodedOutput>>, sensorValue: (id: string) => number | null): RewardDecision[] {
    const decisions: RewardDecision[] = [];
    this.rules.forEach((rule, i) => {
      if (now - this.lastAt[i]! < rule.interval_ms) return;
      this.lastAt[i] = now;
      const decided = outputs[rule.output]?.value ?? null;
      const expected = argmax(rule.sensors.map(sensorValue));
      if (decided === null || expected === null) return;
      const amount = decided === expected ? rule.reward : -rule.penalty;
      if (amount !== 0) decisions.push({ rule: i, amount, projection: rule.projection });
    });
    return decisions;
  }
}
