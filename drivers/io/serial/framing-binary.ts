// Length-prefixed binary framing with a CRC, for sensors that send raw samples.
//
// Frame layout (all multi-byte fields big-endian):
//
//   offset  size  field
//   0       1     START = 0xA5
//   1       2     N = payload length (0 ≤ N ≤ maxPayload, at most 65535)
//   3       N     payload
//   3+N     2     CRC-16/CCITT-FALSE (crc16.ts) over bytes 1 … 2+N, i.e. the length field and the payload
//
// The CRC covers the length so a corrupted length is caught too. The decoder scans for START; a header whose
// length exceeds maxPayload (`oversize`) or a frame whose CRC fails (`crcErrors`) costs only its START byte:
// scanning resumes at the next byte, so a real frame that began inside the rejected span is still found (resync).
// A false header inside garbage is accepted only if its CRC matches by chance (2^-16 per false START).
// A false header can also claim more bytes than will follow soon; the link calls expire() when the sender has been
// quiet for a while so the frames behind it are not held back (see FramedLink's staleFrameMs).
import { HasnError } from '../../../core/errors.ts';
import type { FrameDecoder, Framing, FramingStats } from '../types.ts';
import { crc16CcittFalse } from './crc16.ts';
import { emptyFramingStats } from './framing-stats.ts';

export const BINARY_FRAME_START = 0xa5;
/** START + length + CRC. */
export const BINARY_FRAME_OVERHEAD = 5;
const HEADER_BYTES = 3;
const MAX_LENGTH_FIELD = 0xffff;
const DEFAULT_MAX_PAYLOAD = 1024;

export interface BinaryFramingOptions {
  /** Largest accepted payload in bytes (default 1024, at most 65535). */
  maxPayload?: number;
}

class BinaryFrameDecoder implements FrameDecoder<Uint8Array> {
  readonly stats: FramingStats = emptyFramingStats();
  /** Holds at most one maximal frame plus slack; compacted in place, never grown. */
  private readonly buffer: Uint8Array;
  private start = 0;
  private end = 0;

  constructor(private readonly maxPayload: number) {
    this.buffer = new Uint8Array(2 * (maxPayload + BINARY_FRAME_OVERHEAD));
  }

  push(chunk: Uint8Array, onFrame: (payload: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.compact();
      const take = Math.min(chunk.length - offset, this.buffer.length - this.end);
      this.buffer.set(chunk.subarray(offset, offset + take), this.end);
      this.end += take;
      offset += take;
      this.scan(onFrame);
    }
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
  }

  get pendingBytes(): number {
    return this.end - this.start;
  }

  expire(onFrame: (payload: Uint8Array) => void): void {
    // After scan() the head is either empty or an incomplete candidate starting with START.
    while (this.end > this.start) {
      this.stats.truncated++;
      this.skipStartByte();
      this.scan(onFrame);
    }
  }

  private compact(): void {
    if (this.start === 0) return;
    this.buffer.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }

  /** Consumes every complete frame (or rejected candidate) in the buffer; stops when more bytes are needed. */
  private scan(onFrame: (payload: Uint8Array) => void): void {
    const buf = this.buffer;
    for (;;) {
      let at = this.start;
      while (at < this.end && buf[at] !== BINARY_FRAME_START) at++;
      this.stats.discardedBytes += at - this.start;
      this.start = at;
      if (this.end - at < HEADER_BYTES) return;
      const length = (buf[at + 1] << 8) | buf[at + 2];
      if (length > this.maxPayload) {
        this.stats.oversize++;
        this.skipStartByte();
        continue;
      }
      const frameEnd = at + HEADER_BYTES + length + 2;
      if (this.end < frameEnd) return;
      const expected = (buf[frameEnd - 2] << 8) | buf[frameEnd - 1];
      if (crc16CcittFalse(buf, at + 1, frameEnd - 2) !== expected) {
        this.stats.crcErrors++;
        this.skipStartByte();
        continue;
      }
      this.start = frameEnd;
      this.stats.frames++;
      onFrame(buf.slice(at + HEADER_BYTES, at + HEADER_BYTES + length));
    }
  }

  private skipStartByte(): void {
    this.start++;
    this.stats.discardedBytes++;
  }
}

/** Frames are Uint8Array payloads; the decoder delivers copies the receiver may keep. */
export function binaryFraming(options: BinaryFramingOptions = {}): Framing<Uint8Array> {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (!Number.isInteger(maxPayload) || maxPayload < 0 || maxPayload > MAX_LENGTH_FIELD) {
    throw new HasnError('E_FRAMING_CONFIG', `maxPayload must be an integer in 0..${MAX_LENGTH_FIELD}, got ${String(maxPayload)}`, {
      path: 'maxPayload',
    });
  }
  return {
    name: 'binary',
    encode(payload) {
      if (!(payload instanceof Uint8Array)) {
        throw new HasnError('E_FRAME_INVALID', 'a binary frame payload must be a Uint8Array', { path: 'frame' });
      }
      if (payload.length > maxPayload) {
        throw new HasnError('E_FRAME_TOO_LONG', `payload is ${payload.length} bytes, the maximum is ${maxPayload}`, { path: 'frame' });
      }
      const frame = new Uint8Array(payload.length + BINARY_FRAME_OVERHEAD);
      frame[0] = BINARY_FRAME_START;
      frame[1] = payload.length >>> 8;
      frame[2] = payload.length & 0xff;
      frame.set(payload, HEADER_BYTES);
      const crc = crc16CcittFalse(frame, 1, HEADER_BYTES + payload.length);
      frame[HEADER_BYTES + payload.length] = crc >>> 8;
      frame[HEADER_BYTES + payload.length + 1] = crc & 0xff;
      return frame;
    },
    createDecoder: () => new BinaryFrameDecoder(maxPayload),
  };
}
