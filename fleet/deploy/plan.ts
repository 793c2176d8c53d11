// Staged-rollout planning: canary → steps → all, and health gates on device metrics (`engine.lag_ms<50`).
import { HasnError } from '../../core/errors.ts';
import type { DeviceRecord } from '../store/fleet-store.ts';

/** `25%` of the fleet per step, or an absolute number of devices. */
export type StepSize = { percent: number } | { count: number };

export function parseStep(text: string): StepSize {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (percent !== null && Number(percent[1]) > 0 && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  if (/^\d+$/.test(text.trim()) && Number(text) > 0) return { count: Number(text) };
  throw new HasnError('E_DEPLOY_STEP', `--step must be a percentage (25%) or a device count (10), got "${text}"`, { path: '--step' });
}

/** Devices (in the given order) split into stages: `canary` devices first, then `step`-sized stages until all. */
export function planStages(deviceIds: readonly string[], canary: number, step: StepSize): string[][] {
  if (!Number.isSafeInteger(canary) || canary < 0) throw new HasnError('E_DEPLOY_CANARY', `--canary must be a whole number ≥ 0, got ${canary}`, { path: '--canary' });
  const stages: string[][] = [];
  let at = Math.min(canary, deviceIds.length);
  if (at > 0) stages.push(deviceIds.slice(0, at));
  const size = 'count' in step ? step.count : Math.max(1, Math.ceil((deviceIds.length * step.percent) / 100));
  while (at < deviceIds.length) {
    stages.push(deviceIds.slice(at, at + size));
    at += size;
  }
  return stages;
}

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

export interface GateCondition {
  metric: string;
  op: Operator;
  value: number;
}

/** Conditions every device must meet on telemetry received after it applied the brain (status must be online too). */
export function parseHealthGate(texts: readonly string[]): GateCondition[] {
  const conditions: GateCondition[] = [];
  for (const part of texts.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t.length > 0)) {
    if (part === 'online') continue;
    const match = /^([a-z][a-z0-9_.]{0,63})\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(part);
    if (match === null) {
      throw new HasnError('E_DEPLOY_GATE', `health gate "${part}" is not METRIC OP NUMBER (e.g. engine.lag_ms<50; OP one of ${OPERATORS.join(' ')})`, { path: '--health-gate' });
    }
    conditions.push({ metric: match[1], op: match[2] as Operator, value: Number(match[3]) });
  }
  return conditions;
}

export function formatCondition(c: GateCondition): string {
  return `${c.metric}${c.op}${c.value}`;
}

function holds(value: number, c: GateCondition): boolean {
  switch (c.op) {
    case '<': return value < c.value;
    case '<=': return value <= c.value;
    case '>': return value > c.value;
    case '>=': return value >= c.value;
    case '==': return value === c.value;
    case '!=': return value !== c.value;
  }
}

/**
 * Why a device fails the gate now, or null when it passes. `since`: telemetry must be newer than this
 * (the moment the device applied the brain), so the gate judges the new brain, not the old one.
 */
export function gateFailure(device: DeviceRecord | undefined, conditions: readonly GateCondition[], since: number): string | null {
  if (device === undefined) return 'unknown device';
  if (device.state !== 'online') return `device is ${device.state}${device.reason === null ? '' : ` (${device.reason})`}`;
  if (conditions.length === 0) return null;
  if (device.lastTelemetryAt === null || device.lastTelemetryAt < since || device.lastMetrics === null) return 'no telemetry since the deployment yet';
  for (const c of conditions) {
    const value = device.lastMetrics[c.metric];
    if (value === undefined) return `metric ${c.metric} is not reported`;
    if (!holds(value, c)) return `${c.metric} = ${value} fails ${formatCondition(c)}`;
  }
  return null;
}
