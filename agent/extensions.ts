// The seam for optional parts of the agent (the MQTT fleet link, issue #8): each is an extension with start/stop.
//
// The lifecycle starts extensions after the I/O and before HTTP, in the order given, and stops them in reverse
// after the shutdown snapshot — so an MQTT extension's stop() is where the outbox is flushed and "offline" published.
import type { AgentConfig } from './config/schema.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './log.ts';
import type { AgentRuntime } from './runtime/runtime.ts';
import type { SnapshotService } from './runtime/snapshot-service.ts';
import type { AgentStatus } from './status.ts';
import type { Store } from './store/index.ts';

/** What an extension may use: the same objects the HTTP API uses. */
export interface AgentContext {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly events: EventBus;
  readonly store: Store;
  readonly runtime: AgentRuntime;
  readonly snapshots: SnapshotService;
  /** Random per process start (MQTT status/telemetry carry it). */
  readonly bootId: string;
  status(): AgentStatus;
}

export interface AgentExtension {
  readonly name: string;
  /** Throwing makes the start fail (the agent exits with "unavailable"); log and degrade instead for soft failures. */
  start(context: AgentContext): Promise<void>;
  /** Must not throw; bounded in time (the lifecycle waits for it during shutdown). */
  stop(): Promise<void>;
  /** Shown in /readyz and status; an extension that is not healthy makes the agent degraded. */
  health?(): { ok: boolean; detail?: string };
}
