// Learning curves: per reward rule, how often the brain's decision was the one the rule expected, as a time series.
//
// Each rule evaluation is one outcome: correct, wrong, or undecided (the output had no winner). Every `window`
// evaluations close one point of the curve (success rate = correct / evaluations, so a brain that does not decide
// does not look successful); `recent` is the same rate over the last `window` evaluations, updated at each one.
// A curve also keeps the rule's reward prediction (expected outcome value per situation, see prediction_rate).
// The curves travel with the brain's snapshots (encode/restore), so a restored brain continues its curve.
import type { RewardRule } from '../config/schema.ts';
import type { RuleEvaluation } from './reward-rules.ts';

export type Outcome = 'correct' | 'wrong' | 'undecided';

export interface LearningPoint {
  /** Running number of the point (continues across restores). */
  n: number;
  /** The brain step when the point closed. */
  step: number;
  sim_time_s: number;
  /** Correct decisions / evaluations in the point's window. */
  success_rate: number;
  /** Evaluations with a decision / evaluations. */
  decided_rate: number;
  evaluations: number;
}

export interface LearningCurveSummary {
  rule: number;
  output: string;
  sensors: string[];
  /** Evaluations per point. */
  window: number;
  totals: { evaluations: number; correct: number; wrong: number; undecided: number };
  /** Over the last `window` evaluations (fewer right after a start). */
  recent: { evaluations: number; success_rate: number | null; decided_rate: number | null };
  /** The expected outcome value per situation (expected output value); zeros without prediction_rate. */
  prediction: number[];
}

/** Points kept per rule: with the default window (20 evaluations of 250 ms) about an hour and a half. */
export const CURVE_CAPACITY = 1000;

const OUTCOME_CODE: Record<Outcome, number> = { wrong: 0, correct: 1, undecided: 2 };

/** What identifies a rule's curve across config changes and restores: the output it judges and the sensors it compares. */
export function curveKey(rule: Pick<RewardRule, 'output' | 'sensors'>): string {
  return `${rule.output}<${rule.sensors.join(',')}`;
}

interface CurveState {
  key: string;
  totals: LearningCurveSummary['totals'];
  recent: number[];
  open: { evaluations: number; correct: number; decided: number };
  points: LearningPoint[];
  nextN: number;
  prediction: number[];
}

export class LearningCurve {
  private readonly recent: Uint8Array;
  private recentCount = 0;
  private recentNext = 0;
  private totals = { evaluations: 0, correct: 0, wrong: 0, undecided: 0 };
  private open = { evaluations: 0, correct: 0, decided: 0 };
  private points: LearningPoint[] = [];
  private nextN = 0;
  private prediction: number[];

  constructor(readonly rule: RewardRule, readonly index: number, private readonly capacity = CURVE_CAPACITY) {
    this.recent = new Uint8Array(rule.curve_window);
    this.prediction = rule.sensors.map(() => 0);
  }

  get key(): string {
    return curveKey(this.rule);
  }

  get window(): number {
    return this.rule.curve_window;
  }

  /** Records one evaluation at brain step `step`; returns the reward it gives (its value, or the prediction error). */
  record(evaluation: Pick<RuleEvaluation, 'outcome' | 'expected' | 'value'>, step: number, dtMs: number): number {
    const { outcome } = evaluation;
    const amount = this.reinforcement(evaluation);
    this.totals.evaluations++;
    this.totals[outcome]++;
    this.recent[this.recentNext] = OUTCOME_CODE[outcome];
    this.recentNext = (this.recentNext + 1) % this.recent.length;
    this.recentCount = Math.min(this.recentCount + 1, this.recent.length);
    this.open.evaluations++;
    if (outcome === 'correct') this.open.correct++;
    if (outcome !== 'undecided') this.open.decided++;
    if (this.open.evaluations < this.window) return amount;
    this.points.push({
      n: this.nextN++,
      step,
      sim_time_s: (step * dtMs) / 1000,
      success_rate: this.open.correct / this.open.evaluations,
      decided_rate: this.open.decided / this.open.evaluations,
      evaluations: this.open.evaluations,
    });
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    this.open = { evaluations: 0, correct: 0, decided: 0 };
    return amount;
  }

