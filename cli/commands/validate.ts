// `hasn validate SPEC`: lists every problem of a network spec with its path and code (exit 2 when invalid).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { validateSpec } from '../../core/spec/validate.ts';
import { EXIT } from '../exit-codes.ts';

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate a network spec (JSON); lists every problem with its path and a stable code')
    .argument('<spec>', 'path to the spec JSON file')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        const issue = { code: 'E_SPEC_JSON', path: '(root)', message: (err as Error).message };
        report(file, [issue], opts.json === true);
        process.exitCode = EXIT.INVALID_INPUT;
        return;
      }
      const result = validateSpec(value);
      report(file, result.issues, opts.json === true);
      process.exitCode = result.ok ? EXIT.OK : EXIT.INVALID_INPUT;
    });
}

function report(file: string, issues: readonly { code: string; path: string; message: string }[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, valid: issues.length === 0, issues })}\n`);
    return;
  }
  if (issues.length === 0) {
    process.stdout.write(`${file}: valid\n`);
    return;
  }
  process.stderr.write(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n`);
  for (const issue of issues) process.stderr.write(`  ${issue.code}  ${issue.path}: ${issue.message}\n`);
}
