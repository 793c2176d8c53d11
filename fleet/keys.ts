// The controller's Ed25519 signing key pair on disk: <data-dir>/keys/controller.key (0600) and controller.pub.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HasnError } from '../core/errors.ts';
import { generateSigningKeyPem, loadSigningKeys } from '../agent/contract/signing.ts';
import type { SigningKeys } from '../agent/contract/signing.ts';

export function keyPaths(dataDir: string): { privateKey: string; publicKey: string } {
  return { privateKey: join(dataDir, 'keys', 'controller.key'), publicKey: join(dataDir, 'keys', 'controller.pub') };
}

/** Creates the key pair; refuses to overwrite one (devices trust its public half) unless `force`. */
export function initKeys(dataDir: string, force = false): { privateKey: string; publicKey: string; keyId: string } {
  const paths = keyPaths(dataDir);
  if (existsSync(paths.privateKey) && !force) {
    throw new HasnError('E_KEYS_EXIST', `${paths.privateKey} exists; devices trust its public key. Use --force to replace it (then re-provision every device)`, { path: paths.privateKey });
  }
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const { privatePem, publicPem } = generateSigningKeyPem();
  writeFileSync(paths.privateKey, privatePem, { mode: 0o600 });
  chmodSync(paths.privateKey, 0o600);
  writeFileSync(paths.publicKey, publicPem, { mode: 0o644 });
  return { ...paths, keyId: loadSigningKeys(privatePem).keyId };
}

/** The key pair, or undefined when `keys init` was never run. */
export function loadKeys(dataDir: string): SigningKeys | undefined {
  const { privateKey } = keyPaths(dataDir);
  if (!existsSync(privateKey)) return undefined;
  return loadSigningKeys(readFileSync(privateKey, 'utf8'), privateKey);
}
