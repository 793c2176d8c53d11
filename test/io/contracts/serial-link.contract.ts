// The SerialLink contract: every implementation (fake cable, serialport on a pty pair, mock binding, real port) passes it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { binaryFraming } from '../../../drivers/io/serial/framing-binary.ts';
import { jsonLineFraming } from '../../../drivers/io/serial/framing-lines.ts';
import type { Framing, LinkState, SerialLink } from '../../../drivers/io/types.ts';

/**
 * Two ends of one connection. `a` sends, `b` receives; for a loopback device (TX wired to RX) they are the same
 * link. Optional capabilities enable the tests that need them; the others are reported as skipped.
 */
export interface SerialLinkHarness<F> {
  a: SerialLink<F>;
  b: SerialLink<F>;
  /** Raw bytes arriving at `b` as if sent from the other side. */
  injectIntoB?(bytes: Uint8Array): Promise<void>;
  /** The device disappears for both ends. */
  unplug?(): Promise<void>;
  /** The device is back at the same path. */
  replug?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface SerialLinkSubject {
  /** A fresh connection (links not yet opened). */
  connect<F>(framing: Framing<F>): Promise<SerialLinkHarness<F>>;
  /** A link whose device does not exist. */
  missing<F>(framing: Framing<F>): SerialLink<F>;
  capabilities: { inject: boolean; unplug: boolean };
}

interface FramingCase<F> {
  framing: Framing<F>;
  maxFrame: F;
  tooLong: F;
  frame(i: number): F;
}

const MAX_PAYLOAD = 256;
const cases: Array<FramingCase<Uint8Array> | FramingCase<unknown>> = [
  {
    framing: binaryFraming({ maxPayload: MAX_PAYLOAD }),
    maxFrame: Uint8Array.from({ length: MAX_PAYLOAD }, (_, i) => (i * 7 + 0xa5) & 0xff),
    tooLong: new Uint8Array(MAX_PAYLOAD + 1),
    frame: (i) => Uint8Array.of(i & 0xff, 0xa5, (i >> 8) & 0xff, 0x0a),
  },
  {
    framing: jsonLineFraming({ maxLineBytes: MAX_PAYLOAD }),
    maxFrame: { pad: 'p'.repeat(MAX_PAYLOAD - 10) },
    tooLong: { pad: 'p'.repeat(MAX_PAYLOAD) },
    frame: (i) => ({ seq: i, text: 'line\nwith escapes' }),
  },
];

function collect<F>(link: SerialLink<F>): { frames: F[]; stop: () => void } {
  const frames: F[] = [];
  const stop = link.onFrame((frame) => frames.push(frame));
  return { frames, stop };
}

function recordStates<F>(link: SerialLink<F>): LinkState[] {
  const states: LinkState[] = [];
  link.onState((state) => states.push(state));
  return states;
}

const WAIT = { timeout: 5000, interval: 5 };

export function serialLinkContract(subject: SerialLinkSubject): void {
  for (const testCase of cases) {
    describe(`with ${testCase.framing.name} framing`, () => {
      const { framing } = testCase as FramingCase<unknown>;
      let h: SerialLinkHarness<unknown>;

      beforeEach(async () => {
        h = await subject.connect(framing);
      });
      afterEach(async () => {
        await h.dispose();
      });

      async function openBoth(): Promise<void> {
        await h.a.open();
        await h.b.open();
      }

      it('starts closed, then reports open once open() resolves', async () => {
        expect(h.a.state).toBe('closed');
        const states = recordStates(h.a);
        await openBoth();
        expect(h.a.state).toBe('open');
        expect(states).toEqual(['open']);
      });

      it('delivers frames in the order they were written', async () => {
        await openBoth();
        const received = collect(h.b);
        const sent = Array.from({ length: 25 }, (_, i) => (testCase as FramingCase<unknown>).frame(i));
        for (const frame of sent) await h.a.write(frame);
        await vi.waitFor(() => expect(received.frames.length).toBeGreaterThanOrEqual(sent.length), WAIT);
        expect(received.frames).toEqual(sent);
        expect(h.b.stats.frames).toBeGreaterThanOrEqual(sent.length);
      });

      it('delivers a frame of the maximum size intact', async () => {
        await openBoth();
        const received = collect(h.b);
        await h.a.write(testCase.maxFrame);
        await vi.waitFor(() => expect(received.frames).toHaveLength(1), WAIT);
        expect(received.frames[0]).toEqual(testCase.maxFrame);
      });

      it('refuses a frame over the maximum with E_FRAME_TOO_LONG and sends nothing', async () => {
        await openBoth();
        const received = collect(h.b);
        await expect(h.a.write(testCase.tooLong)).rejects.toMatchObject({ code: 'E_FRAME_TOO_LONG' });
        await h.a.write(testCase.frame(1));
        await vi.waitFor(() => expect(received.frames).toHaveLength(1), WAIT);
        expect(received.frames).toEqual([testCase.frame(1)]);
      });

      it('stops delivering to an unsubscribed listener while others keep receiving', async () => {
        await openBoth();
        const kept = collect(h.b);
        const dropped = collect(h.b);
        dropped.stop();
        await h.a.write(testCase.frame(2));
        await vi.waitFor(() => expect(kept.frames).toHaveLength(1), WAIT);
        expect(dropped.frames).toEqual([]);
      });

      it('rejects writes before open() with E_SERIAL_NOT_OPEN', async () => {
        await expect(h.a.write(testCase.frame(0))).rejects.toMatchObject({ code: 'E_SERIAL_NOT_OPEN' });
      });

      it('reports closed after close(), rejects writes with E_SERIAL_CLOSED, and tolerates a second close()', async () => {
        await openBoth();
        const states = recordStates(h.a);
        await h.a.close();
        await h.a.close();
        expect(h.a.state).toBe('closed');
        expect(states).toEqual(['closed']);
        await expect(h.a.write(testCase.frame(0))).rejects.toMatchObject({ code: 'E_SERIAL_CLOSED' });
      });

      it('fails open() with E_SERIAL_OPEN naming the path when the device does not exist', async () => {
        const link = subject.missing(framing);
        await expect(link.open()).rejects.toMatchObject({ code: 'E_SERIAL_OPEN', path: link.path });
        expect(link.state).toBe('closed');
      });

      it.skipIf(!subject.capabilities.inject)('skips garbage and partial frames between valid frames', async () => {
        await openBoth();
        const received = collect(h.b);
        const encoded = framing.encode(testCase.frame(5));
        await h.injectIntoB!(Uint8Array.of(0x00, 0xa5, 0xff, 0xff, 0x0a, 0x7b, 0x0a, 0xa5, 0x00));
        await h.injectIntoB!(encoded.subarray(0, 3));
        await h.injectIntoB!(Uint8Array.of(0x0a));
        await h.a.write(testCase.frame(6));
        await vi.waitFor(() => expect(received.frames.length).toBeGreaterThanOrEqual(1), WAIT);
        expect(received.frames.at(-1)).toEqual(testCase.frame(6));
        const { crcErrors, oversize, invalid, discardedBytes } = h.b.stats;
        expect(crcErrors + oversize + invalid + discardedBytes).toBeGreaterThan(0);
      });

      it.skipIf(!subject.capabilities.unplug)(
        'reports reconnecting when the device disappears, refuses writes meanwhile, and resumes when it returns',
        async () => {
          await openBoth();
          const states = recordStates(h.b);
          const received = collect(h.b);
          await h.a.write(testCase.frame(1));
          await vi.waitFor(() => expect(received.frames).toHaveLength(1), WAIT);

          await h.unplug!();
          await vi.waitFor(() => expect(h.a.state).toBe('reconnecting'), WAIT);
          await vi.waitFor(() => expect(h.b.state).toBe('reconnecting'), WAIT);
          await expect(h.a.write(testCase.frame(2))).rejects.toMatchObject({ code: 'E_SERIAL_NOT_OPEN' });

          await h.replug!();
          await vi.waitFor(() => expect(h.a.state).toBe('open'), WAIT);
          await vi.waitFor(() => expect(h.b.state).toBe('open'), WAIT);
          await h.a.write(testCase.frame(3));
          await vi.waitFor(() => expect(received.frames).toHaveLength(2), WAIT);
          expect(received.frames).toEqual([testCase.frame(1), testCase.frame(3)]);
          expect(states[0]).toBe('reconnecting');
          expect(states.at(-1)).toBe('open');
        },
      );

      it.skipIf(!subject.capabilities.unplug)('stops reconnecting when closed during an outage', async () => {
        await openBoth();
        await h.unplug!();
        await vi.waitFor(() => expect(h.b.state).toBe('reconnecting'), WAIT);
        await h.b.close();
        await h.replug!();
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(h.b.state).toBe('closed');
      });
    });
  }
}
