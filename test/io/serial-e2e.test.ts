// End to end over real ptys: a sensor process streams frames through socat to a SerialLink, socat dies and comes
// back at the same path, and the link reconnects by itself. Prints frame latency percentiles (not asserted).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSerialportLink } from '../../drivers/io/serial/serialport-link.ts';
import { binaryFraming } from '../../drivers/io/serial/framing-binary.ts';
import { jsonLineFraming } from '../../drivers/io/serial/framing-lines.ts';
import type { Framing, LinkState, SerialLink } from '../../drivers/io/types.ts';
import { socatAvailable, startSocatPair, type SocatPair } from './fixtures/socat-pair.ts';

const sensorScript = fileURLToPath(new URL('./fixtures/scripted-sensor.ts', import.meta.url));
const nowMs = () => performance.timeOrigin + performance.now();
const WAIT = { timeout: 15_000, interval: 10 };

interface Received {
  seq: number;
  sentMs: number;
  receivedMs: number;
}

function parseFrame(framingName: string, frame: unknown): { seq: number; sentMs: number } {
  if (framingName === 'json-lines') {
    const { seq, sent_ms } = frame as { seq: unknown; sent_ms: unknown };
    if (typeof seq !== 'number' || typeof sent_ms !== 'number') throw new Error(`malformed frame ${JSON.stringify(frame)}`);
    return { seq, sentMs: sent_ms };
  }
  const payload = frame as Uint8Array;
  if (payload.length !== 12) throw new Error(`malformed frame of ${payload.length} bytes`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { seq: view.getUint32(0), sentMs: view.getFloat64(4) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function latencySummary(frames: Received[]): string {
  const latencies = frames.map((f) => f.receivedMs - f.sentMs).sort((a, b) => a - b);
  return `n=${latencies.length} p50=${percentile(latencies, 50).toFixed(3)} ms p99=${percentile(latencies, 99).toFixed(3)} ms`;
}

const cases: Array<[string, Framing<unknown>]> = [
  ['json-lines', jsonLineFraming() as Framing<unknown>],
  ['binary', binaryFraming() as Framing<unknown>],
];

describe.skipIf(!socatAvailable)('serial end to end over a socat pty pair (requires socat)', () => {
  let pair: SocatPair | undefined;
  let sensor: ChildProcess | undefined;
  let link: SerialLink<unknown> | undefined;

  afterEach(async () => {
    sensor?.stdin?.end();
    sensor?.kill();
    await link?.close();
    await pair?.dispose();
  });

  it.each(cases)('%s: frames from a sensor process arrive in order, and the link reconnects after socat is restarted', async (name, framing) => {
    pair = await startSocatPair();
    link = createSerialportLink(framing, { path: pair.pathA, backoff: { initialMs: 20, maxMs: 200 }, presenceCheckMs: 50 });
    const states: Array<{ state: LinkState; atMs: number }> = [];
    link.onState((state) => states.push({ state, atMs: nowMs() }));
    const received: Received[] = [];
    link.onFrame((frame) => received.push({ ...parseFrame(name, frame), receivedMs: nowMs() }));
    await link.open();

    sensor = spawn(process.execPath, ['--import', 'tsx', sensorScript, pair.pathB, name, '2'], { stdio: ['pipe', 'inherit', 'inherit'] });
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(200), WAIT);

    await pair.stop();
    await vi.waitFor(() => expect(link!.state).toBe('reconnecting'), WAIT);
    const beforeOutage = received.length;
    const lastSeqBefore = received[beforeOutage - 1].seq;

    await new Promise((resolve) => setTimeout(resolve, 150)); // stay unplugged across several reopen attempts
    await pair.start();
    await vi.waitFor(() => expect(link!.state).toBe('open'), WAIT);
    const reopenedAt = states[states.length - 1].atMs;
    await vi.waitFor(() => expect(received.length - beforeOutage).toBeGreaterThanOrEqual(200), WAIT);

    const failedAttempts = states.length - 3;
    expect(failedAttempts).toBeGreaterThanOrEqual(1);
    expect(states.map((s) => s.state)).toEqual(['open', 'reconnecting', ...Array(failedAttempts).fill('reconnecting'), 'open']);
    const seqs = received.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(received[beforeOutage].seq).toBeGreaterThan(lastSeqBefore);

    // Frames sent while the link was down were buffered by the new pty and are late by construction: excluded.
    const steadyAfter = received.slice(beforeOutage).filter((f) => f.sentMs >= reopenedAt);
    const outageMs = reopenedAt - states[1].atMs;
    console.log(
      `[serial e2e ${name}] latency before outage: ${latencySummary(received.slice(0, beforeOutage))}; ` +
        `after reconnect: ${latencySummary(steadyAfter)}; outage ${outageMs.toFixed(0)} ms, ${failedAttempts} failed reopen attempts; stats ${JSON.stringify(link.stats)}`,
    );
  });
});
