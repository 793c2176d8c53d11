// Staged brain rollouts: canary → steps → all, each stage gated on device health and metrics, rolled back on failure.
//
// A stage passes when every device in it applied the bundle, stayed online through the soak time, and (after
// the soak) its telemetry since the deployment meets the health gate. Otherwise the devices of that stage
// that applied it are told to roll back to their previous brain and the deployment stops as `failed`;
// earlier stages keep the new brain (they passed their gate) until `hasn fleet rollback DEPLOYMENT`.
import { randomBytes } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { DeployProgress } from '../../agent/contract/transfer.ts';
import type { Logger } from '../../agent/log.ts';
import type { FleetController } from '../controller.ts';
import type { Deployment, TargetState } from '../store/deployment-store.ts';
import { formatCondition, gateFailure, planStages } from './plan.ts';
import type { GateCondition, StepSize } from './plan.ts';
import type { DeploySender } from './transfer.ts';

export interface RolloutPlan {
  /** What was targeted (a group name, or "devices"), for people reading the deployment. */
  target: string;
  canary: number;
  step: StepSize;
  gate: GateCondition[];
  /** Devices must stay healthy this long after applying before the gate is judged. */
  soakMs: number;
  /** A stage that has not passed its gate this long after it started fails. */
  stageTimeoutMs: number;
  /** Send the manifest again to a device that has not answered for this long. */
  retryMs: number;
}

export const DEFAULT_PLAN: Omit<RolloutPlan, 'target'> = { canary: 1, step: { percent: 25 }, gate: [], soakMs: 5000, stageTimeoutMs: 120_000, retryMs: 15_000 };

