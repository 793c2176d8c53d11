// Replays recorded sensor data as a Signal: parsing CSV / JSON-lines recordings, and holding each value until the next.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { HasnError } from '../../../core/errors.ts';
import type { Sample } from '../types.ts';
import type { Signal } from './signals.ts';

function recordingError(source: string, line: number, message: string): HasnError {
  return new HasnError('E_SIM_RECORDING', `${source}:${line}: ${message}`, { path: `${source}:${line}` });
}

function toSample(source: string, line: number, channel: unknown, value: unknown, t: unknown): Sample {
  if (typeof channel !== 'string' || channel === '') throw recordingError(source, line, 'channel must be a non-empty string');
  if (typeof value !== 'number' || !Number.isFinite(value)) throw recordingError(source, line, `value must be a finite number, got ${JSON.stringify(value) ?? 'nothing'}`);
  if (typeof t !== 'number' || !Number.isFinite(t)) throw recordingError(source, line, `t_ms must be a finite number, got ${JSON.stringify(t) ?? 'nothing'}`);
  return { channel, value, t_ms: t };
}

/** A CSV cell as a number; text that is not one stays text so the error message can quote it. */
function numericCell(cell: string): number | string {
  return cell !== '' && Number.isFinite(Number(cell)) ? Number(cell) : cell;
}

/**
 * CSV with a header naming (in any order) the columns t_ms, channel and value; other columns are ignored.
 * Blank lines and lines starting with '#' are skipped. No quoting: channel names cannot contain commas.
 */
export function parseRecordingCsv(text: string, source = 'recording.csv'): Sample[] {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const samples: Sample[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((cell) => cell.trim());
    if (header === undefined) {
      header = cells;
      for (const column of ['t_ms', 'channel', 'value']) {
        if (!header.includes(column)) throw recordingError(source, index + 1, `header must name the columns t_ms, channel and value (found: ${cells.join(', ')})`);
      }
      return;
    }
    if (cells.length !== header.length) throw recordingError(source, index + 1, `expected ${header.length} cells, found ${cells.length}`);
    const cell = (name: string) => cells[header!.indexOf(name)];
    samples.push(toSample(source, index + 1, cell('channel'), numericCell(cell('value')), numericCell(cell('t_ms'))));
  });
  return samples;
}

/** One JSON object per line: {"t_ms": …, "channel": …, "value": …}; blank lines skipped. */
export function parseRecordingJsonLines(text: string, source = 'recording.jsonl'): Sample[] {
  const samples: Sample[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      throw recordingError(source, index + 1, 'not valid JSON');
    }
    if (typeof record !== 'object' || record === null) throw recordingError(source, index + 1, 'expected an object with t_ms, channel and value');
    const { channel, value, t_ms } = record as Record<string, unknown>;
    samples.push(toSample(source, index + 1, channel, value, t_ms));
  });
  return samples;
}

/** Reads a recording, choosing the parser by extension: .csv, or .jsonl / .ndjson. */
export async function loadRecording(path: string): Promise<Sample[]> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.csv' && extension !== '.jsonl' && extension !== '.ndjson') {
    throw new HasnError('E_SIM_RECORDING', `a recording must be .csv, .jsonl or .ndjson, got ${path}`, { path });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new HasnError('E_SIM_RECORDING', `cannot read recording ${path}: ${(cause as Error).message}`, { path, cause });
  }
  return extension === '.csv' ? parseRecordingCsv(text, path) : parseRecordingJsonLines(text, path);
}

export interface ReplayOptions {
  channel: string;
  /** A whole recording; only this channel's samples are used. */
  samples: readonly Sample[];
  /**
   * Repeat the recording forever with this period (default: off). Pass `true` to use the recording's span plus
   * its last interval, so the last sample is held as long as the one before it.
   */
  loop?: boolean | number;
}

/** Zero-order hold: each recorded value holds until the next; before the first sample, the first value. */
export function replaySignal(options: ReplayOptions): Signal {
  const points = options.samples
    .filter((sample) => sample.channel === options.channel)
    .map((sample, order) => ({ t: sample.t_ms, value: sample.value, order }))
    .sort((a, b) => a.t - b.t || a.order - b.order);
  if (points.length === 0) {
    throw new HasnError('E_SIM_RECORDING', `the recording has no samples for channel "${options.channel}"`, { path: options.channel });
  }
  const times = Float64Array.from(points, (p) => p.t);
  const values = Float64Array.from(points, (p) => p.value);
  const first = times[0];
  const last = times[times.length - 1];
  let loopMs = 0;
  if (options.loop === true) loopMs = times.length > 1 ? last - first + (last - times[times.length - 2]) : 1;
  else if (typeof options.loop === 'number') loopMs = options.loop;
  if (options.loop !== undefined && options.loop !== false && !(loopMs > 0)) {
    throw new HasnError('E_SIM_CONFIG', `loop period must be positive, got ${String(options.loop)}`, { path: 'loop' });
  }

  return {
    channel: options.channel,
    valueAt(t) {
      const local = loopMs > 0 && t >= first ? first + ((t - first) % loopMs) : t;
      // Last index with time ≤ local (binary search); equal times resolve to the later-recorded sample.
      let lo = 0;
      let hi = times.length - 1;
      if (local < first) return values[0];
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (times[mid] <= local) lo = mid;
        else hi = mid - 1;
      }
      return values[lo];
    },
  };
}
