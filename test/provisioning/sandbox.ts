// A throw-away world for the provisioning scripts: a staging root, and a PATH holding only fakes of the system tools
// plus the few harmless real tools the scripts use, so no test can reach the real apt-get, systemctl or useradd.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAKE_TOOL = join(REPO, 'test', 'provisioning', 'fakes', 'fake-tool.sh');
export const FAKED = ['systemctl', 'raspi-config', 'useradd', 'groupadd', 'usermod', 'userdel', 'groupdel', 'apt-get', 'node', 'npm', 'curl', 'gpg', 'uname'];
/** Tools that change nothing outside the paths the scripts pass them. */
const REAL = ['bash', 'env', 'cat', 'cp', 'mv', 'ln', 'rm', 'rmdir', 'mkdir', 'chmod', 'chown', 'cmp', 'mktemp', 'dirname', 'basename', 'readlink', 'find', 'sed', 'awk', 'mawk', 'gawk', 'grep', 'sort', 'head', 'tar', 'gzip', 'sha256sum', 'stat', 'id', 'tr', 'cut', 'wc', 'flock', 'uniq', 'tee', 'touch'];
/** Mutating tools: a run that "changes nothing" must not call these. */
export const MUTATING = ['systemctl', 'useradd', 'groupadd', 'usermod', 'userdel', 'groupdel', 'apt-get', 'npm', 'curl', 'raspi-config'];

export const SAMPLE_CONFIG_TXT = `# For more options and information see
# http://rptl.io/configtxt
# Some settings may impact device functionality. See link above for details

# Uncomment some or all of these to enable the optional hardware interfaces
#dtparam=i2c_arm=on
#dtparam=i2s=on
#dtparam=spi=on

# Enable audio (loads snd_bcm2835)
dtparam=audio=on

[cm5]
dtoverlay=dwc2,dr_mode=host

[all]
`;

export interface Call {
  tool: string;
  cwd: string;
  /** npm's build environment as the fake saw it: "build_from_source=… nodedir=…". */
  buildEnv: string;
  args: string[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function findReal(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'hasn-prov-'));
  readonly root = join(this.dir, 'root');
  readonly bin = join(this.dir, 'bin');
  readonly state = join(this.dir, 'state');
  readonly tmp = join(this.dir, 'tmp');
  readonly log = join(this.dir, 'calls.log');

  /**
   * nodeVersion: what the fake `node --version` prints; null = Node.js not installed.
   * nodeHeaders: whether <node prefix>/include/node has the headers node-gyp needs (NodeSource ships them).
   */
  constructor(options: { nodeVersion?: string | null; nodeHeaders?: boolean } = {}) {
    for (const dir of [this.bin, this.state, this.tmp]) mkdirSync(dir, { recursive: true });
    if (options.nodeHeaders ?? true) {
      mkdirSync(join(this.dir, 'include', 'node'), { recursive: true });
      writeFileSync(join(this.dir, 'include', 'node', 'common.gypi'), '{}\n');
    }
    for (const name of REAL) {
      const real = findReal(name);
      if (real !== undefined) symlinkSync(real, join(this.bin, name));
    }
    for (const name of FAKED) symlinkSync(FAKE_TOOL, join(this.bin, name));
    const node = options.nodeVersion === undefined ? 'v24.11.1' : options.nodeVersion;
    if (node !== null) writeFileSync(join(this.state, 'node-version'), `${node}\n`);
    writeFileSync(this.log, '');
    this.makeRoot();
  }

  /** A Raspberry Pi OS-like skeleton: accounts without gpio/i2c, the boot config, the systemd and apt folders. */
  private makeRoot(): void {
    for (const dir of ['etc/systemd/system', 'etc/apt/keyrings', 'etc/apt/sources.list.d', 'etc/apt/preferences.d', 'etc/modules-load.d', 'boot/firmware', 'opt', 'var/lib', 'usr/sbin']) {
      mkdirSync(join(this.root, dir), { recursive: true, mode: 0o755 });
    }
    writeFileSync(join(this.root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
    writeFileSync(join(this.root, 'etc/group'), 'root:x:0:\ndaemon:x:1:\ndialout:x:20:\n');
    writeFileSync(join(this.root, 'boot/firmware/config.txt'), SAMPLE_CONFIG_TXT);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: this.bin, HOME: this.dir, TMPDIR: this.tmp, LC_ALL: 'C', FAKE_LOG: this.log, FAKE_STATE: this.state, ...extra };
  }

  /** Runs provisioning/<script>.sh with --root added unless the args already hold one. */
  run(script: 'install' | 'uninstall', args: string[], extraEnv: Record<string, string> = {}): RunResult {
    const withRoot = args.includes('--root') ? args : ['--root', this.root, ...args];
    const result = spawnSync(join(this.bin, 'bash'), [join(REPO, 'provisioning', `${script}.sh`), ...withRoot], {
      cwd: this.dir,
      env: this.env(extraEnv),
      encoding: 'utf8',
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  calls(tool?: string): Call[] {
    const lines = readFileSync(this.log, 'utf8').split('\n').filter((line) => line !== '');
    const calls = lines.map((line) => {
      const [name = '', cwd = '', buildEnv = '', ...args] = line.split('\x1f');
      return { tool: name, cwd, buildEnv, args };
    });
    return tool === undefined ? calls : calls.filter((call) => call.tool === tool);
  }

  /** The calls as "tool arg arg…" strings, for readable assertions. */
  commandLines(tool?: string): string[] {
    return this.calls(tool).map((call) => [call.tool, ...call.args].join(' '));
  }

  clearCalls(): void {
    writeFileSync(this.log, '');
  }

  path(target: string): string {
    return join(this.root, target);
  }

  read(target: string): string {
    return readFileSync(this.path(target), 'utf8');
  }

  exists(target: string): boolean {
    return existsSync(this.path(target));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** stderr without the one warning a non-root test run gets by design (ownership cannot be set in the staging root). */
export function unexpectedStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line !== '' && !line.includes('warning: not running as root: files under'))
    .join('\n');
}

/** A tiny app checkout: enough for install.sh (package.json, units, exclusion list), plus a test file it must skip. */
export function makeFixtureApp(dir: string, version: string, marker = 'v1'): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'systemd'), { recursive: true });
  mkdirSync(join(dir, 'provisioning'), { recursive: true });
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'hasn', version, type: 'module', dependencies: {} }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'hasn', version, lockfileVersion: 3, packages: {} }, null, 2)}\n`);
  writeFileSync(join(dir, 'bin', 'hasn.mjs'), `#!/usr/bin/env node\n// fixture ${marker}\n`);
  writeFileSync(join(dir, 'test', 'skipped.test.ts'), '// must not be installed\n');
  for (const unit of ['hasn-agent.service', 'hasn-fleet.service']) {
    copyFileSync(join(REPO, 'systemd', unit), join(dir, 'systemd', unit));
  }
  copyFileSync(join(REPO, 'provisioning', 'bundle-exclude'), join(dir, 'provisioning', 'bundle-exclude'));
  return dir;
}

/** Enrollment material: a PEM-looking CA, a password file and a controller key in `dir`. */
export function makeEnrollmentFiles(dir: string): { ca: string; password: string; controllerKey: string } {
  mkdirSync(dir, { recursive: true });
  const ca = join(dir, 'ca.crt');
  const password = join(dir, 'mqtt-password');
  const controllerKey = join(dir, 'controller.pub');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n');
  writeFileSync(password, 's3cret-device-password\n');
  writeFileSync(controllerKey, '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAfixture\n-----END PUBLIC KEY-----\n');
  return { ca, password, controllerKey };
}
