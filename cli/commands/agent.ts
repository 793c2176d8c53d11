// `hasn agent` (the device daemon, `--sim` for simulation mode), `hasn agent token …` (API tokens) and `hasn config check|schema`.
//
// Exit codes of `hasn agent` (also in agent/README.md):
//   0  stopped by SIGTERM/SIGINT after a clean shutdown (snapshot taken, outbox flushed)
//   1  runtime failure: an unexpected error, or a shutdown that failed, timed out or was interrupted by a second signal
//   2  invalid config or brain spec (every problem is listed on stderr); restarting will not help
//   64 bad command-line usage
//   69 something required is unavailable: data directory locked by another agent or not writable, store unusable,
//      HTTP port in use
import type { Command } from 'commander';
import { HasnError, type Issue } from '../../core/errors.ts';
import { loadBrainSpec } from '../../agent/brain/brain-source.ts';
import { agentConfigJsonSchemaText } from '../../agent/config/json-schema.ts';
import { resolveConfig, type ConfigSources } from '../../agent/config/load.ts';
import { LOG_LEVELS, createLogger, type LogLevel } from '../../agent/log.ts';
import { effectiveIo } from '../../agent/config/simulation.ts';
import { configSelfIssues, configSpecIssues } from '../../agent/config/spec-check.ts';
import { Agent } from '../../agent/lifecycle/agent.ts';
import { fleetControlFor } from '../../agent/fleet-control.ts';
import { fleetLinkExtension } from '../../agent/mqtt/extension.ts';
import { createSystemdNotifier } from '../../agent/lifecycle/systemd-notify.ts';
import { hardwareAdapters } from '../../agent/io/hardware-adapters.ts';
import { openStore } from '../../agent/store/index.ts';
import { EXIT } from '../exit-codes.ts';

interface AgentFlags {
  config?: string;
  sim?: boolean;
  httpPort?: string;
  httpHost?: string;
  dataDir?: string;
  spec?: string;
  deviceId?: string;
  logLevel?: string;
  broker?: string;
}

/** Shutdown must finish well inside systemd's TimeoutStopSec (60 s in the unit). */
const SHUTDOWN_TIMEOUT_MS = 45_000;

const UNAVAILABLE_CODES = /^(E_DATA_DIR_LOCKED|E_HTTP_LISTEN|E_STORE_.*|E_SERIAL_OPEN|E_GPIO_.*|E_I2C_OPEN)$/;
const INVALID_CODES = /^(E_CONFIG_.*|E_SPEC_.*|E_BRAIN_FILE|E_CODEC_.*)$/;

function printIssues(issues: readonly Issue[], heading: string): void {
  process.stderr.write(`${heading}\n`);
  for (const issue of issues) process.stderr.write(`  ${issue.code}  ${issue.path}: ${issue.message}\n`);
}

function printError(err: HasnError): void {
  process.stderr.write(`error ${err.code}${err.path ? ` at ${err.path}` : ''}: ${err.message}\n`);
  for (const issue of err.issues) process.stderr.write(`  ${issue.code}  ${issue.path}: ${issue.message}\n`);
}

