// Crash safety: a child process writing to the store as fast as it can is SIGKILLed at random moments,
// over and over, and after every kill the database must be sound and hold everything reported committed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, openStore } from '../../agent/store/index.ts';
import type { Store } from '../../agent/store/index.ts';
import { CRASH_STORE_OPTIONS } from './fixtures/crash-options.ts';
import { tempDir } from './store-fixture.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const LANES = 3; // independent child/database pairs run side by side to use both cores
const KILLS_PER_LANE = 34;
/** Share of kills aimed at a random moment from spawn, so some land while the store opens or migrates. */
const EARLY_KILL_SHARE = 0.15;
const MAX_RUN_AFTER_READY_MS = 150;

interface CommittedLog {
  snapshots: { id: number; sha256: string }[];
  configVersions: number[];
  events: number[];
  telemetry: { id: number; seq: number }[];
  audit: number[];
  maybeAcked: Set<number>;
  outboxIdsInOrder: number[];
}

/** Parses the child's side channel; a torn last line (killed mid-write) is ignored. */
function readCommittedLog(path: string): CommittedLog {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((line) => line !== '');
  const log: CommittedLog = { snapshots: [], configVersions: [], events: [], telemetry: [], audit: [], maybeAcked: new Set(), outboxIdsInOrder: [] };
  for (const line of lines) {
    const [tag, a, b] = line.split(' ');
    if (tag === 'S') log.snapshots.push({ id: Number(a), sha256: b });
    else if (tag === 'C') log.configVersions.push(Number(a));
    else if (tag === 'E') {
      log.events.push(Number(a));
      log.outboxIdsInOrder.push(Number(a));
    } else if (tag === 'T') {
      log.telemetry.push({ id: Number(a), seq: Number(b) });
      log.outboxIdsInOrder.push(Number(a));
    } else if (tag === 'L') log.audit.push(Number(a));
    else if (tag === 'A') for (const id of (a ?? '').split(',').filter((s) => s !== '')) log.maybeAcked.add(Number(id));
    else throw new Error(`unexpected side-channel line: ${line}`);
  }
  return log;
}

function expectStrictlyIncreasing(values: readonly number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1]) throw new Error(`${what} went backwards: ${values[i - 1]} then ${values[i]}`);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function outboxIds(store: Store): Set<number> {
  const ids = new Set<number>();
  for (let page = store.outbox.peek(1000); page.length > 0; page = store.outbox.peek(1000, page[page.length - 1].id)) {
    for (const message of page) ids.add(message.id);
  }
  return ids;
}

interface Counts {
  snapshotId: number;
  configVersion: number;
  auditId: number;
  droppedTelemetry: number;
}

