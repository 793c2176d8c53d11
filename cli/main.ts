// The `hasn` command line: one commander program; each command group lives in cli/commands/.
import { Command, CommanderError } from 'commander';
import { HasnError } from '../core/errors.ts';
import { EXIT } from './exit-codes.ts';
// Command groups: each file exports `register(program)`. Add one import + one call per group.
import { register as registerValidate } from './commands/validate.ts';
import { register as registerRun } from './commands/run.ts';
import { register as registerBench } from './commands/bench.ts';
import { register as registerAgent } from './commands/agent.ts';
import { register as registerFleet } from './commands/fleet.ts';
import { register as registerBackends } from './commands/backends.ts';

export function buildProgram(): Command {
  const program = new Command('hasn')
    .description('HASN: spiking neural networks on fleets of edge devices')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerValidate(program);
  registerRun(program);
  registerBench(program);
  registerAgent(program);
  registerFleet(program);
  registerBackends(program);
  return program;
}

/** Runs the CLI and returns the process exit code (see cli/exit-codes.ts). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof HasnError) {
      process.stderr.write(`error ${err.code}${err.path ? ` at ${err.path}` : ''}: ${err.message}\n`);
      for (const issue of err.issues) process.stderr.write(`  ${issue.code} ${issue.path}: ${issue.message}\n`);
      return EXIT.INVALID_INPUT;
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.FAILURE;
  }
}
