// Config → drivers/io/sim signals: what a simulated sensor reads at each instant (sine, square, step, noise, replay, + noise).
import { loadRecording, replaySignal } from '../../drivers/io/sim/replay.ts';
import { noiseSignal, sineSignal, squareSignal, stepSignal, sumSignals, type Signal } from '../../drivers/io/sim/signals.ts';
import type { SensorSource } from '../config/schema.ts';

type SimSource = Extract<SensorSource, { type: 'sim' }>;

/** The signal of a simulated sensor on `channel`; replay reads its recording (E_SIM_RECORDING if unusable). */
export async function buildSignal(channel: string, source: SimSource, samplePeriodMs: number): Promise<Signal> {
  const s = source.signal;
  let base: Signal;
  switch (s.type) {
    case 'sine':
      // sin(2πt/P + φ) = sin(2π(t − phase)/P) with phase = −φ/360 · P
      base = sineSignal({ channel, periodMs: s.period_s * 1000, amplitude: s.amplitude, offset: s.offset, phaseMs: (-s.phase_deg / 360) * s.period_s * 1000 });
      break;
    case 'square':
      base = squareSignal({ channel, periodMs: s.period_s * 1000, low: s.low, high: s.high, duty: s.duty });
      break;
    case 'step':
      base = stepSignal({ channel, atMs: s.at_s * 1000, before: s.before, after: s.after });
      break;
    case 'noise':
      base = noiseSignal({ channel, seed: source.seed, mean: s.mean, stddev: s.sd, holdMs: samplePeriodMs });
      break;
    case 'replay': {
      const samples = await loadRecording(s.file);
      base = replaySignal({ channel: s.channel ?? channel, samples, loop: s.loop });
      break;
    }
  }
  if (source.noise_sd === 0) return base;
  // A different stream from a noise signal's own draws: the seed is shared, the channel key differs.
  const noise = noiseSignal({ channel: `${channel}#noise`, seed: source.seed, mean: 0, stddev: source.noise_sd, holdMs: samplePeriodMs });
  return sumSignals(channel, [base, noise]);
}
