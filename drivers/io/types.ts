// The hardware I/O contract (types only): what the agent's sensor and actuator wiring may rely on.
//
// Every adapter (onoff, libgpiod tools, i2c-bus, serialport) and every fake implements exactly these
// interfaces, and each interface has one contract suite under test/io/contracts that runs on all of them.
// Failures are `HasnError`s (core/errors.ts) with the stable codes listed next to each member.

/** Cancels a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

// ───────────────────────────── time ─────────────────────────────

/** Time and timers come in as a parameter so fakes, simulation and tests can run on a manual clock. */
export interface IoClock {
  /** Monotonic milliseconds (fractional allowed); only differences are meaningful. */
  now(): number;
  /** Runs `callback` once after `delayMs`; returns a function that cancels it. */
  setTimer(delayMs: number, callback: () => void): Unsubscribe;
}

// ───────────────────────────── samples ─────────────────────────────

/** One reading of one channel, stamped with the reader's clock. */
export interface Sample {
  channel: string;
  value: number;
  t_ms: number;
}

// ───────────────────────────── GPIO ─────────────────────────────

export type Level = 0 | 1;
export type LineDirection = 'in' | 'out';
export type EdgeKind = 'rising' | 'falling';
export type EdgeFilter = EdgeKind | 'both';

/** A debounced level change on an input line. */
export interface EdgeEvent {
  edge: EdgeKind;
  /** The level after the edge (1 after rising, 0 after falling). */
  level: Level;
  /** When the raw level changed to `level` (the start of the stable period), on the line's clock. */
  t_ms: number;
}

export interface WatchOptions {
  /** Which edges to report (default 'both'). */
  edge?: EdgeFilter;
  /**
   * A change is reported only once the new level has held for this long (default 0: every change).
   * Bounces shorter than this that return to the previous level produce no event at all.
   */
  debounceMs?: number;
  /** Asynchronous failures of the edge source (e.g. the monitor process died); the watch stays registered. */
  onError?: (error: Error) => void;
}

/**
 * One GPIO line, opened for one direction, addressed in config by its BCM number (sysfs/onoff) or chip label +
 * offset (libgpiod tools).
 * Errors: E_GPIO_CLOSED after close(); E_GPIO_DIRECTION for write() on an input or watch() on an output;
 * E_GPIO_VALUE for a level other than 0/1; E_GPIO_IO when the kernel or tool refuses the operation.
 */
export interface DigitalLine {
  /** How logs and errors name the line, e.g. `bcm17 (sysfs 588, pinctrl-rp1)`. */
  readonly name: string;
  readonly direction: LineDirection;
  /** The current level: the pin's input level, or the level an output line drives. */
  read(): Promise<Level>;
  /** Drives an output line. */
  write(value: Level): Promise<void>;
  /** Subscribes to debounced edges of an input line; each subscription has its own filter and debounce. */
  watch(onEdge: (event: EdgeEvent) => void, options?: WatchOptions): Unsubscribe;
  /** Releases the line and cancels every watch; idempotent. */
  close(): Promise<void>;
}

// ───────────────────────────── I2C ─────────────────────────────

/**
 * One device (7-bit address) on one I2C bus, spoken to with SMBus register transfers.
 * Errors: E_I2C_REGISTER (register not 0..255), E_I2C_VALUE (byte not 0..255), E_I2C_LENGTH (block not 1..32),
 * E_I2C_IO (the transfer failed: no ACK, bus error), E_I2C_CLOSED after close().
 */
export interface I2CDevice {
  readonly bus: number;
  readonly address: number;
  readByte(register: number): Promise<number>;
  /** SMBus "read word": the byte at `register` is the LOW byte (little-endian), `register + 1` the high byte. */
  readWord(register: number): Promise<number>;
  /** I2C block read of `length` consecutive bytes starting at `register` (1..32, the SMBus block limit). */
  readBlock(register: number, length: number): Promise<Uint8Array>;
  writeByte(register: number, value: number): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

// ───────────────────────────── serial ─────────────────────────────

/** Counters kept by a frame decoder; they only grow (reset() clears the buffer, not the counters). */
export interface FramingStats {
  /** Frames delivered. */
  frames: number;
  /** Binary frames whose CRC did not match (dropped). */
  crcErrors: number;
  /** Frames or lines longer than the configured maximum (dropped). */
  oversize: number;
  /** Lines that were not valid JSON (JSON-lines framing only; dropped). */
  invalid: number;
  /** Incomplete binary frames given up on because the sender went quiet mid-frame (see FrameDecoder.expire). */
  truncated: number;
  /** Bytes thrown away while searching for the next frame (garbage, or the start of a rejected frame). */
  discardedBytes: number;
}

/** Turns a byte stream into frames; pure (no I/O), never throws on any input. */
export interface FrameDecoder<F> {
  push(chunk: Uint8Array, onFrame: (frame: F) => void): void;
  /** Forgets a partial frame (used after a reconnect: the bytes before the gap cannot be completed). */
  reset(): void;
  /** Bytes held back waiting for the rest of a frame. */
  readonly pendingBytes: number;
  /**
   * The sender went quiet with a frame incomplete. A length-prefixed decoder gives up on that candidate (a false
   * header in garbage would otherwise hold back the real frames behind it until its claimed length arrived) and
   * rescans the bytes after it. Line decoders keep their partial line: a newline always resynchronises them.
   */
  expire(onFrame: (frame: F) => void): void;
  readonly stats: Readonly<FramingStats>;
}

/** How frames of type F travel as bytes. */
export interface Framing<F> {
  readonly name: string;
  /** Throws E_FRAME_TOO_LONG / E_FRAME_INVALID for a frame this framing cannot carry. */
  encode(frame: F): Uint8Array;
  createDecoder(): FrameDecoder<F>;
}

/** 'open': frames flow; 'reconnecting': the device went away and is being reopened; 'closed': close() or never opened. */
export type LinkState = 'open' | 'closed' | 'reconnecting';

export interface LinkStateDetail {
  /** Reopen attempts made so far in this outage (0 when open or closed). */
  attempt: number;
  /** Why the link left 'open' or why the last reopen attempt failed. */
  error?: Error;
}

/**
 * A framed, self-healing serial link. When the device disappears the link reports 'reconnecting' and reopens the
 * same path with exponential backoff until it is back or close() is called.
 * Errors: E_SERIAL_OPEN (first open failed: wrong path, permissions), E_SERIAL_NOT_OPEN (write while not open —
 * writes are never queued across an outage), E_SERIAL_CLOSED (after close()), E_SERIAL_IO (write failed),
 * plus the framing's E_FRAME_* for a frame it cannot encode.
 */
export interface SerialLink<F> {
  readonly path: string;
  readonly state: LinkState;
  /** Decoder counters accumulated over the link's life (across reconnects). */
  readonly stats: Readonly<FramingStats>;
  /** Opens the device; resolves once frames can flow. Idempotent while open or reconnecting. */
  open(): Promise<void>;
  /** Encodes and sends one frame; resolves once the bytes are handed to the OS. */
  write(frame: F): Promise<void>;
  onFrame(callback: (frame: F) => void): Unsubscribe;
  onState(callback: (state: LinkState, detail: LinkStateDetail) => void): Unsubscribe;
  /** Stops reconnecting and closes the device; idempotent. */
  close(): Promise<void>;
}
