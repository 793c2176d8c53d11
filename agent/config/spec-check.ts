// Checks that need the config and the brain together: sensors feed real input channels, actuators real sinks, rules real outputs.
import type { Issue } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import type { Actuator, AgentConfig, Sensor } from './schema.ts';
import { actuatorSink, sensorChannel } from './schema.ts';

/** Problems of the config on its own: duplicate ids, serial ports opened twice with different speeds. */
export function configSelfIssues(config: AgentConfig): Issue[] {
  const issues: Issue[] = [];
  const duplicates = (list: readonly { id: string }[], key: string) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) issues.push({ code: 'E_CONFIG_DUPLICATE_ID', path: `${key}[${i}].id`, message: `"${item.id}" is used twice` });
      seen.add(item.id);
    });
  };
  duplicates(config.sensors, 'sensors');
  duplicates(config.actuators, 'actuators');
  const baud = new Map<string, number>();
  const serial = (path: string, rate: number, at: string) => {
    const known = baud.get(path);
    if (known !== undefined && known !== rate) issues.push({ code: 'E_CONFIG_SERIAL_CONFLICT', path: at, message: `${path} is opened at ${known} baud elsewhere; one port has one speed` });
    baud.set(path, rate);
  };
  config.sensors.forEach((s, i) => s.source.type === 'serial' && serial(s.source.path, s.source.baud_rate, `sensors[${i}].source.baud_rate`));
  config.actuators.forEach((a, i) => a.target.type === 'serial' && serial(a.target.path, a.target.baud_rate, `actuators[${i}].target.baud_rate`));
  return issues;
}

/** Problems of the (effective) sensors, actuators and reward rules against the brain's spec. */
export function configSpecIssues(config: AgentConfig, spec: NetworkSpec, io: { sensors: readonly Sensor[]; actuators: readonly Actuator[] } = config): Issue[] {
  const issues: Issue[] = [];
  const channels = new Set(spec.inputs.map((i) => i.channel));
  const sinks = new Set(spec.outputs.map((o) => o.sink));
  const outputs = new Set(spec.outputs.map((o) => o.id));
  const rewardProjections = new Set(spec.projections.filter((p) => p.plasticity?.rule === 'reward_stdp').map((p) => p.id));
  const sensorIds = new Set(io.sensors.map((s) => s.id));
  io.sensors.forEach((sensor, i) => {
    const channel = sensorChannel(sensor);
    if (!channels.has(channel)) {
      issues.push({ code: 'E_CONFIG_UNKNOWN_CHANNEL', path: `sensors[${i}].channel`, message: `brain "${spec.name}" has no input on channel "${channel}" (it has: ${[...channels].join(', ') || 'none'})` });
    }
  });
  io.actuators.forEach((actuator, i) => {
    const sink = actuatorSink(actuator);
    if (!sinks.has(sink)) {
      issues.push({ code: 'E_CONFIG_UNKNOWN_SINK', path: `actuators[${i}].sink`, message: `brain "${spec.name}" has no output with sink "${sink}" (it has: ${[...sinks].join(', ') || 'none'})` });
    }
  });
  config.reward.rules.forEach((rule, i) => {
    const at = `reward.rules[${i}]`;
    if (!outputs.has(rule.output)) issues.push({ code: 'E_CONFIG_UNKNOWN_OUTPUT', path: `${at}.output`, message: `brain "${spec.name}" has no output "${rule.output}"` });
    rule.sensors.forEach((id, k) => {
      if (!sensorIds.has(id)) issues.push({ code: 'E_CONFIG_UNKNOWN_SENSOR', path: `${at}.sensors[${k}]`, message: `no sensor "${id}" is configured` });
    });
    if (rewardProjections.size === 0) {
      issues.push({ code: 'E_CONFIG_NO_REWARD_PROJECTION', path: at, message: `brain "${spec.name}" has no reward_stdp projection for reward to act on` });
    } else if (rule.projection !== undefined && !rewardProjections.has(rule.projection)) {
      issues.push({ code: 'E_CONFIG_UNKNOWN_PROJECTION', path: `${at}.projection`, message: `"${rule.projection}" is not a reward_stdp projection of brain "${spec.name}"` });
    }
  });
  return issues;
}