  /** The outcome's value, less what this situation was expected to bring (then the expectation moves towards it). */
  private reinforcement({ outcome, expected, value }: Pick<RuleEvaluation, 'outcome' | 'expected' | 'value'>): number {
    const rate = this.rule.prediction_rate;
    // A rule with neither reward nor penalty only measures: it predicts nothing, so it never rewards.
    if (this.rule.reward === 0 && this.rule.penalty === 0) return 0;
    if (rate === 0 || outcome === 'undecided') return value;
    const predicted = this.prediction[expected] ?? 0;
    this.prediction[expected] = predicted + rate * (value - predicted);
    return value - predicted;
  }

  summary(): LearningCurveSummary {
    let correct = 0;
    let decided = 0;
    for (let i = 0; i < this.recentCount; i++) {
      const code = this.recent[i]!;
      if (code === OUTCOME_CODE.correct) correct++;
      if (code !== OUTCOME_CODE.undecided) decided++;
    }
    const n = this.recentCount;
    return {
      rule: this.index,
      output: this.rule.output,
      sensors: [...this.rule.sensors],
      window: this.window,
      totals: { ...this.totals },
      recent: { evaluations: n, success_rate: n === 0 ? null : correct / n, decided_rate: n === 0 ? null : decided / n },
      prediction: [...this.prediction],
    };
  }

  /** Points with n ≥ `from` (all by default), oldest first. */
  curve(from = 0): LearningPoint[] {
    return this.points.filter((p) => p.n >= from);
  }

  state(): CurveState {
    const recent: number[] = [];
    // Oldest first, so a restore can replay them in order.
    for (let i = 0; i < this.recentCount; i++) recent.push(this.recent[(this.recentNext - this.recentCount + i + this.recent.length) % this.recent.length]!);
    return { key: this.key, totals: { ...this.totals }, recent, open: { ...this.open }, points: [...this.points], nextN: this.nextN, prediction: [...this.prediction] };
  }

  /** Continues from a saved state of a curve with the same key (a different window keeps totals and points, not the ring). */
  restore(state: CurveState): void {
    this.totals = { ...state.totals };
    this.points = state.points.slice(-this.capacity);
    this.nextN = state.nextN;
    if (Array.isArray(state.prediction) && state.prediction.length === this.prediction.length) this.prediction = state.prediction.map(Number);
    this.open = state.open.evaluations < this.window ? { ...state.open } : { evaluations: 0, correct: 0, decided: 0 };
    this.recentCount = 0;
    this.recentNext = 0;
    for (const code of state.recent.slice(-this.recent.length)) {
      this.recent[this.recentNext] = code;
      this.recentNext = (this.recentNext + 1) % this.recent.length;
      this.recentCount++;
    }
  }
}

/** The curves of the rules in force; kept by key when the rules change, carried in snapshots as JSON. */
export class LearningCurves {
  private curves: LearningCurve[] = [];
  /** The curves of the running brain's snapshot, by key: a rule set installed after the brain picks its curve up here. */
  private saved = new Map<string, CurveState>();

  /** The curves of `rules` (existing curves with the same key carry on). */
  setRules(rules: readonly RewardRule[]): void {
    const previous = new Map(this.curves.map((c) => [c.key, c.state()]));
    this.curves = rules.map((rule, i) => {
      const curve = new LearningCurve(rule, i);
      const state = previous.get(curve.key) ?? this.saved.get(curve.key);
      if (state !== undefined) curve.restore(state);
      return curve;
    });
  }

  /** A new brain: fresh curves, or the ones saved in its snapshot (matched by key). Returns a warning if those are unreadable. */
  reset(saved: Uint8Array | undefined): string | null {
    this.saved = new Map();
    let warning: string | null = null;
    if (saved !== undefined) {
      try {
        const states = (JSON.parse(new TextDecoder().decode(saved)) as { curves?: unknown }).curves;
        if (!Array.isArray(states)) throw new Error('no curves');
        for (const state of states as CurveState[]) this.saved.set(state.key, state);
      } catch (err) {
        warning = `learning curves in the snapshot are unreadable (${(err as Error).message}); they start fresh`;
      }
    }
    this.curves = this.curves.map((c) => {
      const curve = new LearningCurve(c.rule, c.index);
      const state = this.saved.get(curve.key);
      if (state !== undefined) curve.restore(state);
      return curve;
    });
    return warning;
  }

  get(rule: number): LearningCurve | undefined {
    return this.curves[rule];
  }

  list(): readonly LearningCurve[] {
    return this.curves;
  }

  encode(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ curves: this.curves.map((c) => c.state()) }));
  }
}
