// Learning curves of reward rules: windows of evaluations, the recent success rate, reward prediction, and restore from a snapshot section.
import { describe, expect, it } from 'vitest';
import { RewardRule } from '../../agent/config/schema.ts';
import { LearningCurve, LearningCurves, curveKey, type Outcome } from '../../agent/runtime/learning-curve.ts';

const rule = (overrides: Record<string, unknown> = {}) => RewardRule.parse({ type: 'argmax', output: 'steer', sensors: ['l', 'r'], reward: 1, penalty: 1, curve_window: 4, ...overrides });
const evaluation = (outcome: Outcome, expected = 0) => ({ outcome, expected, value: outcome === 'correct' ? 1 : outcome === 'wrong' ? -1 : 0 });

describe('learning curve', () => {
  it('closes one point per window of evaluations, counting undecided as not correct', () => {
    const curve = new LearningCurve(rule(), 0);
    const outcomes: Outcome[] = ['correct', 'wrong', 'undecided', 'correct', 'correct', 'correct', 'correct', 'wrong', 'correct'];
    outcomes.forEach((o, i) => curve.record(evaluation(o), 1000 * (i + 1), 1));
    expect(curve.curve()).toEqual([
      { n: 0, step: 4000, sim_time_s: 4, success_rate: 0.5, decided_rate: 0.75, evaluations: 4 },
      { n: 1, step: 8000, sim_time_s: 8, success_rate: 0.75, decided_rate: 1, evaluations: 4 },
    ]);
    // The recent rate covers the last `window` evaluations, the open window included.
    expect(curve.summary()).toMatchObject({ rule: 0, output: 'steer', window: 4, totals: { evaluations: 9, correct: 6, wrong: 2, undecided: 1 }, recent: { evaluations: 4, success_rate: 0.75, decided_rate: 1 } });
    expect(curve.curve(1).map((p) => p.n)).toEqual([1]);
  });

  it('keeps at most `capacity` points, numbering on', () => {
    const curve = new LearningCurve(rule({ curve_window: 1 }), 0, 3);
    for (let i = 0; i < 10; i++) curve.record(evaluation('correct'), i, 1);
    expect(curve.curve().map((p) => p.n)).toEqual([7, 8, 9]);
  });

  it('gives the outcome value without prediction, and the prediction error per situation with it', () => {
    const plain = new LearningCurve(rule(), 0);
    expect(plain.record(evaluation('correct'), 1, 1)).toBe(1);
    expect(plain.record(evaluation('wrong'), 2, 1)).toBe(-1);
    const predicting = new LearningCurve(rule({ prediction_rate: 0.5 }), 0);
    expect(predicting.record(evaluation('correct', 0), 1, 1)).toBe(1); // nothing expected yet
    expect(predicting.record(evaluation('correct', 0), 2, 1)).toBe(0.5); // half of it was expected now
    expect(predicting.record(evaluation('correct', 1), 3, 1)).toBe(1); // another situation has its own expectation
    expect(predicting.record(evaluation('wrong', 0), 4, 1)).toBe(-1.75);
    expect(predicting.record(evaluation('undecided', 0), 5, 1)).toBe(0);
    expect(predicting.summary().prediction).toEqual([-0.125, 0.5]);
  });

  it('continues from a snapshot section: same rule by key, fresh for another rule or unreadable bytes', () => {
    const curves = new LearningCurves();
    curves.setRules([rule({ prediction_rate: 0.1 })]);
    for (let i = 0; i < 6; i++) curves.get(0)!.record(evaluation(i % 3 === 0 ? 'wrong' : 'correct'), i, 1);
    const saved = curves.encode();
    const before = curves.get(0)!.summary();

    const restored = new LearningCurves();
    restored.setRules([rule({ prediction_rate: 0.1 })]);
    expect(restored.reset(saved)).toBeNull();
    expect(restored.get(0)!.summary()).toEqual(before);
    expect(restored.get(0)!.curve()).toEqual(curves.get(0)!.curve());

    // Rules installed after the brain (a config swap) still find their saved curve.
    const late = new LearningCurves();
    late.reset(saved);
    late.setRules([rule({ interval_ms: 500, prediction_rate: 0.1 })]);
    expect(late.get(0)!.summary().totals).toEqual(before.totals);

    const other = new LearningCurves();
    other.setRules([rule({ sensors: ['a', 'b'] })]);
    other.reset(saved);
    expect(other.get(0)!.summary().totals.evaluations).toBe(0);
    expect(curveKey(rule())).not.toBe(curveKey(rule({ output: 'other' })));

    expect(restored.reset(new TextEncoder().encode('{not json'))).toMatch(/unreadable/);
    expect(restored.get(0)!.summary().totals.evaluations).toBe(0);
  });
});
