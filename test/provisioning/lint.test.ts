// Static checks of the provisioning files: shellcheck on the scripts, `systemd-analyze verify` and hardening on the units.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_TOOL, REPO, Sandbox, makeFixtureApp } from './sandbox.ts';

const SCRIPTS = ['provisioning/install.sh', 'provisioning/uninstall.sh'];
const UNITS = ['hasn-agent.service', 'hasn-fleet.service'];
/** On a build machine /usr/bin/node may be missing (CI installs Node elsewhere): the one complaint we accept. */
const MISSING_NODE = /^\S+\.service: Command \/usr\/bin\/node is not executable: No such file or directory$/;

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

/** The unit's [Section] → key → values (keys may repeat, like DeviceAllow=). */
function parseUnit(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match === null) continue;
    const [, key = '', value = ''] = match;
    entries.set(key, [...(entries.get(key) ?? []), value]);
  }
  return entries;
}

function verify(paths: string[]): string[] {
  const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...paths], { encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '' && !MISSING_NODE.test(line));
}

describe('shell scripts', () => {
  it('install.sh, uninstall.sh (with their lib/) and the test fakes are shellcheck-clean', () => {
    const result = spawnSync('shellcheck', ['-x', ...SCRIPTS, FAKE_TOOL], { cwd: REPO, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('--help of both scripts lists the exit codes and exits 0', () => {
    for (const script of SCRIPTS) {
      const result = spawnSync('bash', [join(REPO, script), '--help'], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Exit codes: 0 done, 1 unexpected failure, 2 usage/);
    }
  });

  it('every exit code the scripts use is documented in provisioning/README.md', () => {
    const readme = readFileSync(join(REPO, 'provisioning/README.md'), 'utf8');
    const common = readFileSync(join(REPO, 'provisioning/lib/common.sh'), 'utf8');
    const codes = [...common.matchAll(/^readonly (EXIT_[A-Z]+)=(\d+)/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(codes.length).toBeGreaterThanOrEqual(8);
    for (const [name, code] of codes) expect(readme, name).toMatch(new RegExp(`^\\| ${code} \\| \`${name}\` \\|`, 'm'));
  });
});

describe('systemd units', () => {
  it('pass systemd-analyze verify as shipped', () => {
    expect(verify(UNITS.map((unit) => join(REPO, 'systemd', unit)))).toEqual([]);
  });

  it('pass systemd-analyze verify as installed by install.sh into a staging root', () => {
    const sandbox = new Sandbox();
    sandboxes.push(sandbox);
    const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
    const fleetConfig = join(sandbox.dir, 'fleet.yaml');
    writeFileSync(fleetConfig, 'x: 1\n');
    const result = sandbox.run('install', ['--source', app, '--role', 'both', '--device-id', 'pi-01', '--mqtt-url', 'mqtt://b:1883', '--fleet-config', fleetConfig]);
    expect(result.code).toBe(0);
    expect(verify(UNITS.map((unit) => sandbox.path(`etc/systemd/system/${unit}`)))).toEqual([]);
  });

  it('the agent unit is Type=notify with a watchdog, bounded restarts, its directories, groups and device access', () => {
    const unit = parseUnit(readFileSync(join(REPO, 'systemd/hasn-agent.service'), 'utf8'));
    expect(unit.get('Type')).toEqual(['notify']);
    expect(unit.get('NotifyAccess')).toEqual(['all']); // the agent notifies through a systemd-notify child
    expect(unit.get('RestartPreventExitStatus')).toEqual(['2']);
    expect(unit.get('ExecStart')).toEqual(['/usr/bin/node /opt/hasn/current/bin/hasn.mjs agent --config /etc/hasn/agent.yaml']);
    expect(Number(unit.get('WatchdogSec')?.[0])).toBeGreaterThan(0);
    expect(unit.get('Restart')).toEqual(['on-failure']);
    expect(unit.get('StartLimitIntervalSec')).toHaveLength(1);
    expect(unit.get('StartLimitBurst')).toHaveLength(1);
    expect(unit.get('StateDirectory')).toEqual(['hasn']);
    expect(unit.get('ConfigurationDirectory')).toEqual(['hasn']);
    expect(unit.get('User')).toEqual(['hasn']);
    expect(unit.get('SupplementaryGroups')).toEqual(['gpio i2c dialout']);
    expect(unit.get('DevicePolicy')).toEqual(['closed']);
    expect(unit.get('DeviceAllow')).toEqual(['char-gpiochip rw', 'char-i2c rw', 'char-ttyAMA rw', 'char-ttyUSB rw', 'char-ttyACM rw']);
  });

  for (const name of UNITS) {
    it(`${name} carries the hardening Node tolerates and never MemoryDenyWriteExecute`, () => {
      const text = readFileSync(join(REPO, 'systemd', name), 'utf8');
      const unit = parseUnit(text);
      expect(text).not.toMatch(/^MemoryDenyWriteExecute=/m);
      for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'ProtectKernelTunables', 'ProtectControlGroups', 'LockPersonality']) {
        expect(unit.get(key), key).toEqual(['yes']);
      }
      expect(unit.get('ProtectSystem')).toEqual(['strict']);
      expect(unit.get('RestrictAddressFamilies')?.[0]?.split(' ')).toEqual(expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6']));
      expect(unit.get('CapabilityBoundingSet')).toEqual(['']);
    });
  }
});
