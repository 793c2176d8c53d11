// Runs the onoff adapter's suite (test/io/namespace) in a private mount namespace whose /sys/class is a tmpfs
// holding a fake GPIO tree: the only way to aim onoff, which hard-codes /sys/class/gpio, at a fake tree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const mountTmpfs = 'mount -t tmpfs hasn-fake-sys /sys/class';
const namespacesWork = spawnSync('unshare', ['-rm', 'sh', '-c', mountTmpfs], { stdio: 'ignore' }).status === 0;

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

describe.skipIf(!namespacesWork)('onoff adapter on a fake sysfs tree in a private mount namespace (requires unshare -rm and mount)', () => {
  it('passes the DigitalLine contract (edge tests skipped: epoll cannot watch a regular file) and the onoff checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-onoff-ns-'));
    const reportPath = join(dir, 'report.json');
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
      const run = spawnSync(
        'unshare',
        ['-rm', 'sh', '-c', `${mountTmpfs} && exec "$0" "$@"`, process.execPath, vitestCli, 'run', '--config', 'test/io/namespace/vitest.config.ts', '--reporter=json', `--outputFile=${reportPath}`],
        { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 },
      );
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport;
      const results = report.testResults.flatMap((file) => file.assertionResults);
      console.log(`[onoff in namespace] ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`);
      for (const result of results) console.log(`  ${result.status.padEnd(7)} ${result.fullName}`);
      const failures = results.filter((r) => r.status === 'failed').map((r) => `${r.fullName}: ${r.failureMessages.join('\n')}`);
      expect(failures, run.stderr).toEqual([]);
      expect(report.numPassedTests).toBeGreaterThanOrEqual(12);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
