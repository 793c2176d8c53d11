// Binary framing (START, length, payload, CRC-16/CCITT-FALSE): layout, CRC, and fuzzed decoding properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc16CcittFalse } from '../../drivers/io/serial/crc16.ts';
import { BINARY_FRAME_OVERHEAD, BINARY_FRAME_START, binaryFraming } from '../../drivers/io/serial/framing-binary.ts';
import { concatBytes, decodeAll, splitAt } from './fixtures/bytes.ts';

const MAX_PAYLOAD = 64;
const framing = binaryFraming({ maxPayload: MAX_PAYLOAD });

/** Bit-at-a-time CRC straight from the definition, to check the table-driven one. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * True when a START byte in stream[from, to) begins a CRC-valid frame by chance. The properties below exclude
 * such inputs (probability 2^-16 per false START): the decoder is right to accept them, but the expected output
 * could no longer be predicted without re-implementing it.
 */
function hasAccidentalFrame(stream: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (stream[i] !== BINARY_FRAME_START || i + 3 > stream.length) continue;
    const length = (stream[i + 1] << 8) | stream[i + 2];
    const end = i + 3 + length + 2;
    if (length > MAX_PAYLOAD || end > stream.length) continue;
    if (crc16CcittFalse(stream, i + 1, end - 2) === ((stream[end - 2] << 8) | stream[end - 1])) return true;
  }
  return false;
}

const payloads = fc.array(fc.uint8Array({ maxLength: MAX_PAYLOAD }), { maxLength: 12 });
/** Garbage rich in START bytes, so false headers are actually exercised. */
const garbage = fc.array(fc.oneof(fc.constant(BINARY_FRAME_START), fc.integer({ min: 0, max: 255 })), { maxLength: 80 }).map((b) => Uint8Array.from(b));
const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the catalogue check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('starts from 0xFFFF (empty input)', () => {
    expect(crc16CcittFalse(new Uint8Array(0))).toBe(0xffff);
  });

  it('matches a bit-at-a-time reference on random bytes, also when continued over two spans', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const split = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(crc16CcittFalse(bytes)).toBe(referenceCrc(bytes));
        expect(crc16CcittFalse(bytes, split, bytes.length, crc16CcittFalse(bytes, 0, split))).toBe(referenceCrc(bytes));
      }),
    );
  });
});

describe('binary framing: encoding', () => {
  it('lays out START, big-endian length, payload, big-endian CRC over length+payload', () => {
    const frame = framing.encode(Uint8Array.of(1, 2, 3));
    const crc = referenceCrc(Uint8Array.of(0, 3, 1, 2, 3));
    expect(Array.from(frame)).toEqual([0xa5, 0x00, 0x03, 1, 2, 3, crc >> 8, crc & 0xff]);
  });

  it('refuses a payload over maxPayload with E_FRAME_TOO_LONG', () => {
    expect(() => framing.encode(new Uint8Array(MAX_PAYLOAD + 1))).toThrow(expect.objectContaining({ code: 'E_FRAME_TOO_LONG' }));
  });

  it('refuses a payload that is not a Uint8Array with E_FRAME_INVALID', () => {
    expect(() => framing.encode([1, 2] as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'E_FRAME_INVALID' }));
  });

  it('rejects a maxPayload outside 0..65535 with E_FRAMING_CONFIG', () => {
    expect(() => binaryFraming({ maxPayload: 70_000 })).toThrow(expect.objectContaining({ code: 'E_FRAMING_CONFIG' }));
  });
});

