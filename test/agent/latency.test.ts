// Measures sensor-sample → input latency on the running agent (real clock) and prints p50/p99; asserts only that it was measured.
//
// Timing figures are printed, never asserted (the machine is shared). Two loop periods are shown: the default
// tick_ms = 10 and tick_ms = 2, since the wait for the next batch of steps dominates the agent's own delay.
import { describe, expect, it } from 'vitest';
import { startTestAgent, tempDir, testConfig } from './helpers.ts';

async function measure(tickMs: number): Promise<{ to_step: [number, number]; to_spike: [number, number]; samples: number }> {
  const dir = tempDir('hasn-latency-');
  // One bright light sampled at 200 Hz: every sample is a new value; its 20 rate-coded neurons fire at 80 Hz each.
  const started = await startTestAgent(testConfig(dir.path, {
    engine: { tick_ms: tickMs },
    http: { enabled: false },
    sensors: [{ id: 'light_left', sample_hz: 200, source: { type: 'sim', signal: { type: 'square', low: 0.98, high: 1, period_s: 0.01 } } }],
  }));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { to_step, to_spike } = started.agent.status().latency_ms;
    return { to_step: [to_step.p50!, to_step.p99!], to_spike: [to_spike.p50!, to_spike.p99!], samples: to_step.samples };
  } finally {
    await started.stop();
    dir.remove();
  }
}

describe('sensor-sample → input-spike latency', () => {
  it('is measured for every sample and reported as p50/p99', async () => {
    const rows: string[] = [];
    for (const tick of [10, 2]) {
      const m = await measure(tick);
      expect(m.samples).toBeGreaterThan(100);
      expect(m.to_step[0]).toBeGreaterThanOrEqual(0);
      expect(m.to_spike[1]).toBeGreaterThanOrEqual(m.to_step[0]);
      rows.push(`tick_ms ${String(tick).padStart(2)}: sample→step p50 ${m.to_step[0].toFixed(2)} ms, p99 ${m.to_step[1].toFixed(2)} ms; sample→spike p50 ${m.to_spike[0].toFixed(2)} ms, p99 ${m.to_spike[1].toFixed(2)} ms (${m.samples} samples)`);
    }
    process.stdout.write(`\nsensor → input latency (dt 1 ms, 200 Hz sensor, rate code 20 × 80 Hz):\n  ${rows.join('\n  ')}\n`);
  });
});
