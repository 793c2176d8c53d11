// Reads the files the agent's `mqtt:` config names (CA, password, controller key) into fleet link options.
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { MqttConfig } from '../config/schema.ts';
import { loadPublicKey } from '../contract/signing.ts';

export interface LinkCredentials {
  url: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  controllerPublicKey?: KeyObject;
}

function readConfigFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new HasnError('E_CONFIG_FILE', `cannot read mqtt.${key} ${path}: ${(err as Error).message}`, { path: `mqtt.${key}`, cause: err });
  }
}

/** Throws E_CONFIG_FILE / E_KEY_INVALID with the config key at fault. */
export function loadLinkCredentials(config: MqttConfig): LinkCredentials {
  return {
    url: config.url,
    ...(config.username === undefined ? {} : { username: config.username }),
    // A password file holds the password on its first line (trailing newline ignored).
    ...(config.password_file === undefined ? {} : { password: readConfigFile(config.password_file, 'password_file').toString('utf8').split(/\r?\n/)[0] }),
    ...(config.ca_file === undefined ? {} : { ca: readConfigFile(config.ca_file, 'ca_file') }),
    ...(config.controller_public_key_file === undefined
      ? {}
      : { controllerPublicKey: loadPublicKey(readConfigFile(config.controller_public_key_file, 'controller_public_key_file').toString('utf8'), 'mqtt.controller_public_key_file') }),
  };
}