describe('binary framing: decoding (fuzzed)', () => {
  it('reassembles frames split at random chunk boundaries', () => {
    fc.assert(
      fc.property(payloads, cuts, (frames, cutPoints) => {
        const stream = concatBytes(frames.map((p) => framing.encode(p)));
        const { frames: decoded, stats } = decodeAll(framing, splitAt(stream, cutPoints));
        expect(decoded).toEqual(frames);
        expect(stats).toEqual({ frames: frames.length, crcErrors: 0, oversize: 0, invalid: 0, truncated: 0, discardedBytes: 0 });
      }),
    );
  });

  it('never throws on random bytes, and its counters stay within the bytes it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const { frames, stats } = decodeAll(framing, chunks);
        expect(stats.frames).toBe(frames.length);
        expect(stats.discardedBytes + frames.reduce((n, f) => n + f.length + BINARY_FRAME_OVERHEAD, 0)).toBeLessThanOrEqual(total);
      }),
    );
  });

  it('rejects and counts a frame with a corrupted payload or CRC, and still delivers every other frame', () => {
    fc.assert(
      fc.property(payloads.filter((f) => f.length > 0), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), cuts, (frames, pick, bytePick, bit, cutPoints) => {
        const encoded = frames.map((p) => framing.encode(p));
        const victim = pick % frames.length;
        const frame = encoded[victim];
        const corruptAt = 3 + (bytePick % (frame.length - 3)); // payload or CRC bytes
        frame[corruptAt] ^= 1 << bit;
        // Zero padding lets a false header inside the victim that claims bytes past the last frame run to completion and fail its CRC.
        const stream = concatBytes([...encoded, new Uint8Array(MAX_PAYLOAD + BINARY_FRAME_OVERHEAD)]);
        const victimStart = encoded.slice(0, victim).reduce((n, f) => n + f.length, 0);
        fc.pre(!hasAccidentalFrame(stream, victimStart + 1, victimStart + frame.length));
        const { frames: decoded, stats } = decodeAll(framing, splitAt(stream, cutPoints));
        expect(decoded).toEqual(frames.filter((_, i) => i !== victim));
        expect(stats.crcErrors).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('resynchronises after garbage before and between frames', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, fc.uint8Array({ maxLength: MAX_PAYLOAD })), { maxLength: 8 }), cuts, (pieces, cutPoints) => {
        const parts: Uint8Array[] = [];
        const garbageSpans: Array<[number, number]> = [];
        let length = 0;
        for (const [junk, payload] of pieces) {
          garbageSpans.push([length, length + junk.length]);
          const frame = framing.encode(payload);
          parts.push(junk, frame);
          length += junk.length + frame.length;
        }
        // Zero padding lets a false header near the end run to completion and fail its CRC, so the stream settles.
        parts.push(new Uint8Array(MAX_PAYLOAD + BINARY_FRAME_OVERHEAD));
        const stream = concatBytes(parts);
        fc.pre(garbageSpans.every(([from, to]) => !hasAccidentalFrame(stream, from, to)));
        const { frames: decoded } = decodeAll(framing, splitAt(stream, cutPoints));
        expect(decoded).toEqual(pieces.map(([, payload]) => payload));
      }),
    );
  });

  it('after expire(), delivers the frames held back behind a false header that claimed more bytes than followed', () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.uint8Array({ maxLength: MAX_PAYLOAD }), { maxLength: 4 }), cuts, (junk, frames, cutPoints) => {
        const stream = concatBytes([junk, ...frames.map((p) => framing.encode(p))]);
        fc.pre(!hasAccidentalFrame(stream, 0, junk.length));
        const decoder = framing.createDecoder();
        const decoded: Uint8Array[] = [];
        for (const chunk of splitAt(stream, cutPoints)) decoder.push(chunk, (f) => decoded.push(f));
        decoder.expire((f) => decoded.push(f));
        expect(decoded).toEqual(frames);
        expect(decoder.pendingBytes).toBe(0);
      }),
    );
  });

  it('counts a frame given up on by expire() as truncated', () => {
    const decoder = framing.createDecoder();
    decoder.push(framing.encode(Uint8Array.of(1, 2, 3)).subarray(0, 5), () => undefined);
    expect(decoder.pendingBytes).toBe(5);
    decoder.expire(() => undefined);
    expect(decoder.stats.truncated).toBe(1);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('drops a frame whose length field exceeds maxPayload (counted as oversize) and decodes the next one', () => {
    const wide = binaryFraming({ maxPayload: 4 * MAX_PAYLOAD });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: MAX_PAYLOAD + 1, maxLength: 4 * MAX_PAYLOAD }), fc.uint8Array({ maxLength: MAX_PAYLOAD }), cuts, (big, small, cutPoints) => {
        const tooLong = wide.encode(big);
        // Zero padding, as above: a false header inside the dropped frame may claim bytes past the next frame.
        const stream = concatBytes([tooLong, framing.encode(small), new Uint8Array(MAX_PAYLOAD + BINARY_FRAME_OVERHEAD)]);
        fc.pre(!hasAccidentalFrame(stream, 1, tooLong.length));
        const { frames: decoded, stats } = decodeAll(framing, splitAt(stream, cutPoints));
        expect(decoded).toEqual([small]);
        expect(stats.oversize).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('forgets a partial frame on reset()', () => {
    const decoder = framing.createDecoder();
    const frame = framing.encode(Uint8Array.of(9, 9, 9));
    const seen: Uint8Array[] = [];
    decoder.push(frame.subarray(0, 4), (f) => seen.push(f));
    decoder.reset();
    decoder.push(frame.subarray(4), (f) => seen.push(f));
    decoder.push(framing.encode(Uint8Array.of(7)), (f) => seen.push(f));
    expect(seen).toEqual([Uint8Array.of(7)]);
  });

  it('delivers payloads the receiver may keep (later input does not overwrite them)', () => {
    const decoder = framing.createDecoder();
    const seen: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) decoder.push(framing.encode(Uint8Array.of(i, i)), (f) => seen.push(f));
    expect(seen.map((f) => f[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
