// The sensorimotor example as `hasn agent --sim` runs it, on a manual clock: minutes of simulated time in seconds, the same every run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../drivers/io/clock.ts';
import type { AgentConfigInput } from '../../agent/config/schema.ts';
import type { AgentExtension } from '../../agent/extensions.ts';
import { SENSORIMOTOR_SIMULATION } from '../../agent/config/simulation.ts';
import type { LearningPoint } from '../../agent/runtime/learning-curve.ts';
import { FakeHardware, SENSORIMOTOR, startTestAgent, testConfig, type StartedAgent } from './helpers.ts';

export interface SimLearner extends StartedAgent {
  clock: ManualClock;
  /** Runs `seconds` of simulated time (sensors, loop, rules: everything on the agent's clock). */
  run(seconds: number): void;
  /** The preset rule's learning curve so far. */
  curve(): LearningPoint[];
  /** Mean success rate of the curve points that closed after `fromSeconds` of simulated time (brain time). */
  successAfter(fromSeconds: number): number;
}

/** The example spec with the hidden→motor learning rate replaced (0: the control that cannot learn). */
export function sensorimotorSpecFile(dir: string, learningRate?: number): string {
  const spec = JSON.parse(readFileSync(SENSORIMOTOR, 'utf8')) as { projections: { id: string; plasticity?: { learning_rate: number } }[] };
  if (learningRate !== undefined) spec.projections.find((p) => p.id === 'hidden_to_motor')!.plasticity!.learning_rate = learningRate;
  const file = join(dir, `sensorimotor-lr${learningRate ?? 'default'}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** The preset's reward rule, changed by `overrides` (e.g. reward = penalty = 0: it only measures). */
export function presetRule(overrides: Record<string, unknown> = {}) {
  return { ...SENSORIMOTOR_SIMULATION.reward!.rules![0]!, ...overrides };
}

/** Starts the sim preset (sensors, actuators, reward rule) on a manual clock; HTTP off unless `overrides` turn it on. */
export async function startSimLearner(dataDir: string, overrides: Partial<AgentConfigInput> = {}, options: { extensions?: AgentExtension[] } = {}): Promise<SimLearner> {
  const clock = new ManualClock();
  const started = await startTestAgent(testConfig(dataDir, { ...SENSORIMOTOR_SIMULATION, http: { enabled: false }, ...overrides }), { hardware: new FakeHardware(clock), ...options });
  const curve = () => started.agent.learning().rules[0]?.curve ?? [];
  return {
    ...started,
    clock,
    // Whole seconds at a time: the sensors, the loop and the rules all run on this clock, in order.
    run: (seconds) => {
      for (let s = 0; s < seconds; s++) clock.advance(1000);
    },
    curve,
    successAfter: (fromSeconds) => {
      const points = curve().filter((p) => p.sim_time_s > fromSeconds);
      return points.reduce((sum, p) => sum + p.success_rate, 0) / Math.max(1, points.length);
    },
  };
}

/** Mean success rate per block of `seconds` of the curve (for the figures a failing assertion prints). */
export function curveByBlocks(points: readonly LearningPoint[], seconds: number): string {
  const blocks = new Map<number, number[]>();
  for (const p of points) {
    const block = Math.floor((p.sim_time_s - 1e-9) / seconds);
    blocks.set(block, [...(blocks.get(block) ?? []), p.success_rate]);
  }
  return [...blocks.entries()].map(([block, rates]) => `${block * seconds}–${(block + 1) * seconds} s: ${(rates.reduce((a, b) => a + b, 0) / rates.length).toFixed(2)}`).join(', ');
}
