// `hasn backends`, `hasn check --backend X SPEC`, `hasn export --target nir|lava|pynn|akida SPEC -o DIR`, `hasn import --from nir FILE`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { HasnError } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { parseSpecJson } from '../../core/spec/validate.ts';
import { compareRates } from '../../drivers/backends/compare.ts';
import { writeNir } from '../../drivers/backends/nir/export.ts';
import { readNir } from '../../drivers/backends/nir/import.ts';
import { getBackend, probeAll } from '../../drivers/backends/registry.ts';
import type { BackendMode, ResourceReport } from '../../drivers/backends/types.ts';
import { EXIT } from '../exit-codes.ts';

/** Which backend writes each export target. */
const EXPORT_TARGETS: Record<string, string> = { lava: 'loihi', pynn: 'spinnaker', akida: 'akida' };

function readSpec(file: string): NetworkSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HasnError('E_FILE', `cannot read ${file}: ${(err as Error).message}`, { path: file });
  }
  return parseSpecJson(text);
}

/** compile() knobs given on the command line as key=value (numbers parsed). */
function knobs(values: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of values ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new HasnError('E_CLI_OPTION', `--set expects key=value, got "${entry}"`, { path: '--set' });
    const raw = entry.slice(eq + 1);
    out[entry.slice(0, eq)] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function printReport(report: ResourceReport): void {
  const out = process.stdout;
  out.write(`  neurons ${report.neurons}, synapses ${report.synapses}; ${Object.entries(report.units).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  for (const [k, v] of Object.entries(report.quantization ?? {})) out.write(`  quantization ${k} = ${v.toPrecision(3)}\n`);
  for (const note of report.notes) out.write(`  note: ${note}\n`);
}

export function register(program: Command): void {
  program
    .command('backends')
    .description('list every backend with what probe() found on this machine (modes, versions, and why the others are missing)')
    .option('--json', 'print the statuses as JSON')
    .action(async (opts: { json?: boolean }) => {
      const statuses = await probeAll();
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(statuses)}\n`);
        return;
      }
      for (const s of statuses) {
        process.stdout.write(`${s.id}: modes ${s.modes.length > 0 ? s.modes.join(', ') : '(none)'}\n`);
        for (const [name, version] of Object.entries(s.versions)) process.stdout.write(`  ${name} ${version}\n`);
        for (const reason of s.reasons) process.stdout.write(`  - ${reason}\n`);
      }
    });

  program
    .command('check')
    .description('list every reason a spec cannot map to a backend (stable codes); when it fits, its resource and quantization report')
    .requiredOption('--backend <id>', 'cpu | loihi | spinnaker | akida')
    .argument('<spec>', 'path to the spec JSON file')
    .option('--set <key=value>', 'backend compile option (e.g. chip=loihi2, vth=16384); repeatable', collect)
    .option('--rates <steps>', 'also run the spec this many steps on cpu and on the backend and compare firing rates')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { backend: string; set?: string[]; rates?: string; json?: boolean }) => {
      const spec = readSpec(file);
      const backend = getBackend(opts.backend);
      const violations = backend.check(spec);
      if (violations.length > 0) {
        if (opts.json === true) process.stdout.write(`${JSON.stringify({ file, backend: backend.id, fits: false, violations })}\n`);
        else {
          process.stderr.write(`${file}: ${violations.length} violation${violations.length === 1 ? '' : 's'} on ${backend.id}\n`);
          for (const v of violations) process.stderr.write(`  ${v.code}  ${v.path}: ${v.message}\n`);
        }
        process.exitCode = EXIT.INVALID_INPUT;
        return;
      }
      const status = await backend.probe();
      const mode = (['emulate', 'hardware'] as BackendMode[]).find((m) => status.modes.includes(m));
      const artifact = mode === undefined ? null : await backend.compile(spec, { mode, ...knobs(opts.set) });
      const steps = opts.rates === undefined ? 0 : Number(opts.rates);
      if (opts.rates !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new HasnError('E_CLI_OPTION', '--rates expects a positive number of steps', { path: '--rates' });
      const rates = steps > 0 && mode !== undefined ? await compareRates(spec, backend, mode, steps) : null;
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify({ file, backend: backend.id, fits: true, mode: mode ?? null, report: artifact?.report ?? null, rates })}\n`);
        return;
      }
      process.stdout.write(`${file}: fits ${backend.id}${mode === undefined ? ' (no runnable mode here to report resources)' : ` (${mode})`}\n`);
      if (artifact !== null) printReport(artifact.report);
      for (const r of rates ?? []) {
        process.stdout.write(`  rate ${r.population}: cpu ${r.cpuHz.toFixed(3)} Hz, ${backend.id} ${r.backendHz.toFixed(3)} Hz (${(100 * r.relativeDifference).toFixed(2)} %)\n`);
      }
    });

  program
    .command('export')
    .description('write files for a vendor toolchain: nir (.nir HDF5), lava (Lava script + .nir), pynn (PyNN script), akida (Akida script)')
    .requiredOption('--target <target>', 'nir | lava | pynn | akida')
    .argument('<spec>', 'path to the spec JSON file')
    .requiredOption('-o, --out <dir>', 'output directory (created if absent)')
    .option('--set <key=value>', 'backend compile option; repeatable', collect)
    .action(async (file: string, opts: { target: string; out: string; set?: string[] }) => {
      const spec = readSpec(file);
      const dir = resolve(opts.out);
      mkdirSync(dir, { recursive: true });
      let files: string[];
      let warnings: string[];
      if (opts.target === 'nir') {
        const path = join(dir, `${spec.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.nir`);
        warnings = await writeNir(spec, path);
        files = [path];
      } else {
        const id = EXPORT_TARGETS[opts.target];
        if (id === undefined) throw new HasnError('E_CLI_OPTION', `unknown export target "${opts.target}" (nir, lava, pynn, akida)`, { path: '--target' });
        const artifact = await getBackend(id).compile(spec, { mode: 'export', outDir: dir, ...knobs(opts.set) });
        files = artifact.files;
        warnings = artifact.report.notes;
        printReport(artifact.report);
      }
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      if (opts.target === 'nir') for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    });

  program
    .command('import')
    .description('read a NIR graph (.nir) as a network spec; NIR has no time step, so --dt is required')
    .requiredOption('--from <format>', 'nir')
    .argument('<file>', 'the .nir file')
    .requiredOption('--dt <ms>', 'time step of the spec (ms)')
    .option('-o, --out <file>', 'write the spec JSON here (default: stdout)')
    .action(async (file: string, opts: { from: string; dt: string; out?: string }) => {
      if (opts.from !== 'nir') throw new HasnError('E_CLI_OPTION', `unknown import format "${opts.from}" (nir)`, { path: '--from' });
      const { spec, warnings } = await readNir(file, { dt_ms: Number(opts.dt) });
      const json = `${JSON.stringify(spec, null, 2)}\n`;
      if (opts.out === undefined) process.stdout.write(json);
      else writeFileSync(opts.out, json);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    });
}
