// The offline bundle: what `npm run package` puts in it (fake npm, fixture node_modules) and how install.sh uses it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildBundle } from '../../provisioning/bundle/build.ts';
import type { BundleArch } from '../../provisioning/bundle/build.ts';
import { runPackageCli } from '../../provisioning/bundle/cli.ts';
import { Sandbox, makeFixtureApp } from './sandbox.ts';

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
  vi.restoreAllMocks();
});

const HOST_ARCH = process.arch as BundleArch;
const FOREIGN_ARCH: BundleArch = process.arch === 'arm64' ? 'x64' : 'arm64';
const UNAME: Record<BundleArch, string> = { arm64: 'aarch64', x64: 'x86_64' };
const ABI_OF_NODE: Record<string, string> = { v20: '115', v22: '127', v24: '137' };

function writePackage(dir: string, name: string, files: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
}

/** What the fake `npm ci` materializes: plain JS, an N-API prebuilt addon, addons without usable binaries. */
function makeDependencyTree(dir: string): string {
  writePackage(join(dir, 'plain-js'), 'plain-js', { 'index.js': 'export {};\n' });
  writePackage(join(dir, 'napi-addon'), 'napi-addon', {
    'binding.gyp': '{}',
    'prebuilds/linux-arm64/napi-addon.armv8.glibc.node': 'arm64 binary',
    'prebuilds/linux-arm64/napi-addon.armv8.musl.node': 'musl binary',
    'prebuilds/linux-x64/napi-addon.glibc.node': 'x64 binary',
  });
  writePackage(join(dir, 'gyp-addon'), 'gyp-addon', { 'binding.gyp': '{}' });
  writePackage(join(dir, '@scope', 'abi-addon'), '@scope/abi-addon', {
    'binding.gyp': '{}',
    'prebuilds/linux-arm64/node.abi115.node': 'tied to Node 20',
    'prebuilds/linux-x64/node.abi115.node': 'tied to Node 20',
  });
  writePackage(join(dir, 'plain-js', 'node_modules', 'nested-addon'), 'nested-addon', { 'binding.gyp': '{}' });
  return dir;
}

function setup(nodeVersion = 'v24.11.1') {
  const sandbox = new Sandbox({ nodeVersion });
  sandboxes.push(sandbox);
  const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
  const tree = makeDependencyTree(join(sandbox.dir, 'npm-tree'));
  const out = join(sandbox.dir, 'dist');
  const build = (arch: BundleArch) => buildBundle({ sourceDir: app, outDir: out, arch, env: sandbox.env({ FAKE_NPM_TREE: tree }) });
  const enrollment = ['--device-id', 'pi-01', '--mqtt-url', 'mqtt://broker:1883'];
  return { sandbox, app, out, build, enrollment };
}

function listTarball(file: string): string[] {
  const result = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line !== '');
}

function readFromTarball(file: string, member: string): string {
  return spawnSync('tar', ['-xzOf', file, member], { encoding: 'utf8' }).stdout;
}

describe('npm run package (buildBundle)', () => {
  it('bundles the app without tests or dev files, production node_modules for the target arch, and a BUNDLE manifest', () => {
    const { sandbox, build, out } = setup();
    const result = build(FOREIGN_ARCH);

    expect(result.file).toBe(join(out, `hasn-1.0.0-linux-${FOREIGN_ARCH}.tar.gz`));
    const members = listTarball(result.file);
    expect(members).toContain('hasn-1.0.0/bin/hasn.mjs');
    expect(members).toContain('hasn-1.0.0/systemd/hasn-agent.service');
    expect(members).toContain('hasn-1.0.0/node_modules/plain-js/index.js');
    expect(members.some((member) => member.startsWith('hasn-1.0.0/test'))).toBe(false);
    expect(members.every((member) => member.startsWith('hasn-1.0.0/'))).toBe(true);

    expect(sandbox.commandLines('npm')).toEqual([`npm ci --omit=dev --ignore-scripts --no-audit --no-fund --os=linux --cpu=${FOREIGN_ARCH} --libc=glibc`]);
    expect(readFromTarball(result.file, 'hasn-1.0.0/BUNDLE')).toBe(
      [
        'format=1',
        'name=hasn',
        'version=1.0.0',
        'platform=linux',
        `arch=${FOREIGN_ARCH}`,
        'node_abi=',
        'prebuilt=napi-addon',
        'compiled=',
        'rebuild=@scope/abi-addon gyp-addon nested-addon',
        '',
      ].join('\n'),
    );
    expect(readFileSync(`${result.file}.sha256`, 'utf8')).toBe(`${result.sha256}  hasn-1.0.0-linux-${FOREIGN_ARCH}.tar.gz\n`);
    expect(readdirSync(out).sort()).toEqual([`hasn-1.0.0-linux-${FOREIGN_ARCH}.tar.gz`, `hasn-1.0.0-linux-${FOREIGN_ARCH}.tar.gz.sha256`]);
  });

  it('is reproducible: building the same tree twice gives byte-identical tarballs', () => {
    const { build } = setup();
    const first = build(FOREIGN_ARCH).sha256;
    expect(build(FOREIGN_ARCH).sha256).toBe(first);
  });

  it.runIf(HOST_ARCH === 'x64' || HOST_ARCH === 'arm64')(
    "for this machine's own arch it compiles the addons here and records the Node ABI they were built for",
    () => {
      const { sandbox, build } = setup();
      const result = build(HOST_ARCH);
      expect(result.compiled).toEqual(['@scope/abi-addon', 'gyp-addon', 'nested-addon']);
      expect(result.rebuild).toEqual([]);
      expect(result.nodeAbi).toBe(process.versions.modules);
      expect(sandbox.commandLines('npm')[1]).toBe('npm rebuild @scope/abi-addon gyp-addon nested-addon');
    },
  );

  it('rejects an unknown arch with exit 2 from the command line', () => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    expect(runPackageCli(['--arch', 'mips'])).toBe(2);
    expect(errors.join('')).toContain('E_BUNDLE_ARCH');
  });
});

