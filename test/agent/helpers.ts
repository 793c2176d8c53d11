// Shared fixtures for the agent suites: temp data dirs, configs, in-memory I/O adapters, a started agent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../drivers/io/clock.ts';
import { FakeDigitalLine } from '../../drivers/io/gpio/fake-line.ts';
import { FakeI2CDevice } from '../../drivers/io/i2c/fake-device.ts';
import { createFakeSerialCable, type FakeSerialCable } from '../../drivers/io/serial/fake-link.ts';
import { jsonLineFraming } from '../../drivers/io/serial/framing-lines.ts';
import type { IoClock } from '../../drivers/io/types.ts';
import { AgentConfig, type AgentConfigInput } from '../../agent/config/schema.ts';
import type { IoAdapters } from '../../agent/io/adapters.ts';
import { Agent } from '../../agent/lifecycle/agent.ts';
import type { SystemdNotifier } from '../../agent/lifecycle/systemd-notify.ts';
import type { AgentExtension } from '../../agent/extensions.ts';
import { createMemoryLogger, silentLogger, type Logger } from '../../agent/log.ts';

export const SENSORIMOTOR = fileURLToPath(new URL('../../examples/sensorimotor.json', import.meta.url));

export function tempDir(prefix = 'hasn-agent-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A valid config for tests: the sensorimotor brain in simulation mode, HTTP on a free port. */
export function testConfig(dataDir: string, overrides: Partial<AgentConfigInput> = {}): AgentConfig {
  return AgentConfig.parse({
    device: { id: 'test-agent' },
    data_dir: dataDir,
    simulation: true,
    brain: { spec: SENSORIMOTOR },
    http: { port: 0 },
    snapshots: { interval_s: 0 },
    ...overrides,
  });
}

/** In-memory hardware: every line, device and serial link a test opens is kept for inspection. */
export class FakeHardware implements IoAdapters {
  readonly lines = new Map<string, FakeDigitalLine>();
  readonly i2c = new Map<string, FakeI2CDevice>();
  readonly cables = new Map<string, FakeSerialCable<unknown>>();
  /** Lines that refuse to open (as a missing or busy pin would). */
  readonly brokenLines = new Set<number>();

  constructor(readonly clock: IoClock = systemClock) {}

  async openLine(bcm: number, direction: 'in' | 'out'): Promise<FakeDigitalLine> {
    if (this.brokenLines.has(bcm)) throw new Error(`EBUSY: bcm${bcm} is in use`);
    const line = new FakeDigitalLine({ direction, name: `bcm${bcm}`, clock: this.clock });
    this.lines.set(`${direction}:${bcm}`, line);
    return line;
  }

  async openI2CDevice(bus: number, address: number): Promise<FakeI2CDevice> {
    const key = `${bus}:${address}`;
    const device = this.i2c.get(key) ?? new FakeI2CDevice({ bus, address });
    this.i2c.set(key, device);
    return device;
  }

  /** The cable whose end `a` the agent uses; the test talks through end `b`. */
  cable(path: string): FakeSerialCable<unknown> {
    let cable = this.cables.get(path);
    if (cable === undefined) {
      cable = createFakeSerialCable(jsonLineFraming(), { pathA: path, pathB: `${path}#peer`, clock: this.clock });
      this.cables.set(path, cable);
    }
    return cable;
  }

  createJsonLineLink(path: string): FakeSerialCable<unknown>['a'] {
    return this.cable(path).a;
  }
}

/** Records every sd_notify message instead of sending it. */
export class RecordingNotifier implements SystemdNotifier {
  readonly enabled = true;
  readonly messages: Record<string, string>[] = [];
  constructor(readonly watchdogIntervalMs: number | null = null) {}
  async notify(fields: Record<string, string>): Promise<void> {
    this.messages.push(fields);
  }
}

export interface StartedAgent {
  agent: Agent;
  hardware: FakeHardware;
  notifier: RecordingNotifier;
  log: Logger;
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startTestAgent(config: AgentConfig, options: { hardware?: FakeHardware; extensions?: AgentExtension[]; notifier?: RecordingNotifier; captureLog?: boolean } = {}): Promise<StartedAgent> {
  const hardware = options.hardware ?? new FakeHardware();
  const notifier = options.notifier ?? new RecordingNotifier();
  const memory = options.captureLog ? createMemoryLogger('debug') : { logger: silentLogger, lines: [] };
  const agent = new Agent({ config, log: memory.logger, adapters: hardware, notifier, extensions: options.extensions ?? [] });
  await agent.start();
  return { agent, hardware, notifier, log: memory.logger, lines: memory.lines, stop: () => agent.stop('test over') };
}

/** Waits until `condition` holds (polling every 10 ms), failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
