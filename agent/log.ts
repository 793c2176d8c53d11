// Structured logging for every HASN daemon: the one module that imports pino; everything else uses `Logger`.
//
// One JSON line per event on stderr (journald captures it under systemd), each carrying the device id and
// the component (`component: 'http'`), so `journalctl -u hasn-agent -o cat | jq` can filter by either.
import { pino, type Logger as PinoLogger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type LogMethod = {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
};

/** What the rest of the code logs through (a subset of pino's API, so the adapter stays swappable). */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger whose lines all carry `bindings` (e.g. `{ component: 'http' }`). */
  child(bindings: Record<string, unknown>): Logger;
  /** Whether a line at `level` would be written (to skip building costly fields). */
  isLevelEnabled(level: LogLevel): boolean;
}

/** Where lines go: anything with a `write(line)` method (a stream, or a collector in tests). */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Base fields on every line, e.g. `{ device: 'pi-kitchen-01' }`. */
  base?: Record<string, unknown>;
  /** Default: stderr (synchronous, so the last lines before an exit are never lost). */
  destination?: LogDestination;
}

/** Key paths whose values never reach a log line (tokens, passwords), wherever a caller puts them. */
const REDACTED_PATHS = ['token', 'password', 'authorization', '*.token', '*.password', '*.authorization', 'req.headers.authorization'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  const logger: PinoLogger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination as pino.DestinationStream,
  );
  return logger as unknown as Logger;
}

/** A logger that writes nothing (for tests and library callers that do not care). */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write: () => undefined } });

/** Collects parsed log lines in memory: for tests that assert what was logged. */
export function createMemoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, destination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}
