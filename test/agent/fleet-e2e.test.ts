// `hasn agent --sim --broker URL` joins a `hasn fleet --dev` as real processes: listed online, answers signed commands (snapshot, reward).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers.ts';

const HASN = new URL('../../bin/hasn.mjs', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function hasn(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [HASN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];
let fleetDir: string;
/** The agent's HTTP API. */
let agentUrl: string;

beforeAll(async () => {
  dir = tempDir('hasn-fleet-e2e-');
  fleetDir = join(dir.path, 'fleet');
  const brokerPort = await freePort();
  const fleetLog: string[] = [];
  const fleet = spawn(process.execPath, [HASN, 'fleet', '--dev', '--broker-port', String(brokerPort), '--http-port', String(await freePort()), '--data-dir', fleetDir], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  children.push(fleet);
  fleet.stdout?.on('data', (d: Buffer) => fleetLog.push(d.toString()));
  fleet.stderr?.on('data', (d: Buffer) => fleetLog.push(d.toString()));
  await waitFor(() => fleetLog.join('').includes(`:${brokerPort}`), 20_000, 'the fleet controller to start its broker');
  // The dev controller's public key lets the device verify signed commands.
  const httpPort = await freePort();
  agentUrl = `http://127.0.0.1:${httpPort}`;
  const agent = spawn(process.execPath, [HASN, 'agent', '--sim', '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--data-dir', join(dir.path, 'agent'), '--http-port', String(httpPort)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HASN_MQTT__CONTROLLER_PUBLIC_KEY_FILE: join(fleetDir, 'keys', 'controller.pub') },
  });
  children.push(agent);
}, 30_000);

afterAll(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  dir?.remove();
});

describe('hasn agent --broker with hasn fleet --dev (processes)', () => {
  it('is listed online by hasn fleet devices and takes a signed snapshot command', async () => {
    let devices: { id: string; state: string; brain: string }[] = [];
    await waitFor(() => {
      const listed = hasn(['fleet', 'devices', '--json', '--data-dir', fleetDir]);
      devices = listed.status === 0 ? JSON.parse(listed.stdout) as typeof devices : [];
      return devices.some((d) => d.id === 'sim-agent' && d.state === 'online');
    }, 25_000, 'the agent to be listed online');
    expect(devices.find((d) => d.id === 'sim-agent')).toMatchObject({ state: 'online', brain: 'sensorimotor' });
    const command = hasn(['fleet', 'cmd', 'sim-agent', 'snapshot', '--data-dir', fleetDir]);
    expect(command.status).toBe(0);
    expect(JSON.parse(command.stdout)).toMatchObject({ ok: true, result: { id: expect.any(Number), specHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  }, 40_000);

  it('takes a signed reward command, acknowledged, and the brain counts it as fleet reward (learning API, metrics)', async () => {
    const command = hasn(['fleet', 'cmd', 'sim-agent', 'reward', '--args', '{"value": 0.5, "projection": "hidden_to_motor"}', '--data-dir', fleetDir]);
    expect(command.status, command.stderr).toBe(0);
    expect(JSON.parse(command.stdout)).toMatchObject({ ok: true, result: { rewarded: 0.5 } });
    const learning = await (await fetch(`${agentUrl}/api/v1/learning`)).json() as { rewards: Record<string, { events: number; sum: number }>; rules: { output: string }[] };
    expect(learning.rewards.fleet).toEqual({ events: 1, sum: 0.5 });
    expect(learning.rules.map((r) => r.output)).toEqual(['steer']);
    const metrics = await (await fetch(`${agentUrl}/metrics`)).text();
    expect(metrics).toMatch(/^hasn_reward_events_total\{via="fleet"\} 1$/m);
    const refused = hasn(['fleet', 'cmd', 'sim-agent', 'reward', '--args', '{"value": "lots"}', '--data-dir', fleetDir]);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'E_COMMAND_ARGS' } });
    const unknown = hasn(['fleet', 'cmd', 'sim-agent', 'reward', '--args', '{"value": 1, "projection": "nope"}', '--data-dir', fleetDir]);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, error: { code: 'E_BRAIN_UNKNOWN_PROJECTION' } });
  }, 40_000);
});
