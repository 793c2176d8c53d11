// `hasn fleet …`: the fleet controller (`hasn fleet --dev`), registry, groups, keys, config, commands, deployments, pulls.
//
// Every subcommand takes the fleet options (--data-dir, --broker, --ca-file, --username, --password-file) before
// or after its name; the broker defaults to the one `hasn fleet --dev` recorded in <data-dir>/fleet.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { HasnError } from '../../core/errors.ts';
import { parseYamlDocument } from '../../agent/config/yaml.ts';
import { createLogger } from '../../agent/log.ts';
import type { Logger } from '../../agent/log.ts';
import { resolveBundle } from '../../fleet/bundle-source.ts';
import { FleetController } from '../../fleet/controller.ts';
import { startFleetDaemon } from '../../fleet/daemon.ts';
import { parseHealthGate, parseStep } from '../../fleet/deploy/plan.ts';
import { DEFAULT_PLAN, newDeploymentId, rollbackDeployment, runRollout } from '../../fleet/deploy/rollout.ts';
import { DeploySender } from '../../fleet/deploy/transfer.ts';
import { initKeys, loadKeys } from '../../fleet/keys.ts';
import { pullBrain } from '../../fleet/pull.ts';
import { brokerSettings } from '../../fleet/settings.ts';
import type { BrokerFlags } from '../../fleet/settings.ts';
import { FleetStore } from '../../fleet/store/fleet-store.ts';
import type { Deployment } from '../../fleet/store/deployment-store.ts';
import { deviceView } from '../../fleet/web/server.ts';
import { EXIT } from '../exit-codes.ts';

const DEFAULT_DATA_DIR = './fleet-data';

interface FleetFlags extends BrokerFlags {
  dataDir?: string;
  dev?: boolean;
  brokerPort?: string;
  httpPort?: string;
  httpHost?: string;
  logLevel?: string;
}

function fleetFlags(command: Command): FleetFlags & { dataDir: string } {
  const flags = command.optsWithGlobals<FleetFlags>();
  return { ...flags, dataDir: flags.dataDir ?? DEFAULT_DATA_DIR };
}

function parsePort(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new HasnError('E_USAGE_PORT', `${flag} must be a port number 0–65535, got "${text}"`, { path: flag });
  return Number(text);
}

/** "500ms", "10s", "2m", or a number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new HasnError('E_USAGE_DURATION', `${flag} must be a duration like 500ms, 10s or 2m, got "${text}"`, { path: flag });
  const value = Number(match[1]);
  return Math.round(match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000);
}

/** Errors that mean "the broker or the device did not answer" rather than bad input (exit 69, not 2). */
const UNAVAILABLE_CODES = new Set(['E_FLEET_OFFLINE', 'E_COMMAND_TIMEOUT', 'E_PULL_INCOMPLETE']);

/** Runs `action` with a one-off controller connected to the broker, then disconnects. */
async function withController<T>(command: Command, action: (controller: FleetController, log: Logger) => Promise<T>): Promise<T> {
  const flags = fleetFlags(command);
  const log = createLogger({ level: (flags.logLevel as 'info') ?? 'warn', base: { component: 'fleet-cli' } });
  const store = FleetStore.open(flags.dataDir);
  const keys = loadKeys(flags.dataDir);
  const controller = new FleetController({ ...brokerSettings(flags.dataDir, flags), store, ...(keys === undefined ? {} : { keys }), log }).start();
  try {
    await controller.waitConnected(10_000);
    return await action(controller, log);
  } catch (err) {
    if (err instanceof HasnError && UNAVAILABLE_CODES.has(err.code)) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      process.exitCode = EXIT.UNAVAILABLE;
      throw new FleetUnavailable();
    }
    throw err;
  } finally {
    await controller.stop();
    store.close();
  }
}

/** Thrown after an "unavailable" error was reported and the exit code set: the action just stops. */
class FleetUnavailable extends Error {}

/** Wraps an action so that a reported FleetUnavailable ends it quietly (exit code already set). */
function quietly<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      if (!(err instanceof FleetUnavailable)) throw err;
    }
  };
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const { value, issues } = path.endsWith('.json') ? { value: JSON.parse(text) as unknown, issues: [] } : parseYamlDocument(text, path);
  if (issues.length > 0) throw new HasnError('E_CONFIG_YAML', `${path} is not valid YAML`, { path, issues });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HasnError('E_CONFIG_INVALID', `${path} must hold a config object`, { path });
  return value as Record<string, unknown>;
}