function exitCodeFor(err: unknown): number {
  if (!(err instanceof HasnError)) return EXIT.FAILURE;
  if (INVALID_CODES.test(err.code)) return EXIT.INVALID_INPUT;
  if (UNAVAILABLE_CODES.test(err.code) || (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EACCES') return EXIT.UNAVAILABLE;
  return EXIT.FAILURE;
}

/** Command-line flags as a partial config (the top layer). */
function flagLayer(flags: AgentFlags): { layer: Record<string, unknown>; issues: Issue[] } {
  const layer: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const http: Record<string, unknown> = {};
  if (flags.httpPort !== undefined) {
    const port = Number(flags.httpPort);
    if (!/^\d+$/.test(flags.httpPort) || port > 65535) issues.push({ code: 'E_CONFIG_RANGE', path: '--http-port', message: `expected a port number 0–65535, got "${flags.httpPort}"` });
    http.port = port;
  }
  if (flags.httpHost !== undefined) http.host = flags.httpHost;
  if (Object.keys(http).length > 0) layer.http = http;
  if (flags.dataDir !== undefined) layer.data_dir = flags.dataDir;
  if (flags.spec !== undefined) layer.brain = { spec: flags.spec };
  if (flags.deviceId !== undefined) layer.device = { id: flags.deviceId };
  if (flags.broker !== undefined) layer.mqtt = { url: flags.broker };
  if (flags.logLevel !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) issues.push({ code: 'E_CONFIG_VALUE', path: '--log-level', message: `expected one of ${LOG_LEVELS.join(', ')}` });
    layer.log = { level: flags.logLevel };
  }
  return { layer, issues };
}

function sourcesFrom(flags: AgentFlags): { sources: ConfigSources; issues: Issue[] } {
  const { layer, issues } = flagLayer(flags);
  return { sources: { file: flags.config, env: process.env, flags: layer, simulation: flags.sim === true }, issues };
}

async function runAgent(flags: AgentFlags): Promise<number> {
  const { sources, issues: flagIssues } = sourcesFrom(flags);
  if (flagIssues.length > 0) {
    printIssues(flagIssues, 'invalid options:');
    return EXIT.USAGE;
  }
  const resolved = resolveConfig(sources);
  if (!resolved.ok) {
    printIssues(resolved.issues, `agent config${resolved.file ? ` ${resolved.file}` : ''} is invalid (${resolved.issues.length} problem${resolved.issues.length === 1 ? '' : 's'}):`);
    return EXIT.INVALID_INPUT;
  }
  const config = resolved.config;
  const log = createLogger({ level: config.log.level as LogLevel, base: { device: config.device.id } });
  // The fleet link controls the agent that starts it: the control is made when the extension starts.
  const fleetLink = fleetLinkExtension({ control: (context) => fleetControlFor(agent)(context) });
  const agent: Agent = new Agent({ config, log, adapters: hardwareAdapters(), notifier: createSystemdNotifier({ log: log.child({ component: 'systemd' }) }), extensions: [fleetLink] });

  let signalled: string | undefined;
  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== undefined) {
      log.error({ signal }, `second ${signal} during shutdown: exiting now`);
      process.exit(EXIT.FAILURE);
    }
    signalled = signal;
    log.info({ signal }, `${signal}: shutting down`);
    const timer = setTimeout(() => {
      log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out');
      process.exit(EXIT.FAILURE);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    agent.stop(signal).then(() => resolveStopped(EXIT.OK), (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      resolveStopped(EXIT.FAILURE);
    });
  };
  const onFatal = (err: unknown) => {
    log.fatal({ err }, `unexpected error: ${(err as Error)?.message ?? String(err)}; stopping`);
    if (signalled === undefined) {
      signalled = 'fatal';
      agent.stop('fatal error').finally(() => resolveStopped(EXIT.FAILURE));
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  try {
    try {
      await agent.start();
    } catch (err) {
      if (err instanceof HasnError) printError(err);
      else process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
      return exitCodeFor(err);
    }
    if (config.simulation && agent.url !== null && process.stderr.isTTY) {
      process.stderr.write(`\n  HASN agent (simulation) — dashboard: ${agent.url}/\n  Ctrl+C stops it (a snapshot is taken; the next start resumes from it).\n\n`);
    }
    return await stopped;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
}

/** The data directory a token command works on: --data-dir, else the config's. */
function tokenDataDir(flags: AgentFlags): string {
  if (flags.dataDir !== undefined) return flags.dataDir;
  const resolved = resolveConfig(sourcesFrom(flags).sources);
  if (!resolved.ok) throw new HasnError('E_CONFIG_INVALID', 'cannot find the data directory: pass --data-dir, or a valid --config', { issues: resolved.issues });
  return resolved.config.data_dir;
}

function withStore<T>(flags: AgentFlags, use: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(tokenDataDir(flags));
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/** Every problem of a config file, including those only visible with its brain: schema, ids, spec, channels, sinks. */
export function checkConfigFile(file: string): { issues: Issue[] } {
  const resolved = resolveConfig({ file });
  if (!resolved.ok) return { issues: resolved.issues };
  const config = resolved.config;
  const issues = configSelfIssues(config);
  try {
    const brain = loadBrainSpec(config);
    if (brain !== null) issues.push(...configSpecIssues(config, brain.spec, effectiveIo(config, brain.spec)));
  } catch (err) {
    if (!(err instanceof HasnError)) throw err;
    if (err.issues.length === 0) issues.push({ code: err.code, path: 'brain.spec', message: err.message });
    for (const issue of err.issues) issues.push({ code: issue.code, path: `brain.spec → ${issue.path}`, message: issue.message });
  }
  return { issues };
}

export function register(program: Command): void {
  const agent = program
    .command('agent')
    .option('--config <file>', 'YAML config file (default /etc/hasn/agent.yaml when it exists)')
    .option('--sim', 'simulation mode: simulated sensors, event-only actuators, the sensorimotor example, data in ./data')
    .option('--data-dir <dir>', 'where the store and the deployed brain live (config data_dir, env HASN_DATA_DIR)')
    .description('run the device daemon: brain, sensors, actuators, snapshots, HTTP API and dashboard')
    .option('--http-port <port>', 'HTTP port (config http.port, env HASN_HTTP__PORT; default 8080)')
    .option('--http-host <host>', 'HTTP address (config http.host; default 127.0.0.1)')
    .option('--spec <file>', 'the brain: a network spec JSON (config brain.spec)')
    .option('--device-id <id>', 'device id (config device.id)')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`)
    .option('--broker <url>', 'MQTT broker of the fleet, e.g. mqtt://127.0.0.1:1883 (config mqtt.url; --sim without it starts an embedded broker)')
    .addHelpText('after', `
Config layers, lowest first: the --sim preset, the YAML file, HASN_… environment variables
(HASN_HTTP__PORT=8081: "__" separates levels), then these flags.

Exit codes: 0 clean stop (SIGTERM/SIGINT) · 1 runtime failure · 2 invalid config or brain ·
64 bad usage · 69 unavailable (data dir locked, store unusable, HTTP port in use).`)
    .action(async (flags: AgentFlags) => {
      process.exitCode = await runAgent(flags);
    });

  const token = agent.command('token').description('API tokens (roles: viewer < operator < admin); works while the agent runs');
  // --config / --sim / --data-dir are the parent's options (`hasn agent token create --data-dir D` works too).
  token.command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'who or what uses it')
    .requiredOption('--role <role>', 'viewer, operator or admin')
    .option('--expires-days <days>', 'lifetime in days (default: until revoked)')
    .action((_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<AgentFlags & { name: string; role: string; expiresDays?: string }>();
      const days = flags.expiresDays === undefined ? undefined : Number(flags.expiresDays);
      if (days !== undefined && !(days > 0)) throw new HasnError('E_TOKEN_INVALID', `--expires-days must be a positive number, got ${flags.expiresDays}`, { path: '--expires-days' });
      const created = withStore(flags, (store) => {
        const result = store.tokens.create({ name: flags.name, role: flags.role as 'viewer', ...(days === undefined ? {} : { expiresAt: Date.now() + days * 86_400_000 }) });
        store.audit.append({ actor: 'cli', action: 'token.create', target: result.info.id, details: { role: result.info.role, name: result.info.name } });
        return result;
      });
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(`token ${created.info.id} (${created.info.role}) created; use it as "Authorization: Bearer <token>"\n`);
    });
  token.command('list')
    .description('list tokens (never their secrets)')
    .action((_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<AgentFlags>();
      const tokens = withStore(flags, (store) => store.tokens.list());
      for (const t of tokens) {
        const status = t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= Date.now() ? 'expired' : 'active';
        process.stdout.write(`${t.id}  ${t.role.padEnd(8)}  ${status.padEnd(7)}  ${t.name}\n`);
      }
    });
  token.command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'the token id (hasn_<id>_…)')
    .action((id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<AgentFlags>();
      const revoked = withStore(flags, (store) => {
        const done = store.tokens.revoke(id);
        if (done) store.audit.append({ actor: 'cli', action: 'token.revoke', target: id });
        return done;
      });
      if (!revoked) throw new HasnError('E_TOKEN_NOT_FOUND', `no active token "${id}"`, { path: 'id' });
      process.stderr.write(`token ${id} revoked\n`);
    });

  const config = program.command('config').description('the agent configuration file');
  config
    .command('check')
    .description('check an agent config file: lists every problem with its path (exit 2 when invalid)')
    .argument('<file>', 'the YAML file, e.g. /etc/hasn/agent.yaml')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const { issues } = checkConfigFile(file);
      if (opts.json === true) process.stdout.write(`${JSON.stringify({ file, valid: issues.length === 0, issues })}\n`);
      else if (issues.length === 0) process.stdout.write(`${file}: valid\n`);
      else printIssues(issues, `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
      process.exitCode = issues.length === 0 ? EXIT.OK : EXIT.INVALID_INPUT;
    });
  config
    .command('schema')
    .description('print the JSON Schema of the agent config (for editor completion)')
    .action(() => {
      process.stdout.write(agentConfigJsonSchemaText());
    });
}

