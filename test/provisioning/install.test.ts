// install.sh into a staging root with faked system tools: layout, idempotence, dry run, enrollment, boot config.
import { readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MUTATING, REPO, Sandbox, makeEnrollmentFiles, makeFixtureApp, unexpectedStderr } from './sandbox.ts';
import type { RunResult } from './sandbox.ts';
import { snapshotTree } from './tree.ts';

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

function setup(options: { nodeVersion?: string | null; nodeHeaders?: boolean } = {}) {
  const sandbox = new Sandbox(options);
  sandboxes.push(sandbox);
  const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
  const files = makeEnrollmentFiles(join(sandbox.dir, 'enroll'));
  const enrollment = [
    '--device-id', 'pi-kitchen-01',
    '--mqtt-url', 'mqtts://broker.example:8883',
    '--mqtt-username', 'pi-kitchen-01',
    '--mqtt-password-file', files.password,
    '--ca-file', files.ca,
    '--controller-key', files.controllerKey,
  ];
  return { sandbox, app, files, enrollment, install: [...['--source', app], ...enrollment] };
}

const asRoot = process.getuid?.() === 0;
const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

describe('install.sh: a fresh install', () => {
  // One install shared by the checks below (each run of the script costs a few hundred milliseconds).
  let fresh: ReturnType<typeof setup>;
  let result: RunResult;
  beforeAll(() => {
    fresh = setup();
    sandboxes.splice(sandboxes.indexOf(fresh.sandbox), 1); // disposed in afterAll, not after each test
    result = fresh.sandbox.run('install', [...fresh.install, '--enable-i2c', '--enable-uart']);
  });
  afterAll(() => fresh.sandbox.dispose());

  it('succeeds with nothing on stderr', () => {
    expect(unexpectedStderr(result.stderr)).toBe('');
    expect(result.code).toBe(0);
  });

  it('lays out /opt/hasn/<version> with a current link, the config, the state dir and the enabled unit', () => {
    const { sandbox, files } = fresh;
    expect(readlinkSync(sandbox.path('opt/hasn/current'))).toBe('1.0.0');
    expect(sandbox.read('opt/hasn/1.0.0/bin/hasn.mjs')).toContain('fixture v1');
    expect(sandbox.exists('opt/hasn/1.0.0/test')).toBe(false);
    expect(sandbox.read('opt/hasn/1.0.0/.hasn-install')).toMatch(/^version=1\.0\.0\ndigest=[0-9a-f]{64}\n$/);

    expect(modeOf(sandbox.path('etc/hasn'))).toBe('0750');
    expect(modeOf(sandbox.path('etc/hasn/agent.yaml'))).toBe('0640');
    expect(modeOf(sandbox.path('etc/hasn/mqtt-password'))).toBe('0640');
    expect(modeOf(sandbox.path('var/lib/hasn'))).toBe('0750');
    expect(sandbox.read('etc/hasn/mqtt-password')).toBe(readFileSync(files.password, 'utf8'));
    expect(sandbox.read('etc/hasn/ca.crt')).toBe(readFileSync(files.ca, 'utf8'));

    expect(sandbox.read('etc/systemd/system/hasn-agent.service')).toBe(readFileSync(join(REPO, 'systemd/hasn-agent.service'), 'utf8'));
    expect(readlinkSync(sandbox.path('etc/systemd/system/multi-user.target.wants/hasn-agent.service'))).toBe(
      '/etc/systemd/system/hasn-agent.service',
    );
    expect(result.stdout).toContain('staging root: hasn-agent.service is enabled there, not started');
  });

  it('writes agent.yaml with the agreed keys, parseable as YAML', () => {
    expect(parse(fresh.sandbox.read('etc/hasn/agent.yaml'))).toEqual({
      device: { id: 'pi-kitchen-01' },
      data_dir: '/var/lib/hasn',
      mqtt: {
        url: 'mqtts://broker.example:8883',
        ca_file: '/etc/hasn/ca.crt',
        username: 'pi-kitchen-01',
        password_file: '/etc/hasn/mqtt-password',
        controller_public_key_file: '/etc/hasn/controller.pub',
      },
      http: { host: '127.0.0.1', port: 8080 },
      backend: 'cpu',
    });
  });

  it('creates the hasn system user, the missing device groups, and adds the user to gpio, i2c and dialout', () => {
    const { sandbox } = fresh;
    expect(sandbox.commandLines().filter((line) => /^(useradd|groupadd|usermod)/.test(line))).toEqual([
      `groupadd --system --prefix ${sandbox.root} gpio`,
      `groupadd --system --prefix ${sandbox.root} i2c`,
      `useradd --system --user-group --home-dir /var/lib/hasn --no-create-home --shell /usr/sbin/nologin --comment HASN service --prefix ${sandbox.root} hasn`,
      `usermod --append --groups gpio,i2c,dialout --prefix ${sandbox.root} hasn`,
    ]);
    const group = sandbox.read('etc/group');
    for (const name of ['gpio', 'i2c', 'dialout']) expect(group).toMatch(new RegExp(`^${name}:x:\\d+:hasn$`, 'm'));
    expect(sandbox.read('etc/hasn/installed-by-hasn')).toBe('boot-config\ngroup gpio\ngroup i2c\nuser hasn\n');
  });

  it.runIf(asRoot)('gives config and state to the hasn ids of the target root, not the host', () => {
    const { sandbox } = fresh;
    const passwd = sandbox.read('etc/passwd').split('\n').find((line) => line.startsWith('hasn:'))!.split(':');
    const [uid, gid] = [Number(passwd[2]), Number(passwd[3])];
    expect(statSync(sandbox.path('etc/hasn/agent.yaml'))).toMatchObject({ uid: 0, gid });
    expect(statSync(sandbox.path('var/lib/hasn'))).toMatchObject({ uid, gid });
    expect(statSync(sandbox.path('opt/hasn/1.0.0/bin/hasn.mjs'))).toMatchObject({ uid: 0, gid: 0 });
  });

  it('runs npm ci --omit=dev in the new version folder, compiling addons from source against local headers', () => {
    const { sandbox } = fresh;
    const npm = sandbox.calls('npm');
    expect(npm.map((call) => call.args.join(' '))).toEqual(['ci --omit=dev --no-audit --no-fund']);
    expect(npm[0]!.cwd).toBe(sandbox.path('opt/hasn/.partial-1.0.0'));
    expect(npm[0]!.buildEnv).toBe(`build_from_source=better-sqlite3 nodedir=${sandbox.dir}`);
    // The compiler toolchain comes from apt when it is missing.
    expect(sandbox.commandLines('apt-get')).toContain('apt-get install -y -q --no-install-recommends build-essential python3');
  });

  it('never calls raspi-config and never starts units in a staging root', () => {
    const { sandbox } = fresh;
    expect(sandbox.calls('raspi-config')).toEqual([]);
    expect(sandbox.commandLines('systemctl')).toEqual([`systemctl --root=${sandbox.root} enable hasn-agent.service`]);
  });

  it('quotes values so that YAML-special characters survive', () => {
    const { sandbox, app } = setup();
    const quoted = sandbox.run('install', ['--source', app, '--device-id', 'pi-02', '--mqtt-url', 'mqtt://b:1883', '--mqtt-username', 'a: "b" #c \\d', '--brain-spec', '/srv/brains/x y.json']);
    expect(quoted.code).toBe(0);
    const config = parse(sandbox.read('etc/hasn/agent.yaml'));
    expect(config.mqtt.username).toBe('a: "b" #c \\d');
    expect(config.brain).toEqual({ spec: '/srv/brains/x y.json' });
    expect(config.mqtt.ca_file).toBeUndefined();
  });
});

