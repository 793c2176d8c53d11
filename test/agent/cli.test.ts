// `hasn agent` as a real process: simulation mode end to end under a fake systemd socket, SIGTERM, documented exit codes, token and config commands.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { openStore } from '../../agent/store/index.ts';
import { startTestAgent, tempDir, testConfig, waitFor } from './helpers.ts';

const HASN = new URL('../../bin/hasn.mjs', import.meta.url).pathname;
const FAKE_SOCKET = new URL('./fixtures/fake-notify-socket.py', import.meta.url).pathname;

interface RunningAgent {
  child: ChildProcessWithoutNullStreams;
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startAgent(args: string[], env: Record<string, string> = {}): RunningAgent {
  const child = spawn(process.execPath, [HASN, 'agent', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, logs, stderr, exited };
}

let dir: ReturnType<typeof tempDir>;
const children: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  dir = tempDir('hasn-cli-');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  dir.remove();
});

describe('hasn agent (process)', () => {
  it('runs the sim brain under systemd notify, serves the dashboard, and on SIGTERM snapshots and exits 0', async () => {
    const socketPath = join(dir.path, 'notify.sock');
    const fake = spawn('python3', [FAKE_SOCKET, socketPath]);
    children.push(fake);
    const messages: string[] = [];
    await new Promise<void>((resolve) => createInterface({ input: fake.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { ready?: boolean; message?: string };
      if (parsed.ready) resolve();
      else if (parsed.message !== 'BARRIER=1') messages.push(parsed.message!);
    }));
    const agent = startAgent(['--sim', '--http-port', '0', '--data-dir', join(dir.path, 'data')], { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' });
    children.push(agent.child);
    await waitFor(() => messages.some((m) => m.startsWith('READY=1')), 20_000, 'READY=1 from the agent process');
    // --sim also starts the embedded MQTT broker, whose log line carries an mqtt:// url.
    const url = agent.logs.map((l) => l.url).find((u): u is string => typeof u === 'string' && u.startsWith('http'))!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/^text\/html/);
    const status = await (await fetch(`${url}/api/v1/status`)).json() as { device: { id: string }; simulation: boolean; brain: { name: string } };
    expect(status).toMatchObject({ device: { id: 'sim-agent' }, simulation: true, brain: { name: 'sensorimotor' } });
    await waitFor(() => messages.includes('WATCHDOG=1'), 5000, 'a watchdog ping');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    await waitFor(() => messages.some((m) => m.startsWith('STOPPING=1')), 5000, 'STOPPING=1');
    const store = openStore(join(dir.path, 'data'));
    expect(store.snapshots.list()[0]).toMatchObject({ reason: 'shutdown' });
    store.close();
  });

  it('exits 2 listing every config problem, and 69 when the data directory is taken', async () => {
    const config = join(dir.path, 'agent.yaml');
    writeFileSync(config, 'device: { id: "Bad Id" }\nhttp: { port: -1 }\n');
    const invalid = await runCli(['agent', '--config', config]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/E_CONFIG_FORMAT\s+device\.id[\s\S]*E_CONFIG_RANGE\s+http\.port/);

    const data = join(dir.path, 'shared');
    const first = await startTestAgent(testConfig(data, { http: { enabled: false } }));
    try {
      const second = await runCli(['agent', '--sim', '--http-port', '0', '--data-dir', data, '--log-level', 'silent']);
      expect(second.code).toBe(69);
      expect(second.stderr).toContain('E_DATA_DIR_LOCKED');
      expect(process.listenerCount('SIGTERM')).toBe(0); // a failed start leaves no handlers behind
    } finally {
      await first.stop();
    }
  });

  it('creates, lists and revokes tokens from the command line, and checks config files with exit codes', async () => {
    const data = join(dir.path, 'data');
    const created = await runCli(['agent', 'token', 'create', '--name', 'grafana', '--role', 'viewer', '--data-dir', data]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^hasn_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect((await runCli(['agent', '--data-dir', data, 'token', 'list'])).stdout).toMatch(/viewer\s+active\s+grafana/);
    const id = token.split('_')[1]!;
    expect((await runCli(['agent', 'token', 'revoke', id, '--data-dir', data])).code).toBe(0);
    expect((await runCli(['agent', 'token', 'list', '--data-dir', data])).stdout).toMatch(/viewer\s+revoked\s+grafana/);
    expect((await runCli(['agent', 'token', 'revoke', id, '--data-dir', data])).code).toBe(2);
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, 'device: { id: pi-01 }\nsensors: [{ id: x, source: { type: laser } }]\n');
    const check = await runCli(['config', 'check', bad, '--json']);
    expect(check.code).toBe(2);
    expect(JSON.parse(check.stdout)).toMatchObject({ valid: false, issues: [{ code: 'E_CONFIG_VARIANT', path: 'sensors[0].source.type' }] });
    const good = join(dir.path, 'good.yaml');
    writeFileSync(good, 'device: { id: pi-01 }\n');
    expect(await runCli(['config', 'check', good])).toMatchObject({ code: 0, stdout: `${good}: valid\n` });
    expect(JSON.parse((await runCli(['config', 'schema'])).stdout)).toMatchObject({ type: 'object', required: ['device'] });
  });
});

/** Runs the CLI in this process (the commands that do not start a daemon), capturing what it prints. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(write(out) as typeof process.stdout.write);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(write(err) as typeof process.stderr.write);
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'hasn', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = previous;
  }
}
