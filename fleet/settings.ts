// Where the controller finds its broker: <data-dir>/fleet.json (written by `hasn fleet --dev` / `serve`), overridable by flags.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HasnError } from '../core/errors.ts';
import type { BrokerSettings } from './controller.ts';

export const FleetSettingsFile = z.strictObject({
  broker: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?):\/\/.+/, 'an MQTT URL'),
    ca_file: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password_file: z.string().min(1).optional(),
  }),
  /** The web page of the running controller. */
  http: z.strictObject({ url: z.string() }).optional(),
});
export type FleetSettingsFile = z.infer<typeof FleetSettingsFile>;

export interface BrokerFlags {
  broker?: string;
  caFile?: string;
  username?: string;
  passwordFile?: string;
}

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'fleet.json');
}

export function readSettings(dataDir: string): FleetSettingsFile | undefined {
  const path = settingsPath(dataDir);
  if (!existsSync(path)) return undefined;
  const parsed = FleetSettingsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new HasnError('E_FLEET_SETTINGS', `${path} is invalid: ${parsed.error.issues[0]?.message}`, { path });
  return parsed.data;
}

export function writeSettings(dataDir: string, settings: FleetSettingsFile): void {
  writeFileSync(settingsPath(dataDir), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new HasnError('E_FLEET_SETTINGS', `cannot read ${flag} ${path}: ${(err as Error).message}`, { path: flag, cause: err });
  }
}

/** Broker settings from flags, else from <data-dir>/fleet.json; E_FLEET_NO_BROKER when neither names one. */
export function brokerSettings(dataDir: string, flags: BrokerFlags): BrokerSettings {
  const file = readSettings(dataDir)?.broker;
  const url = flags.broker ?? file?.url;
  if (url === undefined) {
    throw new HasnError('E_FLEET_NO_BROKER', `no broker: pass --broker URL, or run \`hasn fleet --dev --data-dir ${dataDir}\` (it records its broker in ${settingsPath(dataDir)})`, { path: '--broker' });
  }
  const caFile = flags.caFile ?? file?.ca_file;
  const passwordFile = flags.passwordFile ?? file?.password_file;
  const username = flags.username ?? file?.username;
  return {
    url,
    ...(username === undefined ? {} : { username }),
    ...(passwordFile === undefined ? {} : { password: readFile(passwordFile, '--password-file').toString('utf8').split(/\r?\n/)[0] }),
    ...(caFile === undefined ? {} : { ca: readFile(caFile, '--ca-file') }),
  };
}
