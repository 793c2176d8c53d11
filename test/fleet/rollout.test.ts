// Staged brain rollouts with real fleet links on aedes: canary → steps → all, health gates, automatic stage rollback.
import { describe, expect, it } from 'vitest';
import { HasnError } from '../../core/errors.ts';
import { specHash } from '../../core/spec/hash.ts';
import { buildBundle } from '../../agent/contract/bundle.ts';
import { silentLogger } from '../../agent/log.ts';
import { parseHealthGate, parseStep, planStages } from '../../fleet/deploy/plan.ts';
import { DEFAULT_PLAN, newDeploymentId, rollbackDeployment, runRollout } from '../../fleet/deploy/rollout.ts';
import type { RolloutPlan } from '../../fleet/deploy/rollout.ts';
import { pullBrain } from '../../fleet/pull.ts';
import { fleet } from './fixtures/fleet-fixture.ts';
import { eventually } from '../mqtt/fixtures/probe.ts';
import type { TestFleet } from './fixtures/fleet-fixture.ts';
import { snapshotOf, variantSpec } from '../mqtt/fixtures/sim-control.ts';

const plan = (overrides: Partial<RolloutPlan> = {}): RolloutPlan => ({ ...DEFAULT_PLAN, target: 'test', soakMs: 150, stageTimeoutMs: 8000, retryMs: 1000, ...overrides });

function storeBrain(f: TestFleet, seed: number): { bundleId: string; specHash: string } {
  const bundle = buildBundle({ spec: variantSpec(seed), snapshot: snapshotOf(variantSpec(seed), 10), name: `tiny-${seed}` }, 300);
  return { bundleId: f.store.deployments.saveBundle(bundle, 'test'), specHash: bundle.manifest.specHash };
}

describe('rollout planning', () => {
  it('splits devices into canary, step-sized stages and the rest', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    expect(planStages(ids, 1, parseStep('25%')).map((s) => s.length)).toEqual([1, 3, 3, 3]);
    expect(planStages(ids, 2, parseStep('4')).map((s) => s.length)).toEqual([2, 4, 4]);
    expect(planStages(ids, 0, parseStep('100%')).map((s) => s.length)).toEqual([10]);
    expect(() => parseStep('0%')).toThrow(HasnError);
    expect(parseHealthGate(['online,engine.lag_ms<50', 'spikes.rate_hz>=1'])).toEqual([
      { metric: 'engine.lag_ms', op: '<', value: 50 },
      { metric: 'spikes.rate_hz', op: '>=', value: 1 },
    ]);
    expect(() => parseHealthGate(['lag is fine'])).toThrow(/METRIC OP NUMBER/);
  });
});

