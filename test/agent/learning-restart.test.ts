// What the sensorimotor brain learned survives a restart: the shutdown snapshot holds the learned weights, the restarted agent resumes from it and steers as well as before.
//
// Before: the trained agent's success rate over its last minute of learning. After: the restarted agent with
// learning switched off (its reward rule only measures), so whatever it gets right comes from the restored
// weights and not from learning again. Untrained: the same measuring agent on an empty data dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../core/state/index.ts';
import { openStore } from '../../agent/store/index.ts';
import { tempDir } from './helpers.ts';
import { curveByBlocks, presetRule, sensorimotorSpecFile, startSimLearner } from './sim-learning.ts';

const TRAIN_S = 180;
const MEASURE_S = 120;
/** How much lower the restored brain's success rate may be than before the restart. */
const TOLERANCE = 0.1;
/** How far above an untrained brain the restored one must be. */
const ABOVE_UNTRAINED = 0.4;

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('hasn-learning-restart-');
});
afterAll(() => dir.remove());

const meanSuccess = (points: { success_rate: number }[]) => points.reduce((s, p) => s + p.success_rate, 0) / Math.max(1, points.length);

describe('learning survives a restart', () => {
  it(`resumes from the shutdown snapshot with the learned weights and steers within ${TOLERANCE} of its success before the restart, ≥ ${ABOVE_UNTRAINED} above an untrained brain`, async () => {
    const spec = sensorimotorSpecFile(dir.path);
    const data = `${dir.path}/trained`;
    const measuring = { brain: { spec }, reward: { rules: [presetRule({ reward: 0, penalty: 0 })] } };

    // 1. Learn, then stop: the shutdown snapshot stores the brain.
    const trained = await startSimLearner(data, { brain: { spec } });
    trained.run(TRAIN_S);
    const trainedCurve = trained.curve();
    const before = meanSuccess(trainedCurve.filter((p) => p.sim_time_s > TRAIN_S - 60));
    const learnedWeights = trained.agent.projectionWeights('hidden_to_motor', 1_000_000);
    const learnedTotals = trained.agent.learning().rules[0]!.totals;
    await trained.stop();

    // 2. The stored state holds the learned weights (the store as the next start reads it).
    const store = openStore(data);
    const stored = store.snapshots.list()[0]!;
    const bytes = store.snapshots.get(stored.id)!.bytes;
    store.close();
    expect(stored.reason).toBe('shutdown');
    const section = readSnapshot(bytes).sections.find((s) => s.name === 'plastic.hidden_to_motor.weight')!;
    const storedWeights = new Float32Array(section.bytes.buffer.slice(section.bytes.byteOffset, section.bytes.byteOffset + section.bytes.byteLength));
    // One partition: the canonical order is the order the API lists them in.
    expect([...storedWeights]).toEqual(learnedWeights.weight);

    // 3. Restart on the same data dir with learning off: it resumes from that snapshot, weights and curve included.
    const restarted = await startSimLearner(data, measuring);
    expect(restarted.agent.status().brain!.restored_from).toEqual({ snapshot: stored.id, step: TRAIN_S * 1000 });
    expect(restarted.agent.projectionWeights('hidden_to_motor', 1_000_000).weight).toEqual(learnedWeights.weight);
    expect(restarted.agent.learning().rules[0]!.totals).toEqual(learnedTotals);
    restarted.run(MEASURE_S);
    const restartedCurve = restarted.curve();
    const after = meanSuccess(restartedCurve.filter((p) => p.sim_time_s > TRAIN_S));
    const report = restarted.agent.learning();
    await restarted.stop();
    // The curve went on where it left off (point numbers continue), and no reward reached the brain after the restart.
    expect(restartedCurve[trainedCurve.length]?.n).toBe(trainedCurve.length);
    expect(report.rewards.rule.events + report.rewards.api.events + report.rewards.fleet.events).toBe(0);
    expect(report.projections.find((p) => p.id === 'hidden_to_motor')!.reward_level).toBeCloseTo(0, 6);

    // 4. The same measuring agent with an untrained brain.
    const untrained = await startSimLearner(`${dir.path}/untrained`, measuring);
    untrained.run(MEASURE_S);
    const untrainedSuccess = meanSuccess(untrained.curve());
    await untrained.stop();

    const figures = `before ${before.toFixed(2)} (${curveByBlocks(trainedCurve, 30)}), after restart ${after.toFixed(2)} (${curveByBlocks(restartedCurve.filter((p) => p.sim_time_s > TRAIN_S), 30)}), untrained ${untrainedSuccess.toFixed(2)}`;
    expect(after, figures).toBeGreaterThanOrEqual(before - TOLERANCE);
    expect(after - untrainedSuccess, figures).toBeGreaterThanOrEqual(ABOVE_UNTRAINED);
  }, 60_000);
});
