// Reads one sensor register every period on the I2CDevice interface and emits scaled samples.
//
// Reads run on a fixed-rate grid from the start time and never overlap: a read that outlasts its period skips the
// slots it overran (counted in `overruns`) instead of queueing a burst. A failed read is counted and reported, and
// polling continues — a sensor that drops off the bus for a moment must not stop the agent.
import { HasnError } from '../../../core/errors.ts';
import { systemClock } from '../clock.ts';
import { warnListenerError } from '../listeners.ts';
import type { I2CDevice, IoClock, Sample, Unsubscribe } from '../types.ts';

/** How the register holds the raw reading: width, signedness and, for words, byte order. */
export type RegisterFormat = 'u8' | 's8' | 'u16le' | 's16le' | 'u16be' | 's16be';

export interface RegisterPollerOptions {
  device: I2CDevice;
  register: number;
  /** Default 'u8'. '…le' is the SMBus word order (low byte at `register`); '…be' is what most sensors use. */
  format?: RegisterFormat;
  /** value = raw × scale + offset (defaults 1 and 0), e.g. 0.0625 for a TMP102's 1/16 °C steps. */
  scale?: number;
  offset?: number;
  periodMs: number;
  channel: string;
  clock?: IoClock;
  onSample(sample: Sample): void;
  onError?(error: Error): void;
  /** Where exceptions thrown by onSample/onError go (default: a process warning). */
  onListenerError?: (error: unknown) => void;
}

export interface RegisterPollerStats {
  samples: number;
  errors: number;
  overruns: number;
}

export interface RegisterPoller {
  readonly stats: Readonly<RegisterPollerStats>;
  stop(): void;
}

/** Raw register content → signed/unsigned integer per `format` (`raw` is a byte, or an SMBus little-endian word). */
export function decodeRegister(raw: number, format: RegisterFormat): number {
  switch (format) {
    case 'u8':
      return raw & 0xff;
    case 's8':
      return ((raw & 0xff) << 24) >> 24;
    case 'u16le':
      return raw & 0xffff;
    case 's16le':
      return ((raw & 0xffff) << 16) >> 16;
    case 'u16be':
      return ((raw & 0xff) << 8) | ((raw >> 8) & 0xff);
    case 's16be':
      return ((((raw & 0xff) << 8) | ((raw >> 8) & 0xff)) << 16) >> 16;
  }
}

const FORMATS: readonly RegisterFormat[] = ['u8', 's8', 'u16le', 's16le', 'u16be', 's16be'];

export function startRegisterPoller(options: RegisterPollerOptions): RegisterPoller {
  const format = options.format ?? 'u8';
  if (!FORMATS.includes(format)) {
    throw new HasnError('E_I2C_FORMAT', `register format must be one of ${FORMATS.join(', ')}, got ${String(format)}`, { path: 'format' });
  }
  if (!(options.periodMs > 0)) {
    throw new HasnError('E_I2C_PERIOD', `periodMs must be a positive number, got ${String(options.periodMs)}`, { path: 'periodMs' });
  }
  const clock = options.clock ?? systemClock;
  const scale = options.scale ?? 1;
  const offset = options.offset ?? 0;
  const period = options.periodMs;
  const isWord = format !== 'u8' && format !== 's8';
  const stats: RegisterPollerStats = { samples: 0, errors: 0, overruns: 0 };
  let stopped = false;
  let cancelTimer: Unsubscribe | undefined;
  let deadline = clock.now();
  const deliver = (callback: () => void) => {
    try {
      callback();
    } catch (error) {
      (options.onListenerError ?? warnListenerError)(error);
    }
  };

  const poll = async () => {
    cancelTimer = undefined;
    if (stopped) return;
    const t_ms = clock.now();
    let raw: number | undefined;
    try {
      raw = isWord ? await options.device.readWord(options.register) : await options.device.readByte(options.register);
    } catch (error) {
      if (stopped) return;
      stats.errors++;
      deliver(() => options.onError?.(error instanceof Error ? error : new Error(String(error))));
    }
    if (stopped) return;
    if (raw !== undefined) {
      stats.samples++;
      const sample = { channel: options.channel, value: decodeRegister(raw, format) * scale + offset, t_ms };
      deliver(() => options.onSample(sample));
    }
    deadline += period;
    const now = clock.now();
    if (now > deadline) {
      const missed = Math.ceil((now - deadline) / period);
      stats.overruns += missed;
      deadline += missed * period;
    }
    if (!stopped) cancelTimer = clock.setTimer(deadline - now, () => void poll());
  };

  void poll();
  return {
    stats,
    stop() {
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}