describe('staged rollout', () => {
  it('deploys canary → 50% steps (ceil of 2.5 devices) → the rest, gated on health and metrics; every device ends on the new brain', async () => {
    const f = await fleet(['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5']);
    const { bundleId, specHash: hash } = storeBrain(f, 21);
    const deployment = await runRollout(f.controller, f.sender, {
      deploymentId: newDeploymentId(Date.now()), bundleId, devices: f.devices.map((d) => d.id),
      plan: plan({ canary: 1, step: { percent: 50 }, gate: parseHealthGate(['spikes.rate_hz>1,engine.lag_ms<10']) }), log: silentLogger,
    });
    expect(deployment).toMatchObject({ state: 'succeeded', stage: 2, error: null });
    expect(deployment.devices.map((d) => [d.deviceId, d.stage, d.state])).toEqual([
      ['dev-1', 0, 'healthy'], ['dev-2', 1, 'healthy'], ['dev-3', 1, 'healthy'], ['dev-4', 1, 'healthy'], ['dev-5', 2, 'healthy'],
    ]);
    for (const d of f.devices) expect(specHash(d.control.brain.spec)).toBe(hash);
  });

  it('rolls back a stage in which one device fails to apply, and stops there', async () => {
    const f = await fleet(['dev-1', 'dev-2', 'dev-3', 'dev-4']);
    const original = specHash(f.devices[0].control.brain.spec);
    f.devices[2].control.failDeploys(new HasnError('E_BACKEND_UNAVAILABLE', 'does not fit'));
    const { bundleId, specHash: hash } = storeBrain(f, 22);
    const deployment = await runRollout(f.controller, f.sender, {
      deploymentId: newDeploymentId(Date.now()), bundleId, devices: f.devices.map((d) => d.id), plan: plan({ canary: 1, step: { count: 2 } }), log: silentLogger,
    });
    expect(deployment.state).toBe('failed');
    expect(deployment.error).toMatch(/dev-3 failed to apply: E_BACKEND_UNAVAILABLE/);
    const byId = Object.fromEntries(deployment.devices.map((d) => [d.deviceId, d.state]));
    expect(byId).toEqual({ 'dev-1': 'healthy', 'dev-2': 'rolled_back', 'dev-3': 'failed', 'dev-4': 'pending' });
    expect(specHash(f.devices[0].control.brain.spec)).toBe(hash);
    for (const d of f.devices.slice(1)) expect(specHash(d.control.brain.spec)).toBe(original);
  });

  it('fails the canary when the health gate is not met and rolls it back', async () => {
    const f = await fleet(['dev-1', 'dev-2']);
    const original = specHash(f.devices[0].control.brain.spec);
    const { bundleId } = storeBrain(f, 23);
    const deployment = await runRollout(f.controller, f.sender, {
      deploymentId: newDeploymentId(Date.now()), bundleId, devices: ['dev-1', 'dev-2'],
      plan: plan({ canary: 1, stageTimeoutMs: 1500, gate: parseHealthGate(['spikes.rate_hz>100']) }), log: silentLogger,
    });
    expect(deployment).toMatchObject({ state: 'failed', stage: 0 });
    expect(deployment.error).toMatch(/health gate not met in time: dev-1: spikes.rate_hz = 12.5 fails spikes.rate_hz>100/);
    expect(deployment.devices.map((d) => d.state)).toEqual(['rolled_back', 'pending']);
    expect(specHash(f.devices[0].control.brain.spec)).toBe(original);
  });

  it('moves a brain that learned on one device to the others (pull, then deploy), and rolls the deployment back on request', async () => {
    const f = await fleet(['dev-1', 'dev-2', 'dev-3']);
    const learner = f.devices[0].control;
    const learned = buildBundle({ spec: variantSpec(31), snapshot: snapshotOf(variantSpec(31), 5000) });
    await learner.deploy('local', { spec: (await import('../../core/spec/validate.ts')).parseSpec(variantSpec(31)), snapshot: learned.blob.slice(learned.manifest.specBytes) });
    const { bundleId, manifest } = await pullBrain(f.controller, 'dev-1');
    const deployment = await runRollout(f.controller, f.sender, {
      deploymentId: newDeploymentId(Date.now()), bundleId, devices: ['dev-2', 'dev-3'], plan: plan({ canary: 1, step: { percent: 100 } }), log: silentLogger,
    });
    expect(deployment.state).toBe('succeeded');
    for (const d of f.devices) expect(specHash(d.control.brain.spec)).toBe(manifest.specHash);
    // The registry follows the running brain (brain events), without waiting for a new birth.
    await eventually(() => f.store.device('dev-3')?.specHash === manifest.specHash && f.store.device('dev-3')?.deployId === deployment.id, 5000, 'the registry to show the new brain');
    const rolledBack = await rollbackDeployment(f.controller, deployment.id, silentLogger);
    expect(rolledBack.state).toBe('rolled_back');
    expect(rolledBack.devices.map((d) => d.state)).toEqual(['rolled_back', 'rolled_back']);
    expect(specHash(f.devices[1].control.brain.spec)).not.toBe(manifest.specHash);
    await eventually(() => f.store.device('dev-2')?.specHash === specHash(f.devices[1].control.brain.spec), 5000, 'the registry to show the previous brain');
  });

  it('reaches a device that was offline when its stage started once it comes back', async () => {
    const f = await fleet(['dev-1', 'dev-2']);
    const late = f.devices[1];
    await late.link.stop();
    const { bundleId, specHash: hash } = storeBrain(f, 24);
    const running = runRollout(f.controller, f.sender, {
      deploymentId: newDeploymentId(Date.now()), bundleId, devices: ['dev-1', 'dev-2'], plan: plan({ canary: 1, step: { percent: 100 } }), log: silentLogger,
    });
    await new Promise((r) => setTimeout(r, 600));
    const back = f.addDevice('dev-2', { dir: late.dir, control: late.control });
    const deployment = await running;
    expect(deployment.state).toBe('succeeded');
    expect(specHash(back.control.brain.spec)).toBe(hash);
  });
});