export function newDeploymentId(now: number): string {
  return `d${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runRollout(
  controller: FleetController,
  sender: DeploySender,
  input: { deploymentId: string; bundleId: string; devices: readonly string[]; plan: RolloutPlan; log: Logger; pollMs?: number },
): Promise<Deployment> {
  const { store } = controller;
  const { plan, deploymentId: id, log } = input;
  const pollMs = input.pollMs ?? 100;
  if (input.devices.length === 0) throw new HasnError('E_DEPLOY_NO_DEVICES', `no devices to deploy to (target ${plan.target})`, { path: '--group' });
  const bundle = store.deployments.bundle(input.bundleId);
  const stages = planStages([...input.devices].sort(), plan.canary, plan.step);
  store.deployments.createDeployment({ id, bundleId: bundle.id, target: plan.target, plan: { ...plan, gate: plan.gate.map(formatCondition), stages: stages.map((s) => s.length) }, stages });
  log.info({ deployment: id, bundle: bundle.id, devices: input.devices.length, stages: stages.map((s) => s.length) }, 'rollout started');

  const states = new Map<string, { state: TargetState; appliedAt: number; lastHeard: number; error: string | null }>();
  const onProgress = (deviceId: string, progress: DeployProgress): void => {
    const entry = states.get(deviceId);
    if (entry === undefined || progress.deployId !== id || entry.state === 'healthy' || entry.state === 'rolled_back') return;
    entry.lastHeard = controller.now();
    if (progress.state === 'rolled_back') return;
    entry.state = progress.state;
    if (progress.state === 'applied') entry.appliedAt = controller.now();
    entry.error = progress.error === undefined ? null : `${progress.error.code}: ${progress.error.message}`;
    store.deployments.setTargetState(id, deviceId, progress.state, { received: progress.received, total: progress.total, error: entry.error });
  };
  controller.ingest.on('deploy-progress', onProgress);
  try {
    for (let stage = 0; stage < stages.length; stage++) {
      const devices = stages[stage];
      store.deployments.setDeploymentState(id, 'running', stage);
      const started = controller.now();
      const deadline = started + plan.stageTimeoutMs;
      for (const deviceId of devices) states.set(deviceId, { state: 'pending', appliedAt: 0, lastHeard: started, error: null });
      await Promise.all(devices.map((deviceId) => sender.start(deviceId, id, bundle)));

      // 1. every device of the stage applies (or fails)
      let failure: string | null = null;
      for (;;) {
        const now = controller.now();
        const failed = devices.find((d) => states.get(d)!.state === 'failed');
        if (failed !== undefined) {
          failure = `${failed} failed to apply: ${states.get(failed)!.error ?? 'unknown error'}`;
          break;
        }
        if (devices.every((d) => states.get(d)!.state === 'applied')) break;
        if (now > deadline) {
          failure = `stage ${stage} timed out: ${devices.filter((d) => states.get(d)!.state !== 'applied').join(', ')} did not apply in ${plan.stageTimeoutMs} ms`;
          break;
        }
        for (const deviceId of devices) {
          const entry = states.get(deviceId)!;
          if (entry.state === 'pending' && now - entry.lastHeard > plan.retryMs) {
            entry.lastHeard = now;
            void sender.retry(deviceId);
          }
        }
        await sleep(pollMs);
      }

      // 2. soak, then the health gate
      if (failure === null) failure = await judgeStage(controller, devices, states, plan, deadline, pollMs);
      for (const deviceId of devices) sender.forget(deviceId);
      if (failure !== null) {
        log.warn({ deployment: id, stage, failure }, 'stage failed; rolling it back');
        await rollbackDevices(controller, id, devices.filter((d) => ['applied', 'applying'].includes(states.get(d)!.state)), log);
        for (const deviceId of devices) {
          const entry = states.get(deviceId)!;
          if (entry.state !== 'applied' && entry.state !== 'applying' && entry.state !== 'failed') store.deployments.setTargetState(id, deviceId, 'failed', { error: entry.error ?? 'stage failed before this device applied' });
        }
        store.deployments.setDeploymentState(id, 'failed', stage, failure);
        return store.deployments.deployment(id);
      }
      for (const deviceId of devices) {
        states.get(deviceId)!.state = 'healthy';
        store.deployments.setTargetState(id, deviceId, 'healthy');
      }
      log.info({ deployment: id, stage, devices: devices.length }, 'stage passed its health gate');
    }
    store.deployments.setDeploymentState(id, 'succeeded', stages.length - 1);
    return store.deployments.deployment(id);
  } finally {
    controller.ingest.off('deploy-progress', onProgress);
  }
}

/** Null when every device stays online through the soak and then meets the gate before the deadline. */
async function judgeStage(
  controller: FleetController,
  devices: readonly string[],
  states: Map<string, { appliedAt: number }>,
  plan: RolloutPlan,
  deadline: number,
  pollMs: number,
): Promise<string | null> {
  const soakEnd = controller.now() + plan.soakMs;
  for (;;) {
    const now = controller.now();
    let firstFailure: string | null = null;
    for (const deviceId of devices) {
      const device = controller.store.device(deviceId);
      const why = now < soakEnd ? (device?.state === 'online' ? null : `device is ${device?.state ?? 'unknown'}`) : gateFailure(device, plan.gate, states.get(deviceId)!.appliedAt);
      if (why !== null) {
        firstFailure = `${deviceId}: ${why}`;
        // Going offline or degraded during the soak fails at once; a gate not yet met may still be met.
        if (device?.state !== 'online') return firstFailure;
        break;
      }
    }
    if (now >= soakEnd && firstFailure === null) return null;
    if (now > Math.max(deadline, soakEnd)) return `health gate not met in time: ${firstFailure}`;
    await sleep(pollMs);
  }
}

async function rollbackDevices(controller: FleetController, deploymentId: string, devices: readonly string[], log: Logger): Promise<number> {
  let done = 0;
  await Promise.all(devices.map(async (deviceId) => {
    try {
      const response = await controller.command(deviceId, 'rollback');
      if (!response.ok) throw new HasnError(response.error.code, response.error.message);
      controller.store.deployments.setTargetState(deploymentId, deviceId, 'rolled_back');
      done += 1;
    } catch (err) {
      log.error({ deviceId, err: (err as Error).message }, 'rollback failed');
      controller.store.deployments.setTargetState(deploymentId, deviceId, 'failed', { error: `rollback failed: ${(err as Error).message}` });
    }
  }));
  return done;
}

/** `hasn fleet rollback DEPLOYMENT`: every device that applied the deployment goes back to its previous brain. */
export async function rollbackDeployment(controller: FleetController, deploymentId: string, log: Logger): Promise<Deployment> {
  const deployment = controller.store.deployments.deployment(deploymentId);
  const applied = deployment.devices.filter((d) => d.state === 'applied' || d.state === 'healthy').map((d) => d.deviceId);
  const done = await rollbackDevices(controller, deploymentId, applied, log);
  controller.store.deployments.setDeploymentState(deploymentId, 'rolled_back', deployment.stage, done === applied.length ? null : `${applied.length - done} device(s) could not roll back`);
  return controller.store.deployments.deployment(deploymentId);
}
