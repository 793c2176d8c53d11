// Learning in the loop: the sensorimotor brain of `hasn agent --sim` learns to steer towards the brighter side, from rule reward, API reward and fleet reward.
//
// Everything runs on a manual clock (simulated sensors, the paced loop, the reward rule), so minutes of simulated
// time take seconds and every run is the same. Success rate = correct decisions / evaluations (undecided counts as
// not correct) per window of 20 evaluations; the rule evaluates every 250 ms, checked on the 20 ms output ticks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpConfig } from '../../agent/config/schema.ts';
import type { AgentContext } from '../../agent/extensions.ts';
import { fleetControlFor } from '../../agent/fleet-control.ts';
import { buildHttpApp } from '../../agent/http/server.ts';
import { silentLogger } from '../../agent/log.ts';
import { argmax } from '../../agent/runtime/reward-rules.ts';
import { tempDir } from './helpers.ts';
import { curveByBlocks, presetRule, sensorimotorSpecFile, startSimLearner, type SimLearner } from './sim-learning.ts';

/** Simulated time within which the brain must reach the target, and the target over the last minute of it. */
const LEARN_S = 180;
const TARGET = 0.8;
/** A brain that cannot learn (learning_rate 0) stays below this. */
const UNTRAINED_BELOW = 0.55;

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('hasn-learning-');
});
afterAll(() => dir.remove());

async function runFor(learner: SimLearner, seconds: number): Promise<void> {
  try {
    learner.run(seconds);
  } catch (err) {
    await learner.stop();
    throw err;
  }
}

describe('learning in the loop (sensorimotor brain, simulated sensors, reward-modulated STDP)', () => {
  it(`rises from chance to a success rate ≥ ${TARGET} within ${LEARN_S} s of simulated time with the preset reward rule, and stays low without learning`, async () => {
    const learner = await startSimLearner(`${dir.path}/rule`, { brain: { spec: sensorimotorSpecFile(dir.path) } });
    await runFor(learner, LEARN_S);
    const curve = learner.curve();
    const report = learner.agent.learning();
    await learner.stop();

    const control = await startSimLearner(`${dir.path}/control`, { brain: { spec: sensorimotorSpecFile(dir.path, 0) } });
    await runFor(control, LEARN_S);
    const controlCurve = control.curve();
    await control.stop();

    const figures = `learning: ${curveByBlocks(curve, 30)} | learning_rate 0: ${curveByBlocks(controlCurve, 30)}`;
    const mean = (points: typeof curve) => points.reduce((s, p) => s + p.success_rate, 0) / points.length;
    const first = mean(curve.filter((p) => p.sim_time_s <= 15));
    const last = mean(curve.filter((p) => p.sim_time_s > LEARN_S - 60));
    const controlLast = mean(controlCurve.filter((p) => p.sim_time_s > LEARN_S - 60));
    expect(first, figures).toBeLessThan(0.6);
    expect(last, figures).toBeGreaterThanOrEqual(TARGET);
    expect(controlLast, figures).toBeLessThan(UNTRAINED_BELOW);
    // The curve is what the rule saw: every evaluation counted, reward given through the rule only.
    expect(curve.length).toBe(Math.floor(report.rules[0]!.totals.evaluations / 20));
    expect(report.rewards.rule.events).toBeGreaterThan(0);
    expect(report.rewards.api.events + report.rewards.fleet.events).toBe(0);
    // What it learned is in the weights: the hidden→motor synapses spread out from their initial 0.05–0.15.
    const learned = report.projections.find((p) => p.id === 'hidden_to_motor')!;
    expect(learned.weight.sd).toBeGreaterThan(0.05);
    expect(learned.by_target!.map((t) => t.neuron)).toEqual([0, 1]);
  }, 60_000);

  it('learns from reward sent to POST /api/v1/reward by a teacher outside the agent (the rule only measures)', async () => {
    const learner = await startSimLearner(`${dir.path}/api`, measuringOnly());
    // Three requests per 250 ms of simulated time, far faster than real time: above the default rate limit.
    const { app } = await buildHttpApp(learner.agent, HttpConfig.parse({ anonymous_role: 'operator', rate_limit: { max: 1_000_000 } }), silentLogger);
    try {
      await teach(learner, async () => {
        const status = (await app.inject({ url: '/api/v1/status' })).json() as { sensors: { id: string; value: number | null }[] };
        const outputs = (await app.inject({ url: '/api/v1/outputs' })).json() as { id: string; decoded: { value: number | null } }[];
        return { lights: ['light_left', 'light_right'].map((id) => status.sensors.find((s) => s.id === id)?.value ?? null), steer: outputs.find((o) => o.id === 'steer')!.decoded.value };
      }, async (amount) => {
        const response = await app.inject({ method: 'POST', url: '/api/v1/reward', payload: { amount } });
        expect(response.statusCode).toBe(200);
      });
      expectLearnedFrom(learner, 'api');
    } finally {
      await app.close();
      await learner.stop();
    }
  }, 60_000);

  it('learns from reward sent as fleet reward commands (the AgentControl call the MQTT command handler makes)', async () => {
    let context: AgentContext | undefined;
    const capture = { name: 'capture', start: async (c: AgentContext) => void (context = c), stop: async () => {} };
    const learner = await startSimLearner(`${dir.path}/fleet`, measuringOnly(), { extensions: [capture] });
    const control = fleetControlFor(learner.agent, { settleMs: 0 })(context!);
    try {
      await teach(learner, async () => ({
        lights: ['light_left', 'light_right'].map((id) => learner.agent.runtime.sensorValue(id)),
        steer: learner.agent.outputs().find((o) => o.id === 'steer')!.decoded?.value ?? null,
      }), (amount) => control.reward(amount));
      expectLearnedFrom(learner, 'fleet');
    } finally {
      await learner.stop();
    }
  }, 60_000);
});

/** The preset with its rule measuring only (reward = penalty = 0): reward must come from outside. */
function measuringOnly() {
  return { brain: { spec: sensorimotorSpecFile(dir.path) }, reward: { rules: [presetRule({ reward: 0, penalty: 0 })] } };
}

/**
 * A teacher outside the agent: every 250 ms of simulated time it looks at the lights and the steering decision and
 * gives the surprise (outcome − its expectation for this situation), as the preset rule does with prediction_rate.
 */
async function teach(learner: SimLearner, observe: () => Promise<{ lights: (number | null)[]; steer: number | null }>, give: (amount: number) => Promise<void>): Promise<void> {
  const expectation = [0, 0];
  for (let t = 0; t < LEARN_S * 4; t++) {
    learner.clock.advance(250);
    const { lights, steer } = await observe();
    const expected = argmax(lights);
    if (expected === null || steer === null) continue;
    const amount = (steer === expected ? 1 : -1) - expectation[expected]!;
    expectation[expected]! += 0.05 * amount;
    await give(amount);
  }
}

function expectLearnedFrom(learner: SimLearner, via: 'api' | 'fleet'): void {
  const curve = learner.curve();
  const report = learner.agent.learning();
  const last = curve.filter((p) => p.sim_time_s > LEARN_S - 60);
  const success = last.reduce((s, p) => s + p.success_rate, 0) / last.length;
  expect(success, curveByBlocks(curve, 30)).toBeGreaterThanOrEqual(TARGET);
  expect(report.rewards.rule.events).toBe(0);
  expect(report.rewards[via].events).toBeGreaterThan(LEARN_S);
  expect(report.rewards[via === 'api' ? 'fleet' : 'api'].events).toBe(0);
}
