// Simulated sensors: signal shapes, seeded noise, recording replay, and sampling on a manual clock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { loadRecording, parseRecordingCsv, parseRecordingJsonLines, replaySignal } from '../../drivers/io/sim/replay.ts';
import { noiseSignal, sineSignal, squareSignal, stepSignal, sumSignals } from '../../drivers/io/sim/signals.ts';
import { sampleSeries, startSimulatedSensor } from '../../drivers/io/sim/simulated-sensor.ts';
import type { Sample } from '../../drivers/io/types.ts';

describe('signal generators', () => {
  it('sine: offset + amplitude at a quarter period, offset at zero and half a period', () => {
    const sine = sineSignal({ channel: 's', periodMs: 1000, amplitude: 2, offset: 10 });
    expect(sine.valueAt(0)).toBeCloseTo(10);
    expect(sine.valueAt(250)).toBeCloseTo(12);
    expect(sine.valueAt(500)).toBeCloseTo(10);
    expect(sine.valueAt(750)).toBeCloseTo(8);
    expect(sineSignal({ channel: 's', periodMs: 1000, phaseMs: 250 }).valueAt(500)).toBeCloseTo(1);
  });

  it('square: high for duty × period from the start of each period, also before t = 0', () => {
    const square = squareSignal({ channel: 'q', periodMs: 100, duty: 0.25, low: -1, high: 3 });
    expect([0, 24, 25, 99, 100, 124, -76, -75].map((t) => square.valueAt(t))).toEqual([3, 3, -1, -1, 3, 3, 3, -1]);
  });

  it('step: before until atMs, after from atMs on', () => {
    const step = stepSignal({ channel: 'x', atMs: 50, before: 1, after: 7 });
    expect([0, 49.9, 50, 1e6].map((t) => step.valueAt(t))).toEqual([1, 1, 7, 7]);
  });

  it('noise: the same seed and channel give the same values whatever the query order; seeds and channels differ', () => {
    const a = noiseSignal({ channel: 'n', seed: 7 });
    const times = [0, 5, 1, 1234567, 3];
    const forward = times.map((t) => a.valueAt(t));
    const again = [...times].reverse().map((t) => noiseSignal({ channel: 'n', seed: 7 }).valueAt(t)).reverse();
    expect(again).toEqual(forward);
    expect(noiseSignal({ channel: 'n', seed: 8 }).valueAt(5)).not.toBe(a.valueAt(5));
    expect(noiseSignal({ channel: 'm', seed: 7 }).valueAt(5)).not.toBe(a.valueAt(5));
  });

  it('noise: holds one draw per holdMs bucket and has the requested mean and spread', () => {
    const noise = noiseSignal({ channel: 'n', seed: 1, mean: 5, stddev: 2, holdMs: 10 });
    expect(noise.valueAt(20)).toBe(noise.valueAt(29.9));
    const values = sampleSeries(noise, 0, 200_000, 10).map((s) => s.value);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('sum: adds its parts at every instant', () => {
    const sum = sumSignals('t', [stepSignal({ channel: 'a', atMs: 10 }), sineSignal({ channel: 'b', periodMs: 40 })]);
    expect(sum.valueAt(10)).toBeCloseTo(2);
  });

  it('rejects nonsense parameters with E_SIM_CONFIG', () => {
    expect(() => sineSignal({ channel: 's', periodMs: 0 })).toThrow(expect.objectContaining({ code: 'E_SIM_CONFIG', path: 'periodMs' }));
    expect(() => squareSignal({ channel: 's', periodMs: 1, duty: 2 })).toThrow(expect.objectContaining({ code: 'E_SIM_CONFIG' }));
    expect(() => noiseSignal({ channel: 's', seed: 0.5 })).toThrow(expect.objectContaining({ code: 'E_SIM_CONFIG' }));
  });
});

describe('recording replay', () => {
  const csv = '# a recorded thermistor\nt_ms,channel,value,unit\n0,temp,20.5,C\n100,temp,21,C\n0,light,3,lx\n200,temp,22,C\n';

  it('parses CSV with extra columns and comments, and JSON lines, into the same samples', () => {
    const fromCsv = parseRecordingCsv(csv);
    const fromJson = parseRecordingJsonLines(fromCsv.map((s) => JSON.stringify(s)).join('\n'));
    expect(fromCsv).toHaveLength(4);
    expect(fromCsv[0]).toEqual({ channel: 'temp', value: 20.5, t_ms: 0 });
    expect(fromJson).toEqual(fromCsv);
  });

  it('holds each recorded value until the next, using only its own channel', () => {
    const replay = replaySignal({ channel: 'temp', samples: parseRecordingCsv(csv) });
    expect([-5, 0, 99, 100, 150, 200, 1e6].map((t) => replay.valueAt(t))).toEqual([20.5, 20.5, 20.5, 21, 21, 22, 22]);
  });

  it('loops with the span plus the last interval when asked', () => {
    const replay = replaySignal({ channel: 'temp', samples: parseRecordingCsv(csv), loop: true });
    expect([250, 300, 400, 500].map((t) => replay.valueAt(t))).toEqual([22, 20.5, 21, 22]);
  });

  it('names the file and line of a bad row (E_SIM_RECORDING)', () => {
    expect(() => parseRecordingCsv('t_ms,channel,value\n0,a,1\n5,a,warm\n', 'room.csv')).toThrow(
      expect.objectContaining({ code: 'E_SIM_RECORDING', path: 'room.csv:3' }),
    );
    expect(() => parseRecordingCsv('time,channel,value\n')).toThrow(expect.objectContaining({ code: 'E_SIM_RECORDING' }));
    expect(() => parseRecordingJsonLines('{"t_ms":0,"channel":"a","value":1}\n{nope\n', 'r.jsonl')).toThrow(
      expect.objectContaining({ code: 'E_SIM_RECORDING', path: 'r.jsonl:2' }),
    );
    expect(() => replaySignal({ channel: 'absent', samples: parseRecordingCsv(csv) })).toThrow(expect.objectContaining({ code: 'E_SIM_RECORDING' }));
  });

  it('loads .csv and .jsonl files by extension and refuses other extensions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasn-rec-'));
    try {
      writeFileSync(join(dir, 'r.csv'), csv);
      writeFileSync(join(dir, 'r.jsonl'), '{"t_ms":0,"channel":"temp","value":20.5}\n');
      writeFileSync(join(dir, 'r.txt'), '');
      expect(await loadRecording(join(dir, 'r.csv'))).toHaveLength(4);
      expect(await loadRecording(join(dir, 'r.jsonl'))).toEqual([{ channel: 'temp', value: 20.5, t_ms: 0 }]);
      await expect(loadRecording(join(dir, 'r.txt'))).rejects.toMatchObject({ code: 'E_SIM_RECORDING' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('simulated sensor on a clock', () => {
  it('emits every signal at start and each period, stamped with grid times, until stopped', () => {
    const clock = new ManualClock(1000);
    const samples: Sample[] = [];
    const sensor = startSimulatedSensor({
      signals: [stepSignal({ channel: 'door', atMs: 1015 }), squareSignal({ channel: 'led', periodMs: 20 })],
      periodMs: 10,
      clock,
      onSample: (s) => samples.push(s),
    });
    clock.advance(25);
    sensor.stop();
    clock.advance(100);
    expect(samples).toEqual([
      { channel: 'door', value: 0, t_ms: 1000 },
      { channel: 'led', value: 1, t_ms: 1000 },
      { channel: 'door', value: 0, t_ms: 1010 },
      { channel: 'led', value: 0, t_ms: 1010 },
      { channel: 'door', value: 1, t_ms: 1020 },
      { channel: 'led', value: 1, t_ms: 1020 },
    ]);
  });

  it('produces identical samples in two runs with the same seed', () => {
    const run = () => {
      const clock = new ManualClock();
      const samples: Sample[] = [];
      const sensor = startSimulatedSensor({ signals: [noiseSignal({ channel: 'n', seed: 42 })], periodMs: 5, clock, onSample: (s) => samples.push(s) });
      clock.advance(100);
      sensor.stop();
      return samples;
    };
    expect(run()).toEqual(run());
    expect(run()).toHaveLength(21);
  });
});
