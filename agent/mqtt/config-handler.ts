// `config/desired`: signed, versioned configs from the controller, applied one at a time and reported back.
//
// The message is retained, so it arrives again after every reconnect: a version is applied only when it is
// newer than the one running, and a version already tried in this process is not tried again (a rejected
// config would otherwise be retried on every reconnect). The config is validated here with the agent's own
// schema (every problem reported with its path) and must name this device; the agent then applies it
// atomically and rolls back if it does not become healthy (AgentControl.applyConfig).
import { DesiredConfigPayload } from '../contract/messages.ts';
import type { ErrorInfo, ReportedConfigPayload } from '../contract/messages.ts';
import { AgentConfig } from '../config/schema.ts';
import { formatPath } from '../../core/errors.ts';
import { decodePayload, errorInfo, MAX_PAYLOAD_BYTES } from '../contract/decode.ts';
import type { AgentControl } from '../contract/agent-control.ts';
import type { Logger } from '../log.ts';
import type { AuditLog } from '../store/index.ts';
import type { MessageAuthenticator } from './authenticator.ts';
import type { IncomingMessage } from './client.ts';
import type { DeviceSender } from './device-sender.ts';
import type { Rejections } from './rejections.ts';
import type { HasnError } from '../../core/errors.ts';

export class ConfigHandler {
  private readonly tried = new Set<number>();
  private serial: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      deviceId: string;
      control: AgentControl;
      sender: DeviceSender;
      authenticator: MessageAuthenticator;
      rejections: Rejections;
      audit: AuditLog;
      log: Logger;
      now: () => number;
    },
  ) {}

  handle(message: IncomingMessage): Promise<void> {
    const { deps } = this;
    if (message.payload.length === 0) return Promise.resolve(); // a cleared retained message
    const decoded = decodePayload(DesiredConfigPayload, message.payload, MAX_PAYLOAD_BYTES['config/desired']);
    if (!decoded.ok) {
      deps.rejections.reject(message.topic, decoded.error);
      return Promise.resolve();
    }
    try {
      deps.authenticator.check(message.topic, decoded.raw, decoded.value.auth, false);
    } catch (err) {
      deps.rejections.reject(message.topic, err as HasnError);
      return Promise.resolve();
    }
    const desired = decoded.value;
    const apply = (): Promise<void> => this.apply(desired.version, desired.config, desired.auth.keyId);
    this.serial = this.serial.then(apply, apply);
    return this.serial;
  }

  private async apply(version: number, config: Record<string, unknown>, keyId: string | undefined): Promise<void> {
    const { deps } = this;
    const current = deps.control.describe().configVersion;
    if ((current !== null && version <= current) || this.tried.has(version)) return;
    this.tried.add(version);
    deps.log.info({ version, current }, 'applying desired config from the fleet');
    let report: ReportedConfigPayload;
    const refusal = this.validate(config);
    if (refusal !== undefined) {
      report = { version, applied: false, current: deps.control.describe().configVersion, error: refusal, at: deps.now() };
      this.report(report, keyId);
      return;
    }
    try {
      const result = await deps.control.applyConfig({ version, config });
      report = {
        version,
        applied: result.applied,
        current: deps.control.describe().configVersion,
        ...(result.rolledBack === true ? { rolledBack: true } : {}),
        ...(result.error === undefined ? {} : { error: result.error }),
        at: deps.now(),
      };
    } catch (err) {
      report = { version, applied: false, current: deps.control.describe().configVersion, error: errorInfo(err), at: deps.now() };
    }
    this.report(report, keyId);
  }

  /** Why the agent's schema refuses the config (first problem, with the count), or undefined when it is valid. */
  private validate(config: Record<string, unknown>): ErrorInfo | undefined {
    const parsed = AgentConfig.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues;
      const first = issues[0];
      const path = formatPath(first?.path ?? []);
      return { code: 'E_CONFIG_INVALID', message: `${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${path}: ${first?.message ?? ''}`.slice(0, 512), path };
    }
    if (parsed.data.device.id !== this.deps.deviceId) {
      return { code: 'E_CONFIG_DEVICE', message: `the config is for device ${parsed.data.device.id}, this is ${this.deps.deviceId}`, path: 'device.id' };
    }
    return undefined;
  }

  private report(report: ReportedConfigPayload, keyId: string | undefined): void {
    const { deps } = this;
    deps.sender.reportedConfig(report);
    deps.sender.event('config', report.applied ? 'info' : 'warning', report);
    deps.audit.append({ actor: `fleet:${keyId ?? 'unknown'}`, action: report.applied ? 'config.apply' : 'config.reject', target: deps.deviceId, details: { version: report.version, error: report.error ?? null } });
  }
}