function targetsOf(store: FleetStore, options: { group?: string; devices?: string; all?: boolean }): { target: string; devices: string[] } {
  const chosen = [options.group, options.devices, options.all].filter((o) => o !== undefined && o !== false).length;
  if (chosen !== 1) throw new HasnError('E_USAGE_TARGET', 'name the target with exactly one of --group G, --devices a,b or --all', { path: '--group' });
  if (options.all === true) return { target: 'all', devices: store.devices().map((d) => d.id) };
  if (options.devices !== undefined) return { target: 'devices', devices: options.devices.split(',').map((d) => d.trim()).filter((d) => d.length > 0) };
  const devices = store.groupMembers(options.group!);
  if (devices.length === 0) throw new HasnError('E_GROUP_EMPTY', `group ${options.group} has no devices (hasn fleet group add ${options.group} DEVICE…)`, { path: '--group' });
  return { target: `group ${options.group}`, devices };
}

function summarize(deployment: Deployment): string {
  const counts: Record<string, number> = {};
  for (const d of deployment.devices) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return `deployment ${deployment.id}: ${deployment.state} (stage ${deployment.stage}) ${Object.entries(counts).map(([s, n]) => `${s}=${n}`).join(' ')}${deployment.error === null ? '' : `\n  ${deployment.error}`}`;
}

function brokerRecord(url: string, flags: BrokerFlags): { url: string; ca_file?: string; username?: string; password_file?: string } {
  const absolute = (path: string): string => resolve(path);
  return {
    url,
    ...(flags.caFile === undefined ? {} : { ca_file: absolute(flags.caFile) }),
    ...(flags.username === undefined ? {} : { username: flags.username }),
    ...(flags.passwordFile === undefined ? {} : { password_file: absolute(flags.passwordFile) }),
  };
}

