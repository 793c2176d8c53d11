// The cloud-init template: valid #cloud-config, its enrollment accepted by install.sh, its first-boot script sound.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, Sandbox, makeEnrollmentFiles, makeFixtureApp, unexpectedStderr } from './sandbox.ts';

const TEMPLATE = readFileSync(join(REPO, 'provisioning/cloud-init/user-data'), 'utf8');
interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}
const config = parse(TEMPLATE) as { hostname: string; write_files: WriteFile[]; runcmd: string[][]; power_state: { mode: string; condition: string } };
const file = (path: string) => config.write_files.find((entry) => entry.path === path)!;

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

describe('cloud-init/user-data', () => {
  it('is a #cloud-config document that writes the enrollment and runs the first-boot script once', () => {
    expect(TEMPLATE.startsWith('#cloud-config\n')).toBe(true);
    expect(file('/etc/hasn-enroll/enroll.env').permissions).toBe('0600');
    expect(file('/usr/local/sbin/hasn-first-boot').permissions).toBe('0700');
    expect(config.runcmd).toEqual([['/usr/local/sbin/hasn-first-boot']]);
    expect(config.power_state).toMatchObject({ mode: 'reboot', condition: 'test -f /run/hasn-first-boot.done' });
  });

  it('every CHANGE-ME placeholder is explained in provisioning/README.md', () => {
    const readme = readFileSync(join(REPO, 'provisioning/README.md'), 'utf8');
    const placeholders = new Set(TEMPLATE.match(/CHANGE-ME[a-z.-]*/g));
    expect(placeholders.size).toBeGreaterThan(0);
    for (const placeholder of placeholders) expect(readme, placeholder).toContain(`\`${placeholder}\``);
  });

  it('its enrollment file, once filled in, is accepted by install.sh and yields the device config', () => {
    const sandbox = new Sandbox();
    sandboxes.push(sandbox);
    const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
    const media = makeEnrollmentFiles(join(sandbox.dir, 'boot-hasn'));
    const filled = file('/etc/hasn-enroll/enroll.env')
      .content.replaceAll('CHANGE-ME-device-id', 'pi-field-07')
      .replaceAll('CHANGE-ME-broker.example.net', 'broker.farm.example')
      .replaceAll('/boot/firmware/hasn/mqtt-password', media.password)
      .replaceAll('/boot/firmware/hasn/ca.crt', media.ca)
      .replaceAll('/boot/firmware/hasn/controller.pub', media.controllerKey);
    const enroll = join(sandbox.dir, 'enroll.env');
    writeFileSync(enroll, filled);

    const result = sandbox.run('install', ['--source', app, '--enroll', enroll, '--enable-i2c', '--enable-uart']);
    expect(unexpectedStderr(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    expect(parse(sandbox.read('etc/hasn/agent.yaml'))).toMatchObject({
      device: { id: 'pi-field-07' },
      mqtt: { url: 'mqtts://broker.farm.example:8883', username: 'pi-field-07', password_file: '/etc/hasn/mqtt-password' },
    });
  });

  it('its first-boot script is shellcheck-clean and only uses options install.sh has', () => {
    const script = file('/usr/local/sbin/hasn-first-boot').content;
    const lint = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    expect(lint.stdout).toBe('');
    expect(lint.status).toBe(0);

    const help = spawnSync('bash', [join(REPO, 'provisioning/install.sh'), '--help'], { encoding: 'utf8' }).stdout;
    const installLine = script.slice(script.indexOf('install.sh"'), script.indexOf('rm -f'));
    const options = installLine.match(/--[a-z][a-z0-9-]*/g) ?? [];
    expect(options).toEqual(['--bundle', '--enroll', '--node-source', '--enable-i2c', '--enable-uart']);
    for (const option of options) expect(help).toContain(`  ${option} `);
  });
});