describe('install.sh: idempotence and dry run', () => {
  it('a second run reports 0 changes, calls no mutating tool and leaves the tree byte-for-byte identical', () => {
    const { sandbox, install } = setup();
    expect(sandbox.run('install', [...install, '--enable-i2c', '--enable-uart']).code).toBe(0);
    const before = snapshotTree(sandbox.root, { times: true });
    sandbox.clearCalls();

    const second = sandbox.run('install', [...install, '--enable-i2c', '--enable-uart']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to do: HASN 1.0.0 is installed and up to date (0 changes)');
    expect(snapshotTree(sandbox.root, { times: true })).toEqual(before);
    expect(sandbox.calls().filter((call) => MUTATING.includes(call.tool))).toEqual([]);

    const plan = sandbox.run('install', [...install, '--enable-i2c', '--enable-uart', '--dry-run']);
    expect(plan.stdout).not.toContain('would ');
    expect(plan.stdout).toContain('(0 changes)');
  });

  it('a re-run without enrollment options keeps the existing agent.yaml', () => {
    const { sandbox, install, app } = setup();
    expect(sandbox.run('install', install).code).toBe(0);
    const config = sandbox.read('etc/hasn/agent.yaml');
    const again = sandbox.run('install', ['--source', app]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('keeping /etc/hasn/agent.yaml');
    expect(again.stdout).toContain('(0 changes)');
    expect(sandbox.read('etc/hasn/agent.yaml')).toBe(config);
  });

  it('--dry-run prints the whole plan and changes nothing', () => {
    const { sandbox, install } = setup({ nodeVersion: null });
    const before = snapshotTree(sandbox.root, { times: true });
    const result = sandbox.run('install', [...install, '--dry-run', '--enable-i2c']);
    expect(result.code).toBe(0);
    for (const planned of [
      'would install nodejs (apt-get)',
      'would create system user hasn',
      'would add hasn to groups gpio,i2c,dialout',
      'would turn on dtparam=i2c_arm=on in /boot/firmware/config.txt',
      'would install the app into /opt/hasn/1.0.0 and run npm ci --omit=dev there',
      'would point /opt/hasn/current -> 1.0.0',
      'would write /etc/hasn/agent.yaml',
      'would enable hasn-agent.service',
    ]) {
      expect(result.stdout).toContain(planned);
    }
    expect(result.stdout).toMatch(/dry run: \d+ change\(s\) planned, nothing was changed/);
    expect(snapshotTree(sandbox.root, { times: true })).toEqual(before);
    expect(sandbox.calls().filter((call) => MUTATING.includes(call.tool))).toEqual([]);
  });
});

describe('install.sh: boot configuration', () => {
  it('adds I2C and UART only when asked, in one marked block, and loads i2c-dev', () => {
    const { sandbox, install } = setup();
    expect(sandbox.run('install', install).code).toBe(0);
    expect(sandbox.read('boot/firmware/config.txt')).not.toContain('HASN');
    expect(sandbox.exists('etc/modules-load.d/hasn.conf')).toBe(false);

    const original = sandbox.read('boot/firmware/config.txt');
    expect(sandbox.run('install', [...install, '--enable-uart']).code).toBe(0);
    const withUart = sandbox.read('boot/firmware/config.txt');
    expect(withUart.startsWith(original)).toBe(true);
    expect(withUart.slice(original.length)).toBe(
      '# BEGIN HASN (added by provisioning/install.sh; uninstall.sh --purge removes it)\n[all]\ndtparam=uart0=on\n# END HASN\n',
    );

    const result = sandbox.run('install', [...install, '--enable-i2c']);
    expect(result.stdout).toContain('reboot for the boot configuration to take effect');
    expect(sandbox.read('boot/firmware/config.txt').slice(original.length)).toBe(
      '# BEGIN HASN (added by provisioning/install.sh; uninstall.sh --purge removes it)\n[all]\ndtparam=i2c_arm=on\ndtparam=uart0=on\n# END HASN\n',
    );
    expect(sandbox.read('etc/modules-load.d/hasn.conf')).toBe('i2c-dev\n');
  });

  it('leaves a setting that is already active elsewhere in config.txt alone', () => {
    const { sandbox, install } = setup();
    writeFileSync(sandbox.path('boot/firmware/config.txt'), 'dtparam=audio=on\ndtparam=i2c_arm=on\n');
    const result = sandbox.run('install', [...install, '--enable-i2c']);
    expect(result.code).toBe(0);
    expect(sandbox.read('boot/firmware/config.txt')).toBe('dtparam=audio=on\ndtparam=i2c_arm=on\n');
  });

  it('fails with exit 6 and advice when there is no Raspberry Pi boot configuration', () => {
    const { sandbox, install } = setup();
    rmSync(sandbox.path('boot/firmware/config.txt'));
    const result = sandbox.run('install', [...install, '--enable-i2c']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('/boot/firmware/config.txt not found');
    expect(result.stderr).toContain('what to do:');
  });
});
