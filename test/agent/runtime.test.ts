// The paced loop and the runtime around the brain: real-time pacing, catch-up limits, outputs to actuators, reward rules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import { Brain } from '../../agent/brain/brain.ts';
import { EngineConfig, RewardRule, Sensor } from '../../agent/config/schema.ts';
import { EventBus, type AgentEvents } from '../../agent/events.ts';
import { silentLogger } from '../../agent/log.ts';
import { argmax, RewardRules } from '../../agent/runtime/reward-rules.ts';
import { AgentRuntime } from '../../agent/runtime/runtime.ts';
import { StepLoop, type TickReport } from '../../agent/runtime/step-loop.ts';
import { SENSORIMOTOR } from './helpers.ts';

const spec = parseSpecJson(readFileSync(SENSORIMOTOR, 'utf8'));

describe('paced step loop', () => {
  function loop(clock: ManualClock, overrides: Partial<EngineConfig> = {}) {
    const ticks: TickReport[] = [];
    const run: number[] = [];
    const config = { tick_ms: 10, max_catch_up_ms: 100, speed: 1, ...overrides };
    const l = new StepLoop(clock, config, 1, { runSteps: (n) => run.push(n), afterTick: (r) => ticks.push(r), onError: (e) => { throw e; } });
    return { l, ticks, run };
  }

  it('runs the steps that fell due in wall time, in batches, one per tick', async () => {
    const clock = new ManualClock();
    const { l, run } = loop(clock);
    l.start();
    clock.advance(1000);
    expect(run.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(run.length).toBe(100);
    expect(l.counters.stepsSkipped).toBe(0);
  });

  it('after a stall runs at most max_catch_up_ms at once and counts the rest as skipped', async () => {
    // A clock whose timers fire only when the test says so: time can jump 2 s between two ticks, as in a stall.
    let now = 0;
    let pending: (() => void) | undefined;
    const clock = { now: () => now, setTimer: (_delay: number, callback: () => void) => ((pending = callback), () => (pending = undefined)) };
    const run: number[] = [];
    const l = new StepLoop(clock, { tick_ms: 10, max_catch_up_ms: 100, speed: 1 }, 1, { runSteps: (n) => run.push(n), afterTick: () => undefined, onError: (e) => { throw e; } });
    l.start();
    now = 10;
    pending!();
    now = 2010;
    pending!();
    expect(run).toEqual([10, 100]);
    expect(l.counters.stepsSkipped).toBe(1900);
    // Re-anchored at the stall: the next tick runs its own 10 steps, not the backlog.
    now = 2020;
    pending!();
    expect(run).toEqual([10, 100, 10]);
  });

  it('runs speed × real time and stops between ticks', async () => {
    const clock = new ManualClock();
    const { l, run } = loop(clock, { speed: 2 });
    l.start();
    clock.advance(500);
    expect(run.reduce((a, b) => a + b, 0)).toBe(1000);
    l.stop();
    clock.advance(500);
    expect(run.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps ticking when a batch throws, and reports the error', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let calls = 0;
    const l = new StepLoop(clock, { tick_ms: 10, max_catch_up_ms: 100, speed: 1 }, 1, {
      runSteps: () => {
        calls++;
        if (calls === 2) throw new Error('boom');
      },
      afterTick: () => undefined,
      onError: (e) => errors.push(e),
    });
    l.start();
    clock.advance(50);
    expect(errors).toHaveLength(1);
    expect(calls).toBe(5);
  });
});

describe('runtime', () => {
  async function runtime(clock: ManualClock, rules: RewardRule[] = []) {
    const events = new EventBus((err) => {
      throw err;
    });
    const seen: AgentEvents['output'][] = [];
    const rewards: AgentEvents['reward'][] = [];
    events.on('output', (e) => seen.push(e));
    events.on('reward', (e) => rewards.push(e));
    const progress: number[] = [];
    const rt = new AgentRuntime({ engine: EngineConfig.parse({ output_interval_ms: 20 }), rewardRules: rules, clock, events, log: silentLogger, onProgress: (now) => progress.push(now) });
    rt.setBrain(await Brain.create(spec, { workers: 0, now: () => clock.now() }));
    return { rt, seen, rewards, progress };
  }
  const sensor = (id: string) => Sensor.parse({ id, source: { type: 'sim', signal: { type: 'sine' } } });

  it('routes sensor samples to the inputs of their channel and runs the brain in real time', async () => {
    const clock = new ManualClock();
    const { rt, progress } = await runtime(clock);
    rt.onSample(sensor('light_left'), 0.9, clock.now());
    rt.start();
    clock.advance(1000);
    const brain = rt.brain!;
    expect(brain.step).toBe(1000);
    expect(brain.input('light_left')!.value).toBe(0.9);
    expect(brain.activity.totals[0]).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(90);
    expect(rt.rateSnapshot().realtime_factor).toBeCloseTo(1, 1);
    expect(() => rt.onSample(sensor('light_left'), Number.NaN, clock.now())).toThrow(expect.objectContaining({ code: 'E_CODEC_VALUE' }));
  });

  it('announces decoded outputs when they change, not on every read', async () => {
    const clock = new ManualClock();
    const { rt, seen } = await runtime(clock);
    rt.onSample(sensor('light_left'), 1, clock.now());
    rt.onSample(sensor('light_right'), 1, clock.now());
    rt.start();
    clock.advance(2000);
    const reads = 2000 / 20;
    const steer = seen.filter((e) => e.id === 'steer');
    expect(steer.length).toBeGreaterThan(0);
    expect(steer.length).toBeLessThan(reads);
    for (let i = 1; i < steer.length; i++) expect(steer[i]!.value).not.toBe(steer[i - 1]!.value);
  });

  it('applies reward rules: reward when the output picks the brightest sensor, penalty otherwise', async () => {
    const rules = new RewardRules([RewardRule.parse({ type: 'argmax', output: 'steer', sensors: ['l', 'r'], reward: 1, penalty: 0.5, interval_ms: 100 })], 0);
    const values: Record<string, number> = { l: 0.9, r: 0.1 };
    const decided = (value: number | null) => ({ steer: { kind: 'winner_take_all' as const, value, winner_spikes: 3, total_spikes: 3, span_ms: 200 } });
    expect(rules.evaluate(50, decided(0), (id) => values[id] ?? null)).toEqual([]);
    expect(rules.evaluate(100, decided(0), (id) => values[id] ?? null)).toEqual([{ rule: 0, outcome: 'correct', expected: 0, value: 1, projection: undefined }]);
    expect(rules.evaluate(200, decided(1), (id) => values[id] ?? null)).toEqual([{ rule: 0, outcome: 'wrong', expected: 0, value: -0.5, projection: undefined }]);
    expect(rules.evaluate(300, decided(null), (id) => values[id] ?? null)).toEqual([{ rule: 0, outcome: 'undecided', expected: 0, value: 0, projection: undefined }]);
    // Nothing to judge against without every sensor value.
    expect(rules.evaluate(400, decided(0), (id) => (id === 'l' ? 0.9 : null))).toEqual([]);
    expect(argmax([0.2, 0.7, 0.7])).toBe(1);
    expect(argmax([0.2, null])).toBeNull();
  });

  it('feeds configured reward into the brain while it runs', async () => {
    const clock = new ManualClock();
    const rule = RewardRule.parse({ type: 'argmax', output: 'steer', sensors: ['light_left', 'light_right'], interval_ms: 100 });
    const { rt, rewards } = await runtime(clock, [rule]);
    rt.onSample(sensor('light_left'), 1, clock.now());
    rt.onSample(sensor('light_right'), 0, clock.now());
    rt.start();
    clock.advance(3000);
    expect(rewards.length).toBeGreaterThan(0);
    expect(rewards.every((r) => r.source === 'rule:0' && r.via === 'rule' && r.projections[0] === 'hidden_to_motor')).toBe(true);
    expect(rt.rewardTally().rule.events).toBe(rewards.length);
    expect(rt.rewardTally().api.events).toBe(0);
  });
});
