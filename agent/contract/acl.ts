// Who may touch which topics: each device only its own subtree, in the direction the contract gives each topic.
//
// The same rules are written for Mosquitto in fleet/mosquitto/acl (pattern lines with %u) and enforced by the
// embedded broker; the controller (any client that is not a device) may use the whole tree.
import { TOPIC_ROOT } from './topics.ts';

/** Topics under hasn/v1/<id>/ a device publishes (dev→). */
const DEVICE_PUBLISHES = [/^status$/, /^birth$/, /^telemetry$/, /^events$/, /^config\/reported$/, /^response\/[^/+#]+$/, /^pull\/[^/+#]+\/[^/+#]+$/];
/** Topic filters under hasn/v1/<id>/ a device subscribes to (→dev). */
const DEVICE_SUBSCRIBES = [/^config\/desired$/, /^cmd\/(\+|[^/+#]+)$/, /^deploy$/, /^deploy\/(\+|[^/+#]+)\/(\+|[^/+#]+)$/];

function ownRest(deviceId: string, topic: string): string | undefined {
  const prefix = `${TOPIC_ROOT}/${deviceId}/`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : undefined;
}

export function deviceMayPublish(deviceId: string, topic: string): boolean {
  const rest = ownRest(deviceId, topic);
  return rest !== undefined && DEVICE_PUBLISHES.some((rule) => rule.test(rest));
}

export function deviceMaySubscribe(deviceId: string, filter: string): boolean {
  const rest = ownRest(deviceId, filter);
  return rest !== undefined && DEVICE_SUBSCRIBES.some((rule) => rule.test(rest));
}
