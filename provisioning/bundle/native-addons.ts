// Finds the native addons in a node_modules tree and whether each ships a binary usable on a given linux arch.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface NativeAddon {
  /** Package name, as `npm rebuild NAME` takes it. */
  name: string;
  /** Package folder relative to the app folder, e.g. `node_modules/@serialport/bindings-cpp`. */
  path: string;
}

/** Every package under `appDir/node_modules` (nested ones too) that compiles C/C++ with node-gyp (has binding.gyp). */
export function findNativeAddons(appDir: string): NativeAddon[] {
  const found: NativeAddon[] = [];
  walk(join(appDir, 'node_modules'));
  return found.sort((a, b) => a.path.localeCompare(b.path));

  function walk(modulesDir: string): void {
    if (!existsSync(modulesDir)) return;
    for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(join(modulesDir, entry.name), { withFileTypes: true })) {
          if (scoped.isDirectory()) visit(join(modulesDir, entry.name, scoped.name));
        }
      } else {
        visit(join(modulesDir, entry.name));
      }
    }
  }

  function visit(packageDir: string): void {
    if (existsSync(join(packageDir, 'binding.gyp'))) {
      found.push({ name: packageName(packageDir), path: relative(appDir, packageDir) });
    }
    walk(join(packageDir, 'node_modules'));
  }
}

function packageName(packageDir: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name?: unknown };
  if (typeof manifest.name !== 'string') throw new Error(`${packageDir}/package.json has no name`);
  return manifest.name;
}

/**
 * True when the package ships a glibc binary for linux-<arch> that does not depend on the Node ABI
 * (node-gyp-build's `prebuilds/linux-<arch>/*.node`, built with N-API). Names carrying `abi<N>` are tied to one
 * Node major and do not count; musl builds do not run on Raspberry Pi OS.
 */
export function shipsPrebuild(packageDir: string, arch: string): boolean {
  const dir = join(packageDir, 'prebuilds', `linux-${arch}`);
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((file) => file.endsWith('.node') && !file.includes('musl') && !/\babi\d+\b/.test(file));
}
