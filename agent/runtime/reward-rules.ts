// Configured reward rules: the agent rewards its brain by itself (sim mode's "steer towards the brighter side").
import type { DecodedOutput } from '../../core/codec/decoders.ts';
import type { RewardRule } from '../config/schema.ts';
import type { Outcome } from './learning-curve.ts';

/** One evaluation of a rule: what the brain decided against what the rule expected, and the reward that follows. */
export interface RuleEvaluation {
  rule: number;
  outcome: Outcome;
  /** The output value the rule expected (index of the largest sensor value): the situation. */
  expected: number;
  /** reward (correct), −penalty (wrong) or 0 (undecided): the outcome's value before any reward prediction. */
  value: number;
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

  /**
   * The evaluations due at `now`: each rule at most once per interval_ms. None while a sensor value is missing
   * (nothing to judge against); an undecided output is an evaluation without reward.
   */
  evaluate(now: number, outputs: Readonly<Record<string, DecodedOutput>>, sensorValue: (id: string) => number | null): RuleEvaluation[] {
    const evaluations: RuleEvaluation[] = [];
    this.rules.forEach((rule, i) => {
      if (now - this.lastAt[i]! < rule.interval_ms) return;
      this.lastAt[i] = now;
      const expected = argmax(rule.sensors.map(sensorValue));
      if (expected === null) return;
      const decided = outputs[rule.output]?.value ?? null;
      const outcome: Outcome = decided === null ? 'undecided' : decided === expected ? 'correct' : 'wrong';
      const value = outcome === 'correct' ? rule.reward : outcome === 'wrong' ? -rule.penalty : 0;
      evaluations.push({ rule: i, outcome, expected, value, projection: rule.projection });
    });
    return evaluations;
  }
}
