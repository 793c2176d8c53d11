// Turns Signals into a stream of samples on an injected clock: the simulation-mode stand-in for real sensors.
//
// Samples are stamped with their scheduled grid time (start + k·period), not with when the timer happened to
// fire, so a run is reproducible sample for sample even on a loaded machine with the real clock.
import { HasnError } from '../../../core/errors.ts';
import { warnListenerError } from '../listeners.ts';
import type { IoClock, Sample, Unsubscribe } from '../types.ts';
import type { Signal } from './signals.ts';

/** Every signal's value at one instant. */
export function sampleSignals(signals: readonly Signal[], t_ms: number): Sample[] {
  return signals.map((signal) => ({ channel: signal.channel, value: signal.valueAt(t_ms), t_ms }));
}

/** One signal sampled on [fromMs, toMs) every periodMs. */
export function sampleSeries(signal: Signal, fromMs: number, toMs: number, periodMs: number): Sample[] {
  if (!(periodMs > 0)) throw new HasnError('E_SIM_CONFIG', `periodMs must be positive, got ${String(periodMs)}`, { path: 'periodMs' });
  const samples: Sample[] = [];
  for (let k = 0; fromMs + k * periodMs < toMs; k++) {
    const t = fromMs + k * periodMs;
    samples.push({ channel: signal.channel, value: signal.valueAt(t), t_ms: t });
  }
  return samples;
}

export interface SimulatedSensorOptions {
  signals: readonly Signal[];
  periodMs: number;
  clock: IoClock;
  onSample(sample: Sample): void;
  onListenerError?: (error: unknown) => void;
}

export interface SimulatedSensor {
  stop(): void;
}

/** Emits every signal's sample at start and then every period until stop(). */
export function startSimulatedSensor(options: SimulatedSensorOptions): SimulatedSensor {
  const { signals, periodMs, clock } = options;
  if (!(periodMs > 0)) throw new HasnError('E_SIM_CONFIG', `periodMs must be positive, got ${String(periodMs)}`, { path: 'periodMs' });
  const onListenerError = options.onListenerError ?? warnListenerError;
  const start = clock.now();
  let tick = 0;
  let stopped = false;
  let cancel: Unsubscribe | undefined;

  const emit = () => {
    if (stopped) return;
    const t = start + tick * periodMs;
    for (const sample of sampleSignals(signals, t)) {
      try {
        options.onSample(sample);
      } catch (error) {
        onListenerError(error);
      }
    }
    tick++;
    // If the process stalled past several grid points, resume on the grid rather than bursting through them.
    const now = clock.now();
    tick = Math.max(tick, Math.ceil((now - start) / periodMs));
    if (!stopped) cancel = clock.setTimer(start + tick * periodMs - now, emit);
  };

  emit();
  return {
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