describe('install.sh --bundle', () => {
  it('installs without npm ci, rebuilding on the device only the addons that have no binary, and is idempotent', () => {
    const { sandbox, build, enrollment } = setup();
    const bundle = build(FOREIGN_ARCH).file;
    sandbox.clearCalls();
    const env = { FAKE_UNAME_M: UNAME[FOREIGN_ARCH] };

    const result = sandbox.run('install', ['--bundle', bundle, ...enrollment], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('and rebuild @scope/abi-addon gyp-addon nested-addon for this host');
    const npm = sandbox.calls('npm');
    expect(npm.map((call) => call.args.join(' '))).toEqual(['rebuild @scope/abi-addon gyp-addon nested-addon']);
    expect(npm[0]!.cwd).toBe(sandbox.path('opt/hasn/.partial-1.0.0'));
    expect(npm[0]!.buildEnv).toBe(`build_from_source=better-sqlite3 nodedir=${sandbox.dir}`);
    expect(sandbox.read('opt/hasn/1.0.0/node_modules/napi-addon/prebuilds/linux-arm64/napi-addon.armv8.glibc.node')).toBe('arm64 binary');
    expect(sandbox.read('opt/hasn/1.0.0/BUNDLE')).toContain('version=1.0.0');

    sandbox.clearCalls();
    const again = sandbox.run('install', ['--bundle', bundle], env);
    expect(again.stdout).toContain('(0 changes)');
    expect(sandbox.calls('npm')).toEqual([]);
  });

  it("rebuilds addons compiled for another Node ABI than the device's, and leaves them when the ABI matches", () => {
    const hostAbi = process.versions.modules;
    const sameAbiNode = Object.entries(ABI_OF_NODE).find(([, abi]) => abi === hostAbi)?.[0];
    const otherAbiNode = hostAbi === '137' ? 'v20' : 'v24';
    const env = { FAKE_UNAME_M: UNAME[HOST_ARCH] };

    const other = setup(`${otherAbiNode}.19.0`);
    const otherBundle = other.build(HOST_ARCH).file;
    other.sandbox.clearCalls();
    expect(other.sandbox.run('install', ['--bundle', otherBundle, ...other.enrollment], env).code).toBe(0);
    expect(other.sandbox.commandLines('npm')).toEqual(['npm rebuild @scope/abi-addon gyp-addon nested-addon']);

    if (sameAbiNode === undefined) return;
    const same = setup(`${sameAbiNode}.19.0`);
    const sameBundle = same.build(HOST_ARCH).file;
    same.sandbox.clearCalls();
    expect(same.sandbox.run('install', ['--bundle', sameBundle, ...same.enrollment], env).code).toBe(0);
    expect(same.sandbox.calls('npm')).toEqual([]);
  });

  it('--allow-prebuilt-downloads lets addons fetch their published binaries instead of compiling', () => {
    const { sandbox, build, enrollment } = setup();
    const bundle = build(FOREIGN_ARCH).file;
    sandbox.clearCalls();
    const result = sandbox.run('install', ['--bundle', bundle, ...enrollment, '--allow-prebuilt-downloads'], { FAKE_UNAME_M: UNAME[FOREIGN_ARCH] });
    expect(result.code).toBe(0);
    expect(sandbox.calls('npm')[0]!.buildEnv).toBe(`build_from_source= nodedir=${sandbox.dir}`);
  });

  it('refuses a bundle whose SHA-256 does not match (exit 5), installing nothing', () => {
    const { sandbox, build, enrollment } = setup();
    const bundle = build(FOREIGN_ARCH).file;
    writeFileSync(`${bundle}.sha256`, `${'0'.repeat(64)}  x.tar.gz\n`);
    const result = sandbox.run('install', ['--bundle', bundle, ...enrollment], { FAKE_UNAME_M: UNAME[FOREIGN_ARCH] });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`expected ${'0'.repeat(64)}`);
    expect(result.stderr).toContain('what to do: copy the bundle again');
    expect(sandbox.exists('opt/hasn')).toBe(false);
  });

  it('refuses a bundle made for another arch (exit 5) and says how to make the right one', () => {
    const { sandbox, build, enrollment } = setup();
    const bundle = build(FOREIGN_ARCH).file;
    const result = sandbox.run('install', ['--bundle', bundle, ...enrollment], { FAKE_UNAME_M: UNAME[FOREIGN_ARCH === 'arm64' ? 'x64' : 'arm64'] });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`the bundle is for linux-${FOREIGN_ARCH}`);
    expect(result.stderr).toContain('npm run package -- --arch');
  });
});
