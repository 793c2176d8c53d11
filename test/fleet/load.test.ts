// Load: 200 simulated devices (real links and outboxes, one child process) against one Mosquitto and the controller.
// Asserts what must hold at any speed; prints the figures (bench/fleet/load.ts runs the longer measurement).
import { describe, expect, it } from 'vitest';
import { runLoad } from './fixtures/load-run.ts';

describe('fleet load', () => {
  it('200 devices come online, their telemetry flows, and a staged deployment reaches every one', async () => {
    const figures = await runLoad({ devices: 200, sampleMs: 200, batchSize: 2, measureMs: 2000, canary: 1, stepPercent: 25, soakMs: 300 });
    process.stdout.write(`fleet load (200 devices): ${JSON.stringify(figures)}\n`);
    expect(figures.deployment.state).toBe('succeeded');
    expect(figures.deployment.stages).toEqual([1, 50, 50, 50, 49]);
    expect(figures.deployment.devicesOnNewBrain).toBe(200);
    expect(figures.window.messagesReceived).toBeGreaterThan(0);
    expect(figures.controller.rejected).toBe(0);
  }, 120_000);
});