async function runDaemon(flags: FleetFlags & { dataDir: string }): Promise<number> {
  const log = createLogger({ level: (flags.logLevel as 'info') ?? 'info', base: { component: 'fleet' } });
  const http = { host: flags.httpHost ?? '127.0.0.1', port: flags.httpPort === undefined ? 8090 : parsePort(flags.httpPort, '--http-port') };
  const daemon = await startFleetDaemon({
    dataDir: flags.dataDir,
    ...(flags.dev === true
      ? { dev: { brokerPort: flags.brokerPort === undefined ? 1883 : parsePort(flags.brokerPort, '--broker-port') } }
      : { broker: brokerSettings(flags.dataDir, flags), ...(flags.broker === undefined ? {} : { brokerRecord: brokerRecord(flags.broker, flags) }) }),
    http,
    log,
  });
  process.stderr.write(`\n  HASN fleet controller${flags.dev === true ? ' (dev: embedded broker)' : ''}\n  broker: ${daemon.brokerUrl}\n  web:    ${daemon.httpUrl}\n  data:   ${flags.dataDir}\n  join:   hasn agent --sim --broker ${daemon.brokerUrl}\n\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await daemon.stop();
  return EXIT.OK;
}

export function register(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('the fleet controller: `hasn fleet --dev` runs it with an embedded broker; subcommands manage devices')
    .option('--data-dir <dir>', `controller data (registry, keys, bundles) (default: ${DEFAULT_DATA_DIR})`)
    .option('--broker <url>', 'MQTT broker URL (default: the one recorded by `hasn fleet --dev` in the data dir)')
    .option('--ca-file <file>', 'CA certificate of the broker (mqtts://)')
    .option('--username <name>', "the controller's broker user")
    .option('--password-file <file>', "file holding the controller's broker password")
    .option('--log-level <level>', 'trace … fatal, silent')
    .option('--dev', 'run with an embedded MQTT broker (aedes) on 127.0.0.1')
    .option('--broker-port <port>', 'port of the embedded broker (default 1883)')
    .option('--http-port <port>', 'port of the web page (default 8090)')
    .option('--http-host <host>', 'address of the web page (default 127.0.0.1)')
    .configureHelp({ showGlobalOptions: true })
    .action(async (_opts: unknown, command: Command) => {
      process.exitCode = await runDaemon(fleetFlags(command));
    });

  fleet
    .command('devices')
    .description('list the registry (state from retained status and birth messages)')
    .option('--json', 'print JSON: an array of devices, each with id and state')
    .option('--group <group>', 'only this group')
    .action((opts: { json?: boolean; group?: string }, command: Command) => {
      const store = FleetStore.open(fleetFlags(command).dataDir);
      try {
        const members = opts.group === undefined ? undefined : new Set(store.groupMembers(opts.group));
        const devices = (deviceView(store) as { id: string; state: string; backend: string | null; specHash: string | null; configVersion: number | null; lastSeen: number; reason: string | null }[])
          .filter((d) => members === undefined || members.has(d.id));
        if (opts.json === true) return print(devices);
        if (devices.length === 0) return void process.stdout.write('no devices yet\n');
        for (const d of devices) {
          process.stdout.write(`${d.id.padEnd(24)} ${d.state.padEnd(9)} ${(d.backend ?? '-').padEnd(10)} brain ${(d.specHash ?? '-').slice(0, 12).padEnd(12)} config ${d.configVersion ?? '-'}  seen ${new Date(d.lastSeen).toISOString()}${d.reason === null ? '' : `  (${d.reason})`}\n`);
        }
      } finally {
        store.close();
      }
    });

  const group = fleet.command('group').description('device groups (targets of config and deployments)');
  group.command('add').argument('<group>').argument('<devices...>').action((name: string, devices: string[], _o: unknown, command: Command) => {
    const store = FleetStore.open(fleetFlags(command).dataDir);
    try {
      store.addToGroup(name, devices);
      process.stdout.write(`${name}: ${store.groupMembers(name).join(' ')}\n`);
    } finally {
      store.close();
    }
  });
  group.command('remove').argument('<group>').argument('<devices...>').action((name: string, devices: string[], _o: unknown, command: Command) => {
    const store = FleetStore.open(fleetFlags(command).dataDir);
    try {
      store.removeFromGroup(name, devices);
      process.stdout.write(`${name}: ${store.groupMembers(name).join(' ')}\n`);
    } finally {
      store.close();
    }
  });
  group.command('list').action((_o: unknown, command: Command) => {
    const store = FleetStore.open(fleetFlags(command).dataDir);
    try {
      for (const g of store.groups()) process.stdout.write(`${g.name}: ${store.groupMembers(g.name).join(' ')}\n`);
    } finally {
      store.close();
    }
  });

  fleet
    .command('keys')
    .description('controller signing keys')
    .command('init')
    .description('create the Ed25519 key pair that signs commands, configs and deployments')
    .option('--force', 'replace an existing key pair (every device must then get the new public key)')
    .action((opts: { force?: boolean }, command: Command) => {
      const created = initKeys(fleetFlags(command).dataDir, opts.force === true);
      process.stdout.write(`key ${created.keyId}\n  private: ${created.privateKey}\n  public:  ${created.publicKey}  (provision as mqtt.controller_public_key_file on every device)\n`);
    });

  fleet
    .command('config')
    .description('desired device configs')
    .command('set')
    .description('publish a signed, retained desired config (YAML or JSON file) to a device or a group')
    .argument('[device]', 'the device (or use --group)')
    .argument('<file>', 'the config file')
    .option('--group <group>', 'every device of this group')
    .action(quietly(async (device: string | undefined, file: string, opts: { group?: string }, command: Command) => {
      const config = readConfigFile(file);
      await withController(command, async (controller) => {
        const devices = opts.group !== undefined ? controller.store.groupMembers(opts.group) : device !== undefined ? [device] : [];
        if (devices.length === 0) throw new HasnError('E_USAGE_TARGET', 'name a device or a non-empty --group', { path: 'device' });
        for (const id of devices) {
          const version = await controller.setConfig(id, { ...config, device: { ...(config.device as object | undefined), id } });
          process.stdout.write(`${id}: desired config version ${version} published\n`);
        }
      });
    }));

  fleet
    .command('cmd')
    .description('send a command and print the response (signed unless it only reads)')
    .argument('<device>')
    .argument('<name>', 'status | snapshot | restore | set-backend | restart | reward | rollback')
    .option('--args <json>', 'arguments as JSON, e.g. \'{"value": 1}\'', '{}')
    .option('--timeout <duration>', 'how long to wait for the answer', '15s')
    .action(quietly(async (device: string, name: string, opts: { args: string; timeout: string }, command: Command) => {
      let args: unknown;
      try {
        args = JSON.parse(opts.args);
      } catch (err) {
        throw new HasnError('E_USAGE_ARGS', `--args is not JSON: ${(err as Error).message}`, { path: '--args' });
      }
      const response = await withController(command, (controller) => controller.command(device, name, args as Record<string, unknown>, parseDuration(opts.timeout, '--timeout')));
      print(response);
      process.exitCode = response.ok ? EXIT.OK : EXIT.FAILURE;
    }));

  fleet
    .command('deploy')
    .description('staged brain rollout: canary → steps → all, each stage gated on health; a failing stage is rolled back')
    .argument('<bundle>', 'a stored bundle id (or prefix), or a spec JSON file')
    .option('--snapshot <file>', 'with a spec file: the brain state to deploy with it')
    .option('--group <group>', 'deploy to this group')
    .option('--devices <ids>', 'deploy to these devices (comma-separated)')
    .option('--all', 'deploy to every known device')
    .option('--canary <n>', 'devices in the first stage', String(DEFAULT_PLAN.canary))
    .option('--step <size>', 'devices per later stage: a percentage of the target (25%) or a count', '25%')
    .option('--health-gate <conditions...>', 'metric conditions each device must meet after applying, e.g. engine.lag_ms<50 spikes.rate_hz>0')
    .option('--soak <duration>', 'how long devices must stay online before the gate is judged', '10s')
    .option('--stage-timeout <duration>', 'a stage that has not passed by then fails', '2m')
    .option('--json', 'print the final deployment as JSON')
    .action(quietly(async (source: string, opts: { snapshot?: string; group?: string; devices?: string; all?: boolean; canary: string; step: string; healthGate?: string[]; soak: string; stageTimeout: string; json?: boolean }, command: Command) => {
      const canary = Number(opts.canary);
      const plan = {
        ...DEFAULT_PLAN,
        canary,
        step: parseStep(opts.step),
        gate: parseHealthGate(opts.healthGate ?? []),
        soakMs: parseDuration(opts.soak, '--soak'),
        stageTimeoutMs: parseDuration(opts.stageTimeout, '--stage-timeout'),
      };
      const deployment = await withController(command, async (controller, log) => {
        const bundleId = resolveBundle(controller.store, source, opts.snapshot);
        const { target, devices } = targetsOf(controller.store, opts);
        const sender = new DeploySender(controller, log);
        const id = newDeploymentId(Date.now());
        process.stderr.write(`deploying bundle ${bundleId.slice(0, 12)} to ${devices.length} device(s) (${target}) as ${id}\n`);
        const progress = setInterval(() => process.stderr.write(`  ${summarize(controller.store.deployments.deployment(id))}\n`), 2000);
        try {
          return await runRollout(controller, sender, { deploymentId: id, bundleId, devices, plan: { ...plan, target }, log });
        } finally {
          clearInterval(progress);
        }
      });
      if (opts.json === true) print(deployment);
      else process.stdout.write(`${summarize(deployment)}\n`);
      process.exitCode = deployment.state === 'succeeded' ? EXIT.OK : EXIT.FAILURE;
    }));

  fleet
    .command('rollback')
    .description('every device that applied a deployment goes back to its previous brain')
    .argument('<deployment>')
    .action(quietly(async (id: string, _o: unknown, command: Command) => {
      const deployment = await withController(command, (controller, log) => rollbackDeployment(controller, id, log));
      process.stdout.write(`${summarize(deployment)}\n`);
      process.exitCode = deployment.error === null ? EXIT.OK : EXIT.FAILURE;
    }));

  fleet
    .command('pull')
    .description("bring a device's running brain (spec + fresh snapshot) into the store, to deploy it elsewhere")
    .argument('<device>')
    .action(quietly(async (device: string, _o: unknown, command: Command) => {
      const outcome = await withController(command, (controller) => pullBrain(controller, device));
      process.stdout.write(`bundle ${outcome.bundleId}\n  spec ${outcome.manifest.specHash}  ${outcome.manifest.size} bytes in ${outcome.manifest.chunks.length} chunks${outcome.rerequested > 0 ? ` (${outcome.rerequested} asked for again)` : ''}\n  deploy it: hasn fleet deploy ${outcome.bundleId.slice(0, 12)} --group G\n`);
    }));

  fleet
    .command('bundles')
    .description('stored brain bundles')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, command: Command) => {
      const store = FleetStore.open(fleetFlags(command).dataDir);
      try {
        const bundles = store.deployments.bundles();
        if (opts.json === true) return print(bundles);
        for (const b of bundles) process.stdout.write(`${b.id.slice(0, 12)}  ${(b.name ?? '-').padEnd(20)} spec ${b.specHash.slice(0, 12)}  ${b.size} B  from ${b.source}\n`);
      } finally {
        store.close();
      }
    });

  fleet
    .command('deployments')
    .description('recent deployments and the state of each target')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, command: Command) => {
      const store = FleetStore.open(fleetFlags(command).dataDir);
      try {
        const deployments = store.deployments.listDeployments(20);
        if (opts.json === true) return print(deployments);
        for (const d of deployments) process.stdout.write(`${summarize(d)}\n`);
      } finally {
        store.close();
      }
    });
}
