// The learning state through the HTTP API and Prometheus: GET /api/v1/learning, GET /api/v1/projections/:id/weights, hasn_learning_* and hasn_reward_* metrics.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpConfig } from '../../agent/config/schema.ts';
import { buildHttpApp } from '../../agent/http/server.ts';
import { silentLogger } from '../../agent/log.ts';
import type { LearningReport } from '../../agent/operations.ts';
import { tempDir } from './helpers.ts';
import { sensorimotorSpecFile, startSimLearner, type SimLearner } from './sim-learning.ts';

let dir: ReturnType<typeof tempDir>;
let learner: SimLearner;
let app: FastifyInstance;

beforeAll(async () => {
  dir = tempDir('hasn-learning-api-');
  learner = await startSimLearner(`${dir.path}/data`, { brain: { spec: sensorimotorSpecFile(dir.path) } });
  learner.run(30);
  ({ app } = await buildHttpApp(learner.agent, HttpConfig.parse({ anonymous_role: 'viewer' }), silentLogger));
});
afterAll(async () => {
  await app?.close();
  await learner?.stop();
  dir?.remove();
});

describe('learning API', () => {
  it('reports the rule\'s learning curve, the reward by origin and the learned weights (viewer)', async () => {
    const response = await app.inject({ url: '/api/v1/learning' });
    expect(response.statusCode).toBe(200);
    const report = response.json() as LearningReport;
    expect(report).toMatchObject({ brain: 'sensorimotor', step: 30_000, sim_time_s: 30 });
    const [rule] = report.rules;
    // 30 s at one evaluation per 250 ms, checked on the 20 ms output ticks (so every 260 ms): 115, 20 per point.
    expect(rule).toMatchObject({ rule: 0, output: 'steer', sensors: ['light_left', 'light_right'], window: 20 });
    expect(rule!.totals.evaluations).toBe(115);
    expect(rule!.totals.correct + rule!.totals.wrong + rule!.totals.undecided).toBe(rule!.totals.evaluations);
    expect(rule!.curve.map((p) => p.n)).toEqual([0, 1, 2, 3, 4]);
    expect(rule!.curve.every((p) => p.success_rate >= 0 && p.success_rate <= 1 && p.evaluations === 20)).toBe(true);
    expect(rule!.prediction).toHaveLength(2);
    expect(report.rewards.rule.events).toBeGreaterThan(0);
    expect(report.rewards.api).toEqual({ events: 0, sum: 0 });
    expect(report.projections).toEqual([expect.objectContaining({
      id: 'hidden_to_motor', rule: 'reward_stdp', source: 'hidden', target: 'motor', synapses: 240, w_min: 0, w_max: 0.4,
      by_target: [expect.objectContaining({ neuron: 0 }), expect.objectContaining({ neuron: 1 })],
    })]);
    // Only the points a client does not have yet.
    const later = (await app.inject({ url: '/api/v1/learning?from=3' })).json() as LearningReport;
    expect(later.rules[0]!.curve.map((p) => p.n)).toEqual([3, 4]);
    expect((await app.inject({ url: '/api/v1/learning?from=-1' })).json()).toMatchObject({ error: { code: 'E_API_VALIDATION' } });
  });

  it('lists the weights of a plastic projection, and refuses one that is not plastic', async () => {
    const weights = (await app.inject({ url: '/api/v1/projections/hidden_to_motor/weights' })).json() as { synapses: number; truncated: boolean; pre: number[]; post: number[]; weight: number[] };
    expect(weights).toMatchObject({ projection: 'hidden_to_motor', source: 'hidden', target: 'motor', synapses: 240, truncated: false });
    expect(weights.pre).toHaveLength(240);
    expect(new Set(weights.post)).toEqual(new Set([0, 1]));
    expect(weights.weight.every((w) => w >= 0 && w <= 0.4)).toBe(true);
    const summary = learner.agent.learning().projections[0]!;
    expect(weights.weight.reduce((a, b) => a + b, 0) / 240).toBeCloseTo(summary.weight.mean, 6);
    const first = (await app.inject({ url: '/api/v1/projections/hidden_to_motor/weights?limit=10' })).json() as { truncated: boolean; weight: number[] };
    expect(first).toMatchObject({ truncated: true });
    expect(first.weight).toEqual(weights.weight.slice(0, 10));
    const unknown = await app.inject({ url: '/api/v1/projections/hidden_recurrent/weights' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'E_BRAIN_UNKNOWN_PROJECTION', path: 'id' } });
  });

  it('exports the success ratio, evaluations by outcome, reward by origin and the plastic weights as metrics', async () => {
    const text = (await app.inject({ url: '/metrics' })).body;
    const report = learner.agent.learning();
    const rule = report.rules[0]!;
    expect(text).toContain(`hasn_learning_success_ratio{rule="0",output="steer"} ${rule.recent.success_rate}`);
    expect(text).toContain(`hasn_learning_decided_ratio{rule="0",output="steer"} ${rule.recent.decided_rate}`);
    expect(text).toContain(`hasn_learning_evaluations_total{rule="0",output="steer",outcome="correct"} ${rule.totals.correct}`);
    expect(text).toContain(`hasn_reward_events_total{via="rule"} ${report.rewards.rule.events}`);
    expect(text).toContain('hasn_reward_events_total{via="fleet"} 0');
    expect(text).toMatch(/^hasn_plastic_weight_mean\{projection="hidden_to_motor"\} 0\.\d+$/m);
    expect(text).toMatch(/^hasn_plastic_weight_sd\{projection="hidden_to_motor"\} 0\.\d+$/m);
  });
});
