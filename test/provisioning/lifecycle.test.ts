// Upgrade, rollback, reinstall conflicts, pruning, uninstall and purge — all in a staging root with faked tools.
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Sandbox, makeEnrollmentFiles, makeFixtureApp } from './sandbox.ts';
import { snapshotTree } from './tree.ts';

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

function setup() {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  const files = makeEnrollmentFiles(join(sandbox.dir, 'enroll'));
  const enrollment = ['--device-id', 'pi-01', '--mqtt-url', 'mqtt://broker:1883', '--mqtt-password-file', files.password, '--ca-file', files.ca];
  const app = (version: string, marker = version) => makeFixtureApp(join(sandbox.dir, `app-${version}-${marker}`), version, marker);
  return { sandbox, enrollment, app };
}

function withUnitComment(appDir: string, comment: string): string {
  const unit = join(appDir, 'systemd', 'hasn-agent.service');
  writeFileSync(unit, `# ${comment}\n${readFileSync(unit, 'utf8')}`);
  return appDir;
}

describe('install.sh: upgrade and rollback', () => {
  it('an upgrade adds a new folder beside the untouched old one and switches current in one rename', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    const oldVersion = snapshotTree(sandbox.path('opt/hasn/1.0.0'), { times: true });

    const result = sandbox.run('install', ['--source', withUnitComment(app('1.1.0'), 'unit of 1.1.0'), ...enrollment]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('point /opt/hasn/previous -> 1.0.0');
    expect(result.stdout).toContain('point /opt/hasn/current -> 1.1.0');
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.1.0');
    expect(readlinkSync(sandbox.path('opt/hasn/previous'))).toBe('1.0.0');
    expect(snapshotTree(sandbox.path('opt/hasn/1.0.0'), { times: true })).toEqual(oldVersion);
    expect(sandbox.read('etc/systemd/system/hasn-agent.service')).toMatch(/^# unit of 1\.1\.0\n/);
    // Only the final names remain: no half-made version folder, no temporary link.
    expect(readdirSync(sandbox.path('opt/hasn')).sort()).toEqual(['1.0.0', '1.1.0', 'current', 'previous']);
    expect(lstatSync(sandbox.path('opt/hasn/current')).isSymbolicLink()).toBe(true);
  });

  it('--rollback switches current back to previous and reinstalls that version unit; a second rollback goes forward again', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    expect(sandbox.run('install', ['--source', withUnitComment(app('1.1.0'), 'unit of 1.1.0'), ...enrollment]).code).toBe(0);

    const back = sandbox.run('install', ['--rollback']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('Rollback: 1.1.0 -> 1.0.0');
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.0.0');
    expect(readlinkSync(sandbox.path('opt/hasn/previous'))).toBe('1.1.0');
    expect(sandbox.read('etc/systemd/system/hasn-agent.service')).not.toContain('unit of 1.1.0');

    expect(sandbox.run('install', ['--rollback']).code).toBe(0);
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.1.0');
    expect(sandbox.read('etc/systemd/system/hasn-agent.service')).toMatch(/^# unit of 1\.1\.0\n/);
  });

  it('--rollback with no previous version fails with exit 7 and says what to do', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    const result = sandbox.run('install', ['--rollback']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('nothing to roll back to');
    expect(result.stderr).toContain('what to do: install the version you want');
  });

  it('refuses to overwrite an installed version with different content (exit 7) unless --force', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0', 'first'), ...enrollment]).code).toBe(0);
    const changed = app('1.0.0', 'second');

    const refused = sandbox.run('install', ['--source', changed]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('/opt/hasn/1.0.0 is already installed with different content');
    expect(sandbox.read('opt/hasn/1.0.0/bin/hasn.mjs')).toContain('fixture first');

    expect(sandbox.run('install', ['--source', changed, '--force']).code).toBe(0);
    expect(sandbox.read('opt/hasn/1.0.0/bin/hasn.mjs')).toContain('fixture second');
    expect(readdirSync(sandbox.path('opt/hasn')).sort()).toEqual(['1.0.0', 'current']);
  });

  it('--version installs the same source under another name', () => {
    const { sandbox, enrollment, app } = setup();
    const source = app('1.0.0');
    expect(sandbox.run('install', ['--source', source, ...enrollment]).code).toBe(0);
    expect(sandbox.run('install', ['--source', source, '--version', '1.0.0-hotfix1']).code).toBe(0);
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.0.0-hotfix1');
  });

  it('keeps at most --keep versions, never removing current or previous', () => {
    const { sandbox, enrollment, app } = setup();
    for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.10.0']) {
      expect(sandbox.run('install', ['--source', app(version), ...enrollment, '--keep', '2']).code).toBe(0);
    }
    expect(readdirSync(sandbox.path('opt/hasn')).sort()).toEqual(['1.10.0', '1.2.0', 'current', 'previous']);
    expect(readlinkSync(sandbox.path('opt/hasn/previous'))).toBe('1.2.0');
  });

  it('re-running the installed copy of install.sh re-enrolls without reinstalling the app', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    const result = sandbox.run('install', ['--source', sandbox.path('opt/hasn/current'), '--device-id', 'pi-02', '--mqtt-url', 'mqtt://other:1883']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app 1.0.0 is installed and unchanged');
    expect(sandbox.read('etc/hasn/agent.yaml')).toContain('id: "pi-02"');
    // The enrollment dropped the CA and password: their stale copies go.
    expect(sandbox.exists('etc/hasn/ca.crt')).toBe(false);
    expect(sandbox.exists('etc/hasn/mqtt-password')).toBe(false);
  });
});

describe('uninstall.sh', () => {
  it('removes the units and /opt/hasn, keeps config, credentials, data and the user; a second run changes nothing', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    writeFileSync(sandbox.path('var/lib/hasn/store.sqlite'), 'device data');
    sandbox.clearCalls();

    const result = sandbox.run('uninstall', []);
    expect(result.code).toBe(0);
    expect(sandbox.commandLines('systemctl')).toEqual([`systemctl --root=${sandbox.root} disable hasn-agent.service`]);
    expect(sandbox.exists('opt/hasn')).toBe(false);
    expect(sandbox.exists('etc/systemd/system/hasn-agent.service')).toBe(false);
    expect(existsSync(sandbox.path('etc/systemd/system/multi-user.target.wants/hasn-agent.service'))).toBe(false);
    expect(sandbox.read('var/lib/hasn/store.sqlite')).toBe('device data');
    expect(sandbox.exists('etc/hasn/agent.yaml')).toBe(true);
    expect(sandbox.exists('etc/hasn/mqtt-password')).toBe(true);
    expect(sandbox.read('etc/passwd')).toMatch(/^hasn:/m);
    expect(result.stdout).toContain('kept /etc/hasn');

    const again = sandbox.run('uninstall', []);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(0 changes)');
  });

  it('after uninstall, install comes back with the kept enrollment and data', () => {
    const { sandbox, enrollment, app } = setup();
    const source = app('1.0.0');
    expect(sandbox.run('install', ['--source', source, ...enrollment]).code).toBe(0);
    writeFileSync(sandbox.path('var/lib/hasn/store.sqlite'), 'device data');
    expect(sandbox.run('uninstall', []).code).toBe(0);
    const result = sandbox.run('install', ['--source', source]);
    expect(result.code).toBe(0);
    expect(sandbox.read('var/lib/hasn/store.sqlite')).toBe('device data');
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.0.0');
  });

  it('--purge returns the root to exactly what it was before install (content, modes, owners)', () => {
    const { sandbox, enrollment, app } = setup();
    const pristine = snapshotTree(sandbox.root, { times: false });
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment, '--enable-i2c', '--enable-uart']).code).toBe(0);
    writeFileSync(sandbox.path('var/lib/hasn/store.sqlite'), 'device data');

    const result = sandbox.run('uninstall', ['--purge']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('remove system user hasn');
    expect(result.stdout).toContain('remove system group gpio');
    expect(snapshotTree(sandbox.root, { times: false })).toEqual(pristine);
  });

  it('--dry-run lists the removals and removes nothing', () => {
    const { sandbox, enrollment, app } = setup();
    expect(sandbox.run('install', ['--source', app('1.0.0'), ...enrollment]).code).toBe(0);
    const before = snapshotTree(sandbox.root, { times: true });
    sandbox.clearCalls();
    const result = sandbox.run('uninstall', ['--purge', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would remove /opt/hasn (all installed versions)');
    expect(result.stdout).toContain('would remove /var/lib/hasn (data)');
    expect(snapshotTree(sandbox.root, { times: true })).toEqual(before);
    expect(sandbox.calls().filter((call) => call.tool !== 'node')).toEqual([]);
  });
});
