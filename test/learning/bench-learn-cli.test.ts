// `hasn bench learn` on a tiny generated IDX data set: the JSON report's fields, the PNG, the table, exit 69 without data, option checks.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLearnReport, runLearnBench, type LearnBenchReport } from '../../bench/learn/learn-bench.ts';
import { HasnError } from '../../core/errors.ts';
import { encodeIdx } from '../../core/learning/idx.ts';

const bin = new URL('../../bin/hasn.mjs', import.meta.url).pathname;
const hasn = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

/** count 28 × 28 images: class c is a bright horizontal band at rows 2c … 2c + 5. */
function bands(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const c = k % 10;
    labels[k] = c;
    for (let y = 2 * c; y < 2 * c + 6; y++) images.fill(200 + ((k * 7 + y) % 50), k * 784 + y * 28 + 4, k * 784 + y * 28 + 24);
  }
  return { images, labels };
}

function dataSet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hasn-bench-learn-'));
  for (const [prefix, count] of [['train', 40], ['t10k', 20]] as const) {
    const { images, labels } = bands(count);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([count, 28, 28], images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([count], labels));
  }
  return dir;
}

describe('hasn bench learn', () => {
  it('prints one JSON object with the accuracies, image counts and times, and writes the receptive fields', () => {
    const dir = dataSet();
    const png = join(dir, 'fields.png');
    const r = hasn('bench', 'learn', '--data', dir, '--neurons', '10', '--train', '40', '--test', '20', '--present-ms', '50', '--record-ms', '100', '--png', png, '--json', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['accuracy', 'linear_accuracy', 'linear_accuracy_wta', 'baseline_accuracy']) {
      expect(report[key]).toBeGreaterThanOrEqual(0);
      expect(report[key]).toBeLessThanOrEqual(1);
    }
    // Ten distinct bands are trivially separable from pixels.
    expect(report.baseline_accuracy).toBe(1);
    expect(report).toMatchObject({ fields: null, train_images: 40, test_images: 20, label_images: 40, neurons: 10, workers: 0, present_ms: 50, record_ms: 100, receptive_fields_png: png, graded_theta_scale: 0.85 });
    expect(report.wall_s).toBeGreaterThan(0);
    expect(existsSync(png)).toBe(true);
    expect(Array.from(readFileSync(png).subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const table = formatLearnReport(report as unknown as LearnBenchReport);
    expect(table).toMatch(/SNN, vote \(neuron labels\) +\d+\.\d\d %/);
    expect(table).toMatch(/SNN, softmax on graded counts +\d+\.\d\d % +\(graded recording, θ = 0\.85 × median\)/);
    expect(table).toMatch(/baseline, softmax on raw pixels +100\.00 %/);
    expect(table).toContain(`receptive fields: ${png}`);
  });

  it('--fields size:stride runs the local-receptive-field network and reports its patches; a malformed value is refused', () => {
    const dir = dataSet();
    const r = hasn('bench', 'learn', '--data', dir, '--neurons', '8', '--fields', '16:12', '--train', '40', '--test', '20', '--present-ms', '50', '--record-ms', '100', '--no-png', '--json', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as LearnBenchReport;
    expect(report).toMatchObject({ fields: { size: 16, stride: 12, count: 4 }, neurons: 8 });
    expect(formatLearnReport(report)).toContain('8 excitatory neurons in 4 patches of 16 × 16 pixels (stride 12), an inhibitory pool each');
    const bad = hasn('bench', 'learn', '--data', dir, '--fields', '16x12', '--quiet');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/size:stride/);
  });

  it('--no-graded fits the linear read-out on the vote\'s recording; --graded-theta sets the graded recording\'s θ', () => {
    const dir = dataSet();
    const run = (...extra: string[]) => {
      const r = hasn('bench', 'learn', '--data', dir, '--neurons', '10', '--train', '40', '--test', '20', '--present-ms', '50', '--record-ms', '100', '--no-png', '--json', '--quiet', ...extra);
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as LearnBenchReport;
    };
    const plain = run('--no-graded');
    expect(plain.graded_theta_scale).toBeNull();
    expect(plain.linear_accuracy).toBe(plain.linear_accuracy_wta);
    expect(formatLearnReport(plain)).not.toContain('graded');
    const graded = run('--graded-theta', '0.5');
    expect(graded.graded_theta_scale).toBe(0.5);
    // Same network, same first recording: the vote and the first linear read-out do not change; the graded recording adds showings.
    expect([graded.accuracy, graded.linear_accuracy_wta]).toEqual([plain.accuracy, plain.linear_accuracy_wta]);
    expect(graded.recording.showings).toBeGreaterThan(plain.recording.showings);
  });

  it('exits 69 naming the Debian package when the data set is missing', () => {
    const r = hasn('bench', 'learn', '--data', mkdtempSync(join(tmpdir(), 'hasn-empty-')), '--quiet');
    expect(r.status).toBe(69);
    expect(r.stderr).toMatch(/E_DATASET_MISSING.*dataset-fashion-mnist/);
  });
});

describe('runLearnBench option checks', () => {
  it('rejects an odd neuron count and more images than the set has (E_LEARN_OPTIONS)', async () => {
    const dir = dataSet();
    for (const bad of [{ neurons: 5, train: 10, test: 10 }, { neurons: 4, train: 41, test: 10 }, { neurons: 4, train: 10, test: 10, label: 11 }]) {
      await expect(runLearnBench({ ...bad, dataDir: dir, pngPath: null })).rejects.toSatisfy((e) => e instanceof HasnError && e.code === 'E_LEARN_OPTIONS');
    }
  });
});
