// sd_notify against a fake NOTIFY_SOCKET (a real AF_UNIX datagram socket served by python3): READY, WATCHDOG from progress, STOPPING.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystemdNotifier, formatNotifyMessage, watchdogInterval, type SystemdNotifier } from '../../agent/lifecycle/systemd-notify.ts';
import { WatchdogFeeder } from '../../agent/lifecycle/watchdog.ts';
import { Agent } from '../../agent/lifecycle/agent.ts';
import { createMemoryLogger, silentLogger } from '../../agent/log.ts';
import { FakeHardware, tempDir, testConfig, waitFor } from './helpers.ts';

const FAKE_SOCKET = new URL('./fixtures/fake-notify-socket.py', import.meta.url).pathname;

interface Received {
  pid: number | null;
  message: string;
}

class FakeNotifySocket {
  readonly received: Received[] = [];
  private constructor(readonly path: string, private readonly child: ChildProcessWithoutNullStreams) {}

  static async start(path: string): Promise<FakeNotifySocket> {
    const child = spawn('python3', [FAKE_SOCKET, path]);
    const socket = new FakeNotifySocket(path, child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fake notify socket exited with ${code}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as Received & { ready?: boolean };
        if (parsed.ready) resolve();
        else socket.received.push(parsed);
      });
    });
    return socket;
  }

  messages(): string[] {
    return this.received.map((r) => r.message).filter((m) => m !== 'BARRIER=1');
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

let dir: ReturnType<typeof tempDir>;
let fake: FakeNotifySocket;
beforeEach(async () => {
  dir = tempDir('hasn-notify-');
  fake = await FakeNotifySocket.start(join(dir.path, 'notify.sock'));
});
afterEach(() => {
  fake.stop();
  dir.remove();
});

describe('sd_notify through systemd-notify', () => {
  it('delivers a message as KEY=value lines to the datagram socket named by NOTIFY_SOCKET', async () => {
    const notifier = createSystemdNotifier({ env: { NOTIFY_SOCKET: fake.path, PATH: process.env.PATH }, log: silentLogger });
    expect(notifier.enabled).toBe(true);
    await notifier.notify({ READY: '1', STATUS: 'running brain x\nat step 3' });
    await waitFor(() => fake.messages().length === 1, 5000, 'the READY message');
    expect(fake.messages()).toEqual(['READY=1\nSTATUS=running brain x at step 3']);
  });

  it('does nothing without NOTIFY_SOCKET, and logs (never throws) when the tool is missing', async () => {
    const off = createSystemdNotifier({ env: {}, log: silentLogger });
    expect(off.enabled).toBe(false);
    await off.notify({ READY: '1' });
    const { logger, lines } = createMemoryLogger();
    const broken = createSystemdNotifier({ env: { NOTIFY_SOCKET: fake.path }, command: '/nonexistent/systemd-notify', log: logger });
    await broken.notify({ READY: '1' });
    await broken.notify({ STOPPING: '1' });
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(fake.messages()).toEqual([]);
  });

  it('honours WATCHDOG_USEC (half of it) only when WATCHDOG_PID is ours or absent', () => {
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: 'soon' }, 42)).toBeNull();
    expect(() => formatNotifyMessage({ 'ready=1\nX': '1' })).toThrow();
  });

  it('pings the watchdog only while the engine makes progress', () => {
    const sent: Record<string, string>[] = [];
    const notifier: SystemdNotifier = { enabled: true, watchdogIntervalMs: 100, notify: async (f) => void sent.push(f) };
    const feeder = new WatchdogFeeder(notifier);
    for (let t = 0; t <= 1000; t += 10) feeder.progress(t);
    expect(sent.length).toBe(11);
    // No progress (a stalled engine calls nothing) means no pings, however much time passes.
    feeder.progress(5000);
    expect(sent.length).toBe(12);
  });

  it('tells a real notify socket READY=1 once the core runs, WATCHDOG=1 while it steps, and STOPPING=1 at shutdown', async () => {
    const notifier = createSystemdNotifier({ env: { NOTIFY_SOCKET: fake.path, WATCHDOG_USEC: '200000', PATH: process.env.PATH }, log: silentLogger });
    const agent = new Agent({ config: testConfig(dir.path, { http: { enabled: false } }), log: silentLogger, adapters: new FakeHardware(), notifier });
    await agent.start();
    await waitFor(() => fake.messages().filter((m) => m === 'WATCHDOG=1').length >= 3, 5000, 'three watchdog pings');
    await agent.stop('test');
    await waitFor(() => fake.messages().some((m) => m.startsWith('STOPPING=1')), 5000, 'STOPPING');
    const messages = fake.messages();
    expect(messages[0]).toMatch(/^READY=1\nSTATUS=running brain sensorimotor at step \d+$/);
    expect(messages.at(-1)).toBe('STOPPING=1\nSTATUS=stopping: test');
    expect(messages.slice(1, -1).every((m) => m === 'WATCHDOG=1')).toBe(true);
  });
});
