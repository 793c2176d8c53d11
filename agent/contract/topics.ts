// The MQTT topic tree of contract v1 (`hasn/v1/<deviceId>/…`): builders for both ends and a parser for incoming topics.
//
// Topics not in EDGE.md's table but needed by it, all inside the device's own subtree so that one ACL
// pattern per direction confines a device:
//   response/<requester>   dev→  command responses; a request's responseTopic must name one of these
//   pull/<pullId>/<n>      dev→  chunks of a brain the controller pulls from the device
import { HasnError } from '../../core/errors.ts';

export const TOPIC_ROOT = 'hasn/v1';
export const DEVICE_ID_PATTERN = /^[a-z0-9-]{3,64}$/;
/** Transfer ids (deployments, pulls) and requester ids: one topic level, no wildcards. */
export const TRANSFER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const COMMAND_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export function checkDeviceId(id: string): string {
  if (!DEVICE_ID_PATTERN.test(id)) {
    throw new HasnError('E_DEVICE_ID_INVALID', `device id must be 3–64 of a–z, 0–9 and -, got ${JSON.stringify(id)}`, { path: 'deviceId' });
  }
  return id;
}

function checkLevel(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new HasnError('E_TOPIC_LEVEL_INVALID', `${what} ${JSON.stringify(value)} is not a valid topic level`, { path: what });
  return value;
}

/** Every topic of one device. */
export interface DeviceTopics {
  readonly root: string;
  readonly status: string;
  readonly birth: string;
  readonly telemetry: string;
  readonly events: string;
  readonly configDesired: string;
  readonly configReported: string;
  cmd(name: string): string;
  /** Where a requester (controller client id) receives responses. */
  response(requester: string): string;
  readonly deploy: string;
  deployChunk(deployId: string, index: number): string;
  pullChunk(pullId: string, index: number): string;
  /** What the device subscribes to (all →dev topics). */
  readonly inbound: readonly string[];
}

export function deviceTopics(deviceId: string): DeviceTopics {
  const root = `${TOPIC_ROOT}/${checkDeviceId(deviceId)}`;
  return {
    root,
    status: `${root}/status`,
    birth: `${root}/birth`,
    telemetry: `${root}/telemetry`,
    events: `${root}/events`,
    configDesired: `${root}/config/desired`,
    configReported: `${root}/config/reported`,
    cmd: (name) => `${root}/cmd/${checkLevel(name, COMMAND_NAME_PATTERN, 'command')}`,
    response: (requester) => `${root}/response/${checkLevel(requester, TRANSFER_ID_PATTERN, 'requester')}`,
    deploy: `${root}/deploy`,
    deployChunk: (deployId, index) => `${root}/deploy/${checkLevel(deployId, TRANSFER_ID_PATTERN, 'deployId')}/${checkIndex(index)}`,
    pullChunk: (pullId, index) => `${root}/pull/${checkLevel(pullId, TRANSFER_ID_PATTERN, 'pullId')}/${checkIndex(index)}`,
    inbound: [`${root}/config/desired`, `${root}/cmd/+`, `${root}/deploy`, `${root}/deploy/+/+`],
  };
}

function checkIndex(index: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw new HasnError('E_TOPIC_LEVEL_INVALID', `chunk index must be an integer ≥ 0, got ${index}`, { path: 'index' });
  return index;
}

/** What the controller subscribes to: every dev→ topic of every device (its responses only for its own id). */
export function controllerSubscriptions(requester: string): string[] {
  checkLevel(requester, TRANSFER_ID_PATTERN, 'requester');
  return [
    `${TOPIC_ROOT}/+/status`,
    `${TOPIC_ROOT}/+/birth`,
    `${TOPIC_ROOT}/+/telemetry`,
    `${TOPIC_ROOT}/+/events`,
    `${TOPIC_ROOT}/+/config/reported`,
    `${TOPIC_ROOT}/+/response/${requester}`,
    `${TOPIC_ROOT}/+/pull/+/+`,
  ];
}

export type ParsedTopic =
  | { deviceId: string; kind: 'status' | 'birth' | 'telemetry' | 'events' | 'config/desired' | 'config/reported' | 'deploy' }
  | { deviceId: string; kind: 'cmd'; name: string }
  | { deviceId: string; kind: 'response'; requester: string }
  | { deviceId: string; kind: 'deploy-chunk'; transferId: string; index: number }
  | { deviceId: string; kind: 'pull-chunk'; transferId: string; index: number };

const SIMPLE_KINDS = new Set(['status', 'birth', 'telemetry', 'events', 'deploy']);

/** Parses a topic of the v1 tree; undefined for anything else (wrong root, bad id, unknown kind). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const levels = topic.split('/');
  if (levels.length < 4 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return undefined;
  const deviceId = levels[2];
  if (!DEVICE_ID_PATTERN.test(deviceId)) return undefined;
  const rest = levels.slice(3);
  if (rest.length === 1 && SIMPLE_KINDS.has(rest[0])) return { deviceId, kind: rest[0] as 'status' };
  if (rest.length === 2 && rest[0] === 'config' && (rest[1] === 'desired' || rest[1] === 'reported')) {
    return { deviceId, kind: `config/${rest[1]}` };
  }
  if (rest.length === 2 && rest[0] === 'cmd' && COMMAND_NAME_PATTERN.test(rest[1])) return { deviceId, kind: 'cmd', name: rest[1] };
  if (rest.length === 2 && rest[0] === 'response' && TRANSFER_ID_PATTERN.test(rest[1])) return { deviceId, kind: 'response', requester: rest[1] };
  if (rest.length === 3 && (rest[0] === 'deploy' || rest[0] === 'pull') && TRANSFER_ID_PATTERN.test(rest[1]) && /^(0|[1-9][0-9]{0,8})$/.test(rest[2])) {
    return { deviceId, kind: rest[0] === 'deploy' ? 'deploy-chunk' : 'pull-chunk', transferId: rest[1], index: Number(rest[2]) };
  }
  return undefined;
}
