// Newline-delimited framing: text lines, and JSON values one per line (what most hobby sensor firmware prints).
//
// A frame ends at '\n'; a trailing '\r' is dropped (CRLF senders), empty lines are skipped. A line longer than
// maxLineBytes is dropped whole (counted in `oversize`) and the decoder resumes at the next '\n', so a sender
// that never prints a newline cannot make us buffer without bound.
import { HasnError } from '../../../core/errors.ts';
import type { FrameDecoder, Framing, FramingStats } from '../types.ts';
import { emptyFramingStats } from './framing-stats.ts';

export interface LineFramingOptions {
  /** Longest accepted line in bytes, excluding the '\n' (default 4096). */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DEFAULT_MAX_LINE_BYTES = 4096;

function maxLineBytesOf(options: LineFramingOptions): number {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(max) || max < 1) {
    throw new HasnError('E_FRAMING_CONFIG', `maxLineBytes must be a positive integer, got ${String(max)}`, { path: 'maxLineBytes' });
  }
  return max;
}

/** Splits bytes into lines; `deliver` gets each non-empty line's bytes (a view valid only during the call). */
class LineSplitter {
  readonly stats: FramingStats = emptyFramingStats();
  private readonly buffer: Uint8Array;
  private length = 0;
  private discarding = false;

  constructor(private readonly maxLineBytes: number) {
    this.buffer = new Uint8Array(maxLineBytes);
  }

  push(chunk: Uint8Array, deliver: (line: Uint8Array) => void): void {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline === -1 ? chunk.length : newline;
      const count = end - from;
      if (this.discarding) {
        this.stats.discardedBytes += count;
      } else if (this.length + count > this.maxLineBytes) {
        this.stats.oversize++;
        this.stats.discardedBytes += this.length + count;
        this.length = 0;
        this.discarding = true;
      } else {
        this.buffer.set(chunk.subarray(from, end), this.length);
        this.length += count;
      }
      if (newline === -1) return;
      if (this.discarding) {
        this.stats.discardedBytes += 1;
        this.discarding = false;
      } else {
        let lineEnd = this.length;
        if (lineEnd > 0 && this.buffer[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
        if (lineEnd > 0) deliver(this.buffer.subarray(0, lineEnd));
      }
      this.length = 0;
      from = newline + 1;
    }
  }

  reset(): void {
    this.length = 0;
    this.discarding = false;
  }

  get pendingBytes(): number {
    return this.length;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

function encodeLine(text: string, maxLineBytes: number): Uint8Array {
  if (text.includes('\n') || text.includes('\r')) {
    throw new HasnError('E_FRAME_INVALID', 'a line frame cannot contain "\\n" or "\\r"', { path: 'frame' });
  }
  const body = utf8Encoder.encode(text);
  if (body.length > maxLineBytes) {
    throw new HasnError('E_FRAME_TOO_LONG', `line is ${body.length} bytes, the maximum is ${maxLineBytes}`, { path: 'frame' });
  }
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = NEWLINE;
  return out;
}

/** Text lines (UTF-8; invalid sequences become U+FFFD rather than errors). */
export function lineFraming(options: LineFramingOptions = {}): Framing<string> {
  const maxLineBytes = maxLineBytesOf(options);
  return {
    name: 'lines',
    encode: (text) => encodeLine(text, maxLineBytes),
    createDecoder: () => lineDecoder(maxLineBytes, (line, stats, onFrame) => {
      stats.frames++;
      onFrame(utf8Decoder.decode(line));
    }),
  };
}

/** One JSON value per line; lines that do not parse are dropped and counted in `invalid`. */
export function jsonLineFraming(options: LineFramingOptions = {}): Framing<unknown> {
  const maxLineBytes = maxLineBytesOf(options);
  return {
    name: 'json-lines',
    encode(value) {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (cause) {
        throw new HasnError('E_FRAME_INVALID', `frame cannot be encoded as JSON: ${(cause as Error).message}`, { path: 'frame', cause });
      }
      if (text === undefined) throw new HasnError('E_FRAME_INVALID', 'frame has no JSON representation', { path: 'frame' });
      return encodeLine(text, maxLineBytes);
    },
    createDecoder: () => lineDecoder<unknown>(maxLineBytes, (line, stats, onFrame) => {
      let value: unknown;
      try {
        value = JSON.parse(utf8Decoder.decode(line));
      } catch {
        stats.invalid++;
        return;
      }
      stats.frames++;
      onFrame(value);
    }),
  };
}

/** A decoder that splits lines and hands each to `onLine`, which decodes it, counts it and passes on the frame. */
function lineDecoder<T>(maxLineBytes: number, onLine: (line: Uint8Array, stats: LineSplitter['stats'], onFrame: (frame: T) => void) => void): FrameDecoder<T> {
  const splitter = new LineSplitter(maxLineBytes);
  return {
    stats: splitter.stats,
    reset: () => splitter.reset(),
    get pendingBytes() {
      return splitter.pendingBytes;
    },
    expire: () => undefined,
    push(chunk, onFrame) {
      splitter.push(chunk, (line) => onLine(line, splitter.stats, onFrame));
    },
  };
}
