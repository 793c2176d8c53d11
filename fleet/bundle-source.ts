// Where `hasn fleet deploy BUNDLE` gets its brain: a stored bundle id (or prefix), or a spec file (+ snapshot file).
import { existsSync, readFileSync } from 'node:fs';
import { HasnError } from '../core/errors.ts';
import { buildBundle } from '../agent/contract/bundle.ts';
import type { FleetStore } from './store/fleet-store.ts';

/** Returns the id of the stored bundle, importing the files first when `source` is a path. */
export function resolveBundle(store: FleetStore, source: string, snapshotFile?: string): string {
  if (!existsSync(source)) {
    if (snapshotFile !== undefined) throw new HasnError('E_BUNDLE_NOT_FOUND', `spec file ${source} does not exist`, { path: 'BUNDLE' });
    return store.deployments.bundle(source).id;
  }
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(source, 'utf8'));
  } catch (err) {
    throw new HasnError('E_BUNDLE_SPEC_INVALID', `${source} is not JSON: ${(err as Error).message}`, { path: source, cause: err });
  }
  const snapshot = snapshotFile === undefined ? null : readFileSync(snapshotFile);
  const name = typeof (spec as { name?: unknown }).name === 'string' ? (spec as { name: string }).name : undefined;
  const bundle = buildBundle({ spec, snapshot, ...(name === undefined ? {} : { name }) });
  return store.deployments.saveBundle(bundle, `file:${source}`);
}
