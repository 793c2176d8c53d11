// Newline framing for text and JSON lines: round trips, CRLF, overlong lines, invalid JSON, fuzzed input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonLineFraming, lineFraming } from '../../drivers/io/serial/framing-lines.ts';
import { concatBytes, decodeAll, splitAt } from './fixtures/bytes.ts';

const MAX_LINE = 80;
const lines = lineFraming({ maxLineBytes: MAX_LINE });
const json = jsonLineFraming({ maxLineBytes: 400 });
const bytes = (text: string) => new TextEncoder().encode(text);

const lineText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => !/[\r\n]/.test(s) && bytes(s).length <= MAX_LINE);
const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('line framing', () => {
  it('round-trips unicode lines split at random byte boundaries (even inside a multi-byte character)', () => {
    fc.assert(
      fc.property(fc.array(lineText, { maxLength: 10 }), cuts, (texts, cutPoints) => {
        const stream = concatBytes(texts.map((t) => lines.encode(t)));
        const { frames, stats } = decodeAll(lines, splitAt(stream, cutPoints));
        expect(frames).toEqual(texts);
        expect(stats.frames).toBe(texts.length);
      }),
    );
  });

  it('accepts CRLF line endings and skips empty lines', () => {
    expect(decodeAll(lines, [bytes('a\r\n\r\n\nb\n')]).frames).toEqual(['a', 'b']);
  });

  it('drops a line longer than maxLineBytes, counts it once, and decodes the next line', () => {
    const long = 'x'.repeat(MAX_LINE + 1);
    const { frames, stats } = decodeAll(lines, splitAt(bytes(`${long}\nok\n`), [10, 40, 85]));
    expect(frames).toEqual(['ok']);
    expect(stats.oversize).toBe(1);
    expect(stats.discardedBytes).toBe(MAX_LINE + 2);
  });

  it('never throws on random bytes and never delivers a line over the limit or containing a newline', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const { frames } = decodeAll(lines, chunks);
        for (const frame of frames) {
          expect(frame).not.toContain('\n');
          expect(frame.length).toBeGreaterThan(0);
          expect(bytes(frame).length).toBeLessThanOrEqual(3 * MAX_LINE); // U+FFFD may stand for 1 invalid byte
        }
      }),
    );
  });

  it('refuses to encode a line containing a newline (E_FRAME_INVALID) or over the limit (E_FRAME_TOO_LONG)', () => {
    expect(() => lines.encode('a\nb')).toThrow(expect.objectContaining({ code: 'E_FRAME_INVALID' }));
    expect(() => lines.encode('y'.repeat(MAX_LINE + 1))).toThrow(expect.objectContaining({ code: 'E_FRAME_TOO_LONG' }));
  });

  it('forgets a partial line on reset()', () => {
    const decoder = lines.createDecoder();
    const seen: string[] = [];
    decoder.push(bytes('half'), (f) => seen.push(f));
    decoder.reset();
    decoder.push(bytes('whole\n'), (f) => seen.push(f));
    expect(seen).toEqual(['whole']);
  });
});

describe('JSON-lines framing', () => {
  it('round-trips any JSON value split at random boundaries', () => {
    const fits = (v: unknown) => bytes(JSON.stringify(v)).length <= 400;
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }).filter(fits), { maxLength: 6 }), cuts, (values, cutPoints) => {
        const encoded = values.map((v) => json.encode(v));
        const { frames } = decodeAll(json, splitAt(concatBytes(encoded), cutPoints));
        expect(frames).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
    );
  });

  it('drops and counts lines that are not JSON, keeping the good ones', () => {
    const { frames, stats } = decodeAll(json, [bytes('{"a":1}\n{broken\n[2]\n')]);
    expect(frames).toEqual([{ a: 1 }, [2]]);
    expect(stats.invalid).toBe(1);
    expect(stats.frames).toBe(2);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const { frames, stats } = decodeAll(json, chunks);
        expect(stats.frames).toBe(frames.length);
      }),
    );
  });

  it('refuses values with no JSON form (E_FRAME_INVALID)', () => {
    expect(() => json.encode(undefined)).toThrow(expect.objectContaining({ code: 'E_FRAME_INVALID' }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => json.encode(cyclic)).toThrow(expect.objectContaining({ code: 'E_FRAME_INVALID' }));
  });
});
