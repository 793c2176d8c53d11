// Builds the offline bundle: app files, production node_modules for one linux arch, a BUNDLE manifest, as a
// reproducible .tar.gz with its .sha256 — what `install.sh --bundle` installs without reaching npm.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { HasnError } from '../../core/errors.ts';
import { findNativeAddons, shipsPrebuild } from './native-addons.ts';

export const BUNDLE_ARCHES = ['arm64', 'x64'] as const;
export type BundleArch = (typeof BUNDLE_ARCHES)[number];

export interface BundleOptions {
  /** The checkout to bundle (needs package.json, package-lock.json and provisioning/bundle-exclude). */
  sourceDir: string;
  outDir: string;
  arch: BundleArch;
  /** Defaults to package.json's version. */
  version?: string;
  /** Environment for the npm and tar child processes (PATH decides which npm runs). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface BundleResult {
  file: string;
  sha256: string;
  version: string;
  arch: BundleArch;
  /** Addons whose package ships an N-API binary for the arch: ready on the device. */
  prebuilt: string[];
  /** Addons compiled here (only when the arch is this machine's): ready if the device's Node ABI is `nodeAbi`. */
  compiled: string[];
  /** Addons with no binary for the arch: install.sh rebuilds them on the device (`npm rebuild`). */
  rebuild: string[];
  nodeAbi: string | null;
}

const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

export function buildBundle(options: BundleOptions): BundleResult {
  const sourceDir = resolve(options.sourceDir);
  const outDir = resolve(options.outDir);
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (!(BUNDLE_ARCHES as readonly string[]).includes(options.arch)) {
    throw new HasnError('E_BUNDLE_ARCH', `arch must be one of ${BUNDLE_ARCHES.join(', ')}`, { path: options.arch });
  }
  const version = options.version ?? readVersion(sourceDir);
  if (!VERSION_PATTERN.test(version)) {
    throw new HasnError('E_BUNDLE_VERSION', 'a version uses letters, digits, ".", "+", "_" and "-"', { path: version });
  }
  const excludes = join(sourceDir, 'provisioning', 'bundle-exclude');
  if (!existsSync(excludes)) throw new HasnError('E_BUNDLE_SOURCE', 'the exclusion list is missing', { path: excludes });

  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, '.staging-'));
  try {
    const name = `hasn-${version}`;
    const appDir = join(staging, name);
    mkdirSync(appDir);
    const run = commandRunner(env, log);
    log(`copying the app from ${sourceDir}`);
    run('tar', ['-cf', join(staging, 'app.tar'), '--anchored', `--exclude-from=${excludes}`, '-C', sourceDir, '.'], staging);
    run('tar', ['-xf', join(staging, 'app.tar'), '-C', appDir], staging);
    rmSync(join(staging, 'app.tar'));

    // Scripts stay off: they would build native code for this machine, not for the target.
    log(`installing production dependencies for linux-${options.arch}`);
    run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--os=linux', `--cpu=${options.arch}`, '--libc=glibc'], appDir);

    const prebuilt: string[] = [];
    const candidates: string[] = [];
    for (const addon of findNativeAddons(appDir)) {
      (shipsPrebuild(join(appDir, addon.path), options.arch) ? prebuilt : candidates).push(addon.name);
    }
    const native = process.platform === 'linux' && process.arch === options.arch;
    const compiled = native ? candidates : [];
    const rebuild = native ? [] : candidates;
    if (compiled.length > 0) {
      log(`compiling ${compiled.join(', ')} for this machine's Node ABI ${process.versions.modules}`);
      run('npm', ['rebuild', ...compiled], appDir);
    }
    const nodeAbi = compiled.length > 0 ? process.versions.modules : null;
    writeFileSync(join(appDir, 'BUNDLE'), manifest({ version, arch: options.arch, prebuilt, compiled, rebuild, nodeAbi }));

    const file = join(outDir, `${name}-linux-${options.arch}.tar.gz`);
    const tar = join(staging, 'bundle.tar');
    const mtime = env.SOURCE_DATE_EPOCH ?? '0';
    run('tar', ['--sort=name', `--mtime=@${mtime}`, '--owner=0', '--group=0', '--numeric-owner', '-cf', tar, '-C', staging, name], staging);
    gzipInto(tar, file, env);
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    writeFileSync(`${file}.sha256`, `${sha256}  ${basename(file)}\n`);
    log(`wrote ${file}`);
    return { file, sha256, version, arch: options.arch, prebuilt, compiled, rebuild, nodeAbi };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function readVersion(sourceDir: string): string {
  const path = join(sourceDir, 'package.json');
  if (!existsSync(path)) throw new HasnError('E_BUNDLE_SOURCE', 'no package.json: not a HASN checkout', { path });
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new HasnError('E_BUNDLE_VERSION', 'package.json has no version', { path });
  return pkg.version;
}

/** key=value lines, read by install.sh with awk (no JSON parser needed on the device before Node is there). */
function manifest(m: { version: string; arch: string; prebuilt: string[]; compiled: string[]; rebuild: string[]; nodeAbi: string | null }): string {
  return [
    'format=1',
    'name=hasn',
    `version=${m.version}`,
    'platform=linux',
    `arch=${m.arch}`,
    `node_abi=${m.nodeAbi ?? ''}`,
    `prebuilt=${m.prebuilt.join(' ')}`,
    `compiled=${m.compiled.join(' ')}`,
    `rebuild=${m.rebuild.join(' ')}`,
    '',
  ].join('\n');
}

function commandRunner(env: NodeJS.ProcessEnv, log: (line: string) => void) {
  return (command: string, args: string[], cwd: string): void => {
    const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.error) throw new HasnError('E_BUNDLE_STEP', `cannot run ${command}: ${result.error.message}`, { path: command });
    if (result.status !== 0) {
      throw new HasnError('E_BUNDLE_STEP', `${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`, { path: cwd });
    }
    for (const line of result.stderr.split('\n')) if (line.trim() !== '') log(`  ${command}: ${line}`);
  };
}

/** gzip -n: no name or timestamp in the header, so equal inputs give byte-identical bundles. */
function gzipInto(source: string, target: string, env: NodeJS.ProcessEnv): void {
  const fd = openSync(target, 'w');
  try {
    const result = spawnSync('gzip', ['-n', '-9', '-c', source], { env, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new HasnError('E_BUNDLE_STEP', `gzip failed: ${result.stderr ?? ''}`, { path: target });
  } finally {
    closeSync(fd);
  }
}
