// FramedLink behaviour that needs a controlled clock: backoff schedule, stale-frame expiry, listener isolation.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { backoffDelayMs } from '../../drivers/io/serial/backoff.ts';
import { createFakeSerialCable } from '../../drivers/io/serial/fake-link.ts';
import { binaryFraming } from '../../drivers/io/serial/framing-binary.ts';
import { lineFraming } from '../../drivers/io/serial/framing-lines.ts';
import type { LinkStateDetail, LinkState } from '../../drivers/io/types.ts';

/** Lets queued setImmediate deliveries and promise continuations run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('reconnect backoff', () => {
  it('doubles from initialMs and stops growing at maxMs (no jitter)', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, options, 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads each delay by ±jitter and never exceeds maxMs', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 };
    expect(backoffDelayMs(1, options, 0)).toBeCloseTo(80);
    expect(backoffDelayMs(1, options, 0.999999)).toBeCloseTo(120);
    expect(backoffDelayMs(10, options, 0.999999)).toBe(1000);
  });
});

describe('FramedLink on a manual clock', () => {
  it('retries the reopen on the backoff schedule and reports each failed attempt', async () => {
    const clock = new ManualClock();
    const cable = createFakeSerialCable(lineFraming(), { clock, random: () => 0.5, backoff: { initialMs: 100, maxMs: 400, jitter: 0 } });
    const seen: Array<[LinkState, LinkStateDetail]> = [];
    cable.b.onState((state, detail) => seen.push([state, detail]));
    await cable.b.open();
    cable.unplug();
    await settle();
    expect(cable.b.state).toBe('reconnecting');

    clock.advance(99);
    await settle();
    expect(seen.map(([, d]) => d.attempt)).toEqual([0, 0]); // open, then reconnecting (attempt 0)
    clock.advance(1); // t=100: attempt 1 fails
    await settle();
    clock.advance(200); // t=300: attempt 2 fails
    await settle();
    clock.advance(400); // t=700: attempt 3 fails
    await settle();
    expect(seen.map(([s, d]) => `${s}:${d.attempt}`)).toEqual(['open:0', 'reconnecting:0', 'reconnecting:1', 'reconnecting:2', 'reconnecting:3']);
    expect(seen[2][1].error?.message).toMatch(/unplugged/);

    cable.replug();
    clock.advance(400); // t=1100: attempt 4 succeeds
    await settle();
    expect(cable.b.state).toBe('open');
    expect(seen.at(-1)).toEqual(['open', { attempt: 0 }]);
  });

  it('gives up on a frame held back by a false header once the sender is quiet for staleFrameMs', async () => {
    const clock = new ManualClock();
    const framing = binaryFraming({ maxPayload: 512 });
    const cable = createFakeSerialCable(framing, { clock, staleFrameMs: 50 });
    const frames: Uint8Array[] = [];
    cable.b.onFrame((frame) => frames.push(frame));
    await cable.a.open();
    await cable.b.open();
    cable.inject('b', Uint8Array.of(0xa5, 0x01, 0x00)); // claims a 256-byte payload that never comes
    await cable.a.write(Uint8Array.of(1, 2, 3));
    await settle();
    expect(frames).toEqual([]);
    clock.advance(50);
    expect(frames).toEqual([Uint8Array.of(1, 2, 3)]);
    expect(cable.b.stats.truncated).toBe(1);
  });

  it('keeps delivering to other listeners when one throws, and reports the exception', async () => {
    const errors: unknown[] = [];
    const cable = createFakeSerialCable(lineFraming(), { onListenerError: (error) => errors.push(error) });
    const received: string[] = [];
    cable.b.onFrame(() => {
      throw new Error('listener bug');
    });
    cable.b.onFrame((line) => received.push(line));
    await cable.a.open();
    await cable.b.open();
    await cable.a.write('one');
    await cable.a.write('two');
    await settle();
    await settle();
    expect(received).toEqual(['one', 'two']);
    expect(errors).toHaveLength(2);
  });

  it('drops a partial frame received before an outage instead of gluing it to bytes after it', async () => {
    const clock = new ManualClock();
    const cable = createFakeSerialCable(lineFraming(), { clock, backoff: { initialMs: 10, jitter: 0 } });
    const lines: string[] = [];
    cable.b.onFrame((line) => lines.push(line));
    await cable.a.open();
    await cable.b.open();
    cable.inject('b', new TextEncoder().encode('{"seq":1, "trunc'));
    await settle();
    cable.unplug();
    await settle();
    cable.replug();
    clock.advance(10);
    await settle();
    clock.advance(10);
    await settle();
    expect(cable.a.state).toBe('open');
    expect(cable.b.state).toBe('open');
    await cable.a.write('after');
    await settle();
    expect(lines).toEqual(['after']);
  });
});
