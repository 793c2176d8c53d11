// Stored brain bundles (content-addressed) and deployments with the state of every target device.
import { HasnError } from '../../core/errors.ts';
import { BrainManifest } from '../../agent/contract/transfer.ts';
import type { Bundle } from '../../agent/contract/bundle.ts';
import type { Database } from '../../agent/store/sqlite.ts';

export const DEPLOYMENT_STATES = ['running', 'succeeded', 'failed', 'rolled_back'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
export const TARGET_STATES = ['pending', 'receiving', 'applying', 'applied', 'healthy', 'failed', 'rolled_back'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export interface BundleInfo {
  id: string;
  name: string | null;
  specHash: string;
  size: number;
  source: string;
  createdAt: number;
}

export interface DeploymentTarget {
  deviceId: string;
  stage: number;
  state: TargetState;
  received: number;
  total: number;
  error: string | null;
  updatedAt: number;
}

export interface Deployment {
  id: string;
  bundleId: string;
  target: string;
  plan: unknown;
  state: DeploymentState;
  /** The stage running now (or the last one run). */
  stage: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  devices: DeploymentTarget[];
}

interface DeploymentRow {
  id: string;
  bundle_id: string;
  target: string;
  plan: string;
  state: DeploymentState;
  stage: number;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export class DeploymentStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Stores a bundle (once per content) and returns its id, the sha256 of its blob. */
  saveBundle(bundle: Bundle, source: string): string {
    this.db.transaction('full', () => {
      this.db.run('INSERT OR IGNORE INTO bundles (id, name, spec_hash, manifest, source, created_at, blob) VALUES (?, ?, ?, ?, ?, ?, ?)',
        bundle.manifest.sha256, bundle.manifest.name ?? null, bundle.manifest.specHash, JSON.stringify(bundle.manifest), source, this.now(), bundle.blob);
    });
    return bundle.manifest.sha256;
  }

  /** A bundle by id or by an unambiguous id prefix (at least 8 hex digits). */
  bundle(idOrPrefix: string): Bundle & { id: string } {
    if (!/^[0-9a-f]{8,64}$/.test(idOrPrefix)) throw new HasnError('E_BUNDLE_NOT_FOUND', `"${idOrPrefix}" is not a bundle id (8–64 hex digits)`, { path: 'bundle' });
    const rows = this.db.all<{ id: string; manifest: string; blob: Uint8Array }>("SELECT id, manifest, blob FROM bundles WHERE id LIKE ? || '%' LIMIT 2", idOrPrefix);
    if (rows.length === 0) throw new HasnError('E_BUNDLE_NOT_FOUND', `no stored bundle ${idOrPrefix}`, { path: 'bundle' });
    if (rows.length > 1) throw new HasnError('E_BUNDLE_AMBIGUOUS', `more than one bundle starts with ${idOrPrefix}; give more digits`, { path: 'bundle' });
    return { id: rows[0].id, manifest: BrainManifest.parse(JSON.parse(rows[0].manifest)), blob: rows[0].blob };
  }

  bundles(): BundleInfo[] {
    return this.db.all<{ id: string; name: string | null; spec_hash: string; size: number; source: string; created_at: number }>(
      "SELECT id, name, spec_hash, json_extract(manifest, '$.size') AS size, source, created_at FROM bundles ORDER BY created_at DESC",
    ).map((r) => ({ id: r.id, name: r.name, specHash: r.spec_hash, size: r.size, source: r.source, createdAt: r.created_at }));
  }

  createDeployment(input: { id: string; bundleId: string; target: string; plan: unknown; stages: string[][] }): void {
    const at = this.now();
    this.db.transaction('full', () => {
      this.db.run("INSERT INTO deployments (id, bundle_id, target, plan, state, stage, created_at, updated_at) VALUES (?, ?, ?, ?, 'running', 0, ?, ?)",
        input.id, input.bundleId, input.target, JSON.stringify(input.plan), at, at);
      input.stages.forEach((devices, stage) => {
        for (const deviceId of devices) {
          this.db.run("INSERT INTO deployment_devices (deployment_id, device_id, stage, state, updated_at) VALUES (?, ?, ?, 'pending', ?)", input.id, deviceId, stage, at);
        }
      });
    });
  }

  setDeploymentState(id: string, state: DeploymentState, stage: number, error: string | null = null): void {
    this.db.transaction('full', () => {
      this.db.run('UPDATE deployments SET state = ?, stage = ?, error = ?, updated_at = ? WHERE id = ?', state, stage, error, this.now(), id);
    });
  }

  setTargetState(id: string, deviceId: string, state: TargetState, progress: { received?: number; total?: number; error?: string | null } = {}): void {
    this.db.transaction('normal', () => {
      this.db.run(
        'UPDATE deployment_devices SET state = ?, received = coalesce(?, received), total = coalesce(?, total), error = ?, updated_at = ? WHERE deployment_id = ? AND device_id = ?',
        state, progress.received ?? null, progress.total ?? null, progress.error ?? null, this.now(), id, deviceId,
      );
    });
  }

  deployment(id: string): Deployment {
    const row = this.db.get<DeploymentRow>('SELECT * FROM deployments WHERE id = ?', id);
    if (row === undefined) throw new HasnError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${id}`, { path: 'deployment' });
    return this.withDevices(row);
  }

  /** Newest first. */
  listDeployments(limit = 20): Deployment[] {
    return this.db.all<DeploymentRow>('SELECT * FROM deployments ORDER BY created_at DESC, id DESC LIMIT ?', limit).map((row) => this.withDevices(row));
  }

  private withDevices(row: DeploymentRow): Deployment {
    const devices = this.db.all<{ device_id: string; stage: number; state: TargetState; received: number; total: number; error: string | null; updated_at: number }>(
      'SELECT device_id, stage, state, received, total, error, updated_at FROM deployment_devices WHERE deployment_id = ? ORDER BY stage, device_id', row.id,
    ).map((d) => ({ deviceId: d.device_id, stage: d.stage, state: d.state, received: d.received, total: d.total, error: d.error, updatedAt: d.updated_at }));
    return {
      id: row.id,
      bundleId: row.bundle_id,
      target: row.target,
      plan: JSON.parse(row.plan) as unknown,
      state: row.state,
      stage: row.stage,
      error: row.error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      devices,
    };
  }
}
