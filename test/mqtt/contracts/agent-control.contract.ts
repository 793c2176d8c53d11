// The behaviour every AgentControl must show (the agent's implementation and the simulated one used by the link tests).
// Usage: agentControlContract('my control', async () => ({ control, deviceId, cleanup })).
import { describe, expect, it } from 'vitest';
import type { AgentControl } from '../../../agent/contract/agent-control.ts';
import { buildBundle, openBundle } from '../../../agent/contract/bundle.ts';
import { readSnapshot } from '../../../core/state/index.ts';
import { snapshotOf, variantSpec } from '../fixtures/sim-control.ts';

export interface ControlUnderTest {
  control: AgentControl;
  deviceId: string;
  cleanup?: () => Promise<void> | void;
}

export function agentControlContract(name: string, make: () => Promise<ControlUnderTest>): void {
  const withControl = (test: (c: ControlUnderTest) => Promise<void>) => async () => {
    const subject = await make();
    try {
      await test(subject);
    } finally {
      await subject.cleanup?.();
    }
  };

  describe(`AgentControl contract: ${name}`, () => {
    it('describes itself: version, backends, a running brain with its spec hash, health with the active backend', withControl(async ({ control }) => {
      const description = control.describe();
      expect(description.version.length).toBeGreaterThan(0);
      expect(description.backends.some((b) => b.id === 'cpu')).toBe(true);
      expect(description.brain?.specHash).toMatch(/^[0-9a-f]{64}$/);
      expect(['online', 'degraded']).toContain(control.health().state);
      expect(control.health().backend.length).toBeGreaterThan(0);
      for (const [metric, value] of Object.entries(control.metrics())) {
        expect(metric).toMatch(/^[a-z][a-z0-9_.]{0,63}$/);
        expect(Number.isFinite(value)).toBe(true);
      }
    }));

    it('exports the running brain: a spec with the described hash and a snapshot of that spec', withControl(async ({ control }) => {
      const brain = await control.exportBrain();
      const bundle = buildBundle({ spec: brain.spec, snapshot: brain.snapshot });
      expect(bundle.manifest.specHash).toBe(control.describe().brain?.specHash);
      if (brain.snapshot !== null) expect(readSnapshot(brain.snapshot).header.specHash).toBe(bundle.manifest.specHash);
    }));

    it('deploys a verified brain, keeps the previous one, and rolls back to it exactly once', withControl(async ({ control }) => {
      const before = control.describe().brain?.specHash;
      const bundle = buildBundle({ spec: variantSpec(901), snapshot: snapshotOf(variantSpec(901), 3) });
      const result = await control.deploy('contract-1', openBundle(bundle.manifest, bundle.blob));
      expect(result.specHash).toBe(bundle.manifest.specHash);
      expect(control.describe().brain?.specHash).toBe(bundle.manifest.specHash);
      expect((await control.rollbackBrain()).specHash).toBe(before);
      expect(control.describe().brain?.specHash).toBe(before);
      await expect(control.rollbackBrain()).rejects.toMatchObject({ code: 'E_NO_PREVIOUS_BRAIN' });
    }));

    it('takes a snapshot of the running brain and restores it', withControl(async ({ control }) => {
      const snapshot = await control.snapshot();
      expect(snapshot.specHash).toBe(control.describe().brain?.specHash);
      expect((await control.restore(snapshot.id)).step).toBe(snapshot.step);
      await expect(control.restore(999_999)).rejects.toHaveProperty('code');
    }));

    it('refuses an invalid config without applying it, applies a valid one under its version', withControl(async ({ control, deviceId }) => {
      const before = control.describe().configVersion;
      const bad = await control.applyConfig({ version: 50, config: { device: { id: deviceId }, engine: { tick_ms: 'fast' } } });
      expect(bad.applied).toBe(false);
      expect(bad.error?.code).toMatch(/^E_CONFIG_/);
      expect(control.describe().configVersion).toBe(before);
      const good = await control.applyConfig({ version: 51, config: { device: { id: deviceId } } });
      expect(good).toMatchObject({ applied: true });
      expect(control.describe().configVersion).toBe(51);
    }));

    it('takes rewards', withControl(async ({ control }) => {
      await expect(control.reward(0.5)).resolves.toBeUndefined();
    }));
  });
}
