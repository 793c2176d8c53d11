// Brain snapshots in the agent: periodic, on demand and at shutdown into the store; the newest valid one at start.
import { HasnError } from '../../core/errors.ts';
import type { IoClock, Unsubscribe } from '../../drivers/io/types.ts';
import type { Snapshot, SnapshotInfo, SnapshotReason, SnapshotStore } from '../store/index.ts';
import type { SnapshotConfig } from '../config/schema.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { AgentRuntime } from './runtime.ts';

export class SnapshotService {
  private cancelTimer: Unsubscribe | undefined;
  /** Wall time (ms since the epoch) of the newest snapshot this process knows of. */
  private lastAt: number | null;
  /** Snapshots kept in the store (tracked here so status never needs the store, e.g. during shutdown). */
  private count: number;

  constructor(
    private readonly store: SnapshotStore,
    private readonly runtime: AgentRuntime,
    private readonly config: SnapshotConfig,
    private readonly clock: IoClock,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {
    const stored = store.list();
    this.lastAt = stored[0]?.createdAt ?? null;
    this.count = stored.length;
  }

  /** Stores the running brain's state now; null when there is no brain. */
  take(reason: SnapshotReason): SnapshotInfo | null {
    const brain = this.runtime.brain;
    if (brain === null) return null;
    const bytes = brain.snapshot();
    const { snapshot, pruned } = this.store.save(bytes, { specHash: brain.specHash, step: brain.step, reason });
    this.lastAt = snapshot.createdAt;
    this.count += 1 - pruned.length;
    this.log.info({ snapshot: snapshot.id, reason, step: snapshot.step, bytes: snapshot.size, pruned }, `snapshot ${snapshot.id} stored (${reason}, step ${snapshot.step})`);
    this.events.emit('snapshot', { id: snapshot.id, reason, step: snapshot.step, sha256: snapshot.sha256 });
    return snapshot;
  }

  /**
   * Snapshots of this spec to try at start, newest first. Damaged ones (sha256 mismatch) are logged and skipped;
   * the caller moves on to the next when one cannot be restored, so one bad snapshot does not throw away the rest.
   */
  *candidatesFor(specHash: string): Generator<Snapshot> {
    for (const info of this.store.list()) {
      if (info.specHash !== specHash) continue;
      let snapshot: Snapshot | undefined;
      try {
        snapshot = this.store.get(info.id);
      } catch (err) {
        this.log.error({ snapshot: info.id, err }, `snapshot ${info.id} is damaged (${(err as Error).message}); skipped`);
        continue;
      }
      if (snapshot !== undefined) yield snapshot;
    }
  }

  /** A stored snapshot by id; E_SNAPSHOT_NOT_FOUND / E_SNAPSHOT_CORRUPT otherwise. */
  get(id: number): Snapshot {
    const snapshot = this.store.get(id);
    if (snapshot === undefined) throw new HasnError('E_SNAPSHOT_NOT_FOUND', `no snapshot ${id}`, { path: 'id' });
    return snapshot;
  }

  list(): SnapshotInfo[] {
    return this.store.list();
  }

  /** How many snapshots the store keeps. */
  get stored(): number {
    return this.count;
  }

  /** Seconds since the newest snapshot (null before the first). */
  ageSeconds(nowMs = Date.now()): number | null {
    return this.lastAt === null ? null : Math.max(0, (nowMs - this.lastAt) / 1000);
  }

  startPeriodic(): void {
    if (this.config.interval_s <= 0 || this.cancelTimer !== undefined) return;
    const arm = () => {
      this.cancelTimer = this.clock.setTimer(this.config.interval_s * 1000, () => {
        try {
          this.take('periodic');
        } catch (err) {
          this.log.error({ err }, `periodic snapshot failed: ${(err as Error).message}`);
        }
        if (this.cancelTimer !== undefined) arm();
      });
    };
    arm();
  }

  stopPeriodic(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