/** Opens the killed child's database and checks everything; returns the counts to compare with next time. */
function verifyAfterKill(storeDir: string, logFile: string, bootId: string, previous: Counts, where: string): Counts {
  const store = openStore(storeDir, CRASH_STORE_OPTIONS);
  try {
    expect(store.migration.to, where).toBe(LATEST_SCHEMA_VERSION);
    expect(store.checkIntegrity(), `${where}: PRAGMA integrity_check`).toEqual([]);
    const log = readCommittedLog(logFile);

    // The side channel is written in commit order: ids only ever grow, across kills too.
    expectStrictlyIncreasing(log.snapshots.map((s) => s.id), `${where}: snapshot ids`);
    expectStrictlyIncreasing(log.configVersions, `${where}: config versions`);
    expectStrictlyIncreasing(log.outboxIdsInOrder, `${where}: outbox ids`);
    expectStrictlyIncreasing(log.telemetry.map((t) => t.seq), `${where}: telemetry seq`);
    expectStrictlyIncreasing(log.audit, `${where}: audit ids`);

    // Snapshots: nothing damaged or partial is ever offered, and the last committed one is there intact.
    const latest = store.snapshots.latestValid({ specHash: 'crash-spec' });
    expect(latest.corrupt, `${where}: corrupt snapshots`).toEqual([]);
    for (const info of store.snapshots.list()) {
      const stored = store.snapshots.get(info.id); // throws E_SNAPSHOT_CORRUPT on a hash mismatch
      expect(stored !== undefined && sha256(stored.bytes) === info.sha256 && stored.bytes.byteLength === info.size, `${where}: snapshot ${info.id}`).toBe(true);
    }
    const lastReported = log.snapshots.at(-1);
    if (lastReported !== undefined) {
      expect(latest.snapshot?.id, `${where}: latestValid`).toBeGreaterThanOrEqual(lastReported.id);
      expect(sha256(latest.snapshot!.bytes), `${where}: latestValid bytes`).toBe(latest.snapshot!.sha256);
      const stored = store.snapshots.get(lastReported.id);
      if (stored !== undefined) expect(stored.sha256, `${where}: last committed snapshot`).toBe(lastReported.sha256);
      else {
        // Retention may remove it, but only once keepLast newer snapshots are committed (seen under heavy
        // load: writers killed before they could report the ones they saved).
        const newer = store.snapshots.list().filter((info) => info.id > lastReported.id).length;
        expect(newer, `${where}: last committed snapshot ${lastReported.id} gone with only ${newer} newer`).toBeGreaterThanOrEqual(CRASH_STORE_OPTIONS.snapshotRetention?.keepLast ?? Infinity);
      }
    }

    // Config versions and audit records are never lost once committed.
    for (const version of log.configVersions) {
      const recorded = store.config.get(version);
      expect(recorded !== undefined && createHash('sha256').update(recorded.json).digest('hex') === recorded.sha256, `${where}: config ${version}`).toBe(true);
    }
    const maxAuditId = store.audit.list({ limit: 1 })[0]?.id ?? 0;
    for (const id of log.audit) expect(store.audit.list({ beforeId: id + 1, limit: 1 })[0]?.id, `${where}: audit ${id}`).toBe(id);

    // Events are never dropped: every committed one is still queued unless an ack for it was attempted.
    const queued = outboxIds(store);
    const missing = log.events.filter((id) => !log.maybeAcked.has(id) && !queued.has(id));
    expect(missing, `${where}: committed events missing from the outbox`).toEqual([]);

    // The telemetry sequence continues past every seq the child used.
    const maxSeq = log.telemetry.at(-1)?.seq ?? 0;
    expect(store.outbox.nextTelemetrySeq(bootId), `${where}: telemetry seq`).toBeGreaterThan(maxSeq);

    const counts: Counts = {
      snapshotId: latest.snapshot?.id ?? 0,
      configVersion: store.config.latestVersion(),
      auditId: maxAuditId,
      droppedTelemetry: store.outbox.stats().droppedTelemetry,
    };
    for (const key of Object.keys(counts) as (keyof Counts)[]) {
      expect(counts[key], `${where}: ${key} went backwards`).toBeGreaterThanOrEqual(previous[key]);
    }
    return counts;
  } finally {
    store.close();
  }
}

/** Children not yet reaped: a writer must never outlive the test, even one that failed or timed out. */
const liveChildren = new Set<ChildProcess>();
/** Set when a lane fails or the test ends: the other lanes stop spawning. */
let stopRequested = false;

afterAll(() => {
  stopRequested = true;
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Spawns the writer and SIGKILLs it at a random moment; resolves once it is dead. Fails if it died on its own. */
async function runAndKill(storeDir: string, logFile: string, bootId: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, storeDir, logFile, bootId], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (Math.random() < EARLY_KILL_SHARE) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
  } else {
    await Promise.race([new Promise((resolve) => child.stdout.once('data', resolve)), exited]);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_RUN_AFTER_READY_MS));
  }
  child.kill('SIGKILL');
  const { code, signal } = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the writer exited on its own (code ${code}): ${stderr}`);
}

describe('store crash safety', () => {
  it(`keeps the database sound and every committed write after ${LANES * KILLS_PER_LANE} SIGKILLs at random moments`, async () => {
    const started = performance.now();
    const lane = async (laneIndex: number): Promise<number> => {
      const dir = tempDir('hasn-crash-');
      const storeDir = join(dir, 'store');
      const logFile = join(dir, 'committed.log');
      const bootId = `crash-boot-${laneIndex}`;
      let counts: Counts = { snapshotId: 0, configVersion: 0, auditId: 0, droppedTelemetry: 0 };
      for (let kill = 1; kill <= KILLS_PER_LANE && !stopRequested; kill++) {
        await runAndKill(storeDir, logFile, bootId);
        counts = verifyAfterKill(storeDir, logFile, bootId, counts, `lane ${laneIndex} kill ${kill}`);
      }
      const log = readCommittedLog(logFile);
      return log.snapshots.length + log.configVersions.length + log.events.length + log.telemetry.length + log.audit.length;
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: LANES }, (_, i) =>
        lane(i).catch((err: unknown) => {
          stopRequested = true; // the other lanes stop at their next kill
          throw err;
        }),
      ),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const committed = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 0));
    const kills = LANES * KILLS_PER_LANE;
    const totalCommitted = committed.reduce((sum, n) => sum + n, 0);
    console.log(`crash test: ${kills} SIGKILLs, ${totalCommitted} committed writes checked, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(totalCommitted).toBeGreaterThan(kills); // the children did real work between kills
  }, 180_000);
});
