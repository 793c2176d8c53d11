// `npm run package -- [--arch arm64|x64] [--out DIR] [--version V]`: prints where the bundle is and what the device must do.
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HasnError } from '../../core/errors.ts';
import { BUNDLE_ARCHES, buildBundle } from './build.ts';
import type { BundleArch } from './build.ts';

const USAGE = `usage: npm run package -- [--arch ${BUNDLE_ARCHES.join('|')}] [--out DIR] [--version VERSION] [--source DIR]`;

export function runPackageCli(argv: string[]): number {
  let values: { arch?: string; out?: string; version?: string; source?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        arch: { type: 'string', default: 'arm64' },
        out: { type: 'string', default: 'dist' },
        version: { type: 'string' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`package: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  try {
    const result = buildBundle({
      sourceDir: values.source ?? repo,
      outDir: values.out ?? 'dist',
      arch: (values.arch ?? 'arm64') as BundleArch,
      ...(values.version === undefined ? {} : { version: values.version }),
      log: (line) => process.stderr.write(`package: ${line}\n`),
    });
    const list = (names: string[]) => (names.length === 0 ? '(none)' : names.join(', '));
    process.stdout.write(
      [
        `bundle:   ${result.file}`,
        `sha256:   ${result.sha256}`,
        `prebuilt native addons (ready on linux-${result.arch}): ${list(result.prebuilt)}`,
        `compiled here for Node ABI ${result.nodeAbi ?? '-'} (rebuilt by install.sh if the device's ABI differs): ${list(result.compiled)}`,
        `rebuilt on the device by install.sh (npm rebuild; needs build-essential, python3): ${list(result.rebuild)}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    if (err instanceof HasnError) {
      process.stderr.write(`package: error ${err.code}${err.path === undefined ? '' : ` at ${err.path}`}: ${err.message}\n`);
      return err.code === 'E_BUNDLE_ARCH' || err.code === 'E_BUNDLE_VERSION' ? 2 : 1;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = runPackageCli(process.argv.slice(2));
}
