// `hasn fleet …` end to end: the dev controller with its embedded broker, devices joining it, the CLI around it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specHash } from '../../core/spec/hash.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import { broker, device, onCleanup, tempDir } from '../mqtt/fixtures/link-fixture.ts';
import { eventually } from '../mqtt/fixtures/probe.ts';
import { freePort } from '../mqtt/fixtures/ports.ts';
import { variantSpec } from '../mqtt/fixtures/sim-control.ts';
import { FleetStore } from '../../fleet/store/fleet-store.ts';

const bin = new URL('../../bin/hasn.mjs', import.meta.url).pathname;

function hasn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

describe('hasn fleet', () => {
  it('runs a dev controller that devices join; devices --json, cmd, group, deploy, pull and deployments work against it', async () => {
    const dir = tempDir('hasn-fleet-cli-');
    const port = await freePort();
    const daemon = spawn(process.execPath, [bin, 'fleet', '--dev', '--broker-port', String(port), '--data-dir', dir, '--http-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    daemon.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
    onCleanup(async () => {
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
      await exited;
    });
    await eventually(() => /join:\s+hasn agent --sim --broker mqtt:\/\/127\.0\.0\.1:\d+/.test(stderr), 30_000, 'the controller to start').catch((err: Error) => { throw new Error(`${err.message}; stderr: ${stderr}`); });
    const settings = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')) as { broker: { url: string }; http: { url: string } };
    expect(settings.broker.url).toBe(`mqtt://127.0.0.1:${port}`);
    expect(existsSync(join(dir, 'keys', 'controller.pub'))).toBe(true);
    const { loadPublicKey } = await import('../../agent/contract/signing.ts');
    const publicKey = loadPublicKey(readFileSync(join(dir, 'keys', 'controller.pub'), 'utf8'));
    const one = device(settings.broker.url, { id: 'pi-one', controllerPublicKey: publicKey, telemetry: { sampleMs: 50, batchSize: 1 } });
    const two = device(settings.broker.url, { id: 'pi-two', controllerPublicKey: publicKey, telemetry: { sampleMs: 50, batchSize: 1 } });

    const registry = FleetStore.open(dir);
    onCleanup(() => registry.close());
    await eventually(() => registry.devices().filter((d) => d.state === 'online').length === 2, 20_000, 'both devices online in the registry');
    const r = await hasn('fleet', 'devices', '--json', '--data-dir', dir);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { id: string; state: string }[];
    expect(listed.map((d) => [d.id, d.state])).toEqual([['pi-one', 'online'], ['pi-two', 'online']]);

    const reward = await hasn('fleet', 'cmd', 'pi-one', 'reward', '--args', '{"value": 0.75}', '--data-dir', dir);
    expect(reward.code).toBe(0);
    expect(JSON.parse(reward.stdout)).toMatchObject({ ok: true, result: { rewarded: 0.75 } });
    expect(one.control.rewards).toEqual([{ value: 0.75 }]);

    expect((await hasn('fleet', 'group', 'add', 'lab', 'pi-one', 'pi-two', '--data-dir', dir)).stdout).toBe('lab: pi-one pi-two\n');
    const specFile = join(dir, 'brain.json');
    writeFileSync(specFile, JSON.stringify(variantSpec(77)));
    const deploy = await hasn('fleet', 'deploy', specFile, '--group', 'lab', '--canary', '1', '--step', '100%', '--soak', '200ms', '--health-gate', 'spikes.rate_hz>0', '--data-dir', dir, '--json');
    expect(deploy.code, `${deploy.stderr}\n${deploy.stdout}`).toBe(0);
    const deployment = JSON.parse(deploy.stdout) as { id: string; state: string; devices: { deviceId: string; stage: number; state: string }[] };
    expect(deployment.state).toBe('succeeded');
    expect(deployment.devices.map((d) => [d.deviceId, d.stage, d.state])).toEqual([['pi-one', 0, 'healthy'], ['pi-two', 1, 'healthy']]);
    const hash = specHash(parseSpec(variantSpec(77)));
    expect(specHash(one.control.brain.spec)).toBe(hash);
    expect(specHash(two.control.brain.spec)).toBe(hash);

    const pull = await hasn('fleet', 'pull', 'pi-two', '--data-dir', dir);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(new RegExp(`spec ${hash}`));

    const api = (await (await fetch(`${settings.http.url}/api/deployments`)).json()) as { deployments: { id: string; state: string }[] };
    expect(api.deployments[0]).toMatchObject({ id: deployment.id, state: 'succeeded' });

    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 150_000);

  it('exits 2 when no broker is named and 69 when a device does not answer', async () => {
    const dir = tempDir('hasn-fleet-cli-');
    const none = await hasn('fleet', 'cmd', 'pi-one', 'status', '--data-dir', dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/E_FLEET_NO_BROKER.*--broker URL/);
    const b = await broker();
    const silent = await hasn('fleet', 'cmd', 'pi-ghost', 'status', '--timeout', '300ms', '--broker', b.url, '--data-dir', dir);
    expect(silent.code).toBe(69);
    expect(silent.stderr).toMatch(/E_COMMAND_TIMEOUT: pi-ghost did not answer status/);
  });
});
