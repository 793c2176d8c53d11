// The encoder and decoder contracts: what the agent calls before and after each engine step.
import type { Decoder, Encoder } from '../spec/schema.ts';

/** What an encoder needs besides its spec: the network seed, its own random stream, the step length. */
export interface EncoderContext {
  /** The network seed (spec.seed), an unsigned 32-bit integer. */
  seed: number;
  /** This input's random stream, e.g. `streamId(input.id)`, so inputs never share draws. */
  stream: number;
  dt_ms: number;
  /** Where the encoder sits in the spec, for error messages (`inputs[2].encoder`). */
  path?: string;
}

/** What a decoder needs besides its spec. */
export interface DecoderContext {
  dt_ms: number;
  /** Where the decoder sits in the spec, for error messages (`outputs[0].decoder`). */
  path?: string;
}

/**
 * Turns a sensor value into the spikes of a spike_source population, one step at a time.
 * The agent calls `setValue` whenever the sensor reports, then `emit` exactly once per engine step.
 */
export interface SpikeEncoder {
  readonly kind: Encoder['type'];
  /** Neurons in the source population; local indices are 0 … size − 1. */
  readonly size: number;
  /** How many values `setValue` takes: a scalar is broadcast to all channels, a vector must have this length. */
  readonly channels: number;
  /** Sets the value encoded from now on. Throws `E_CODEC_VALUE` (leaving the old value) on a non-finite value or wrong length. */
  setValue(value: number | ArrayLike<number>): void;
  /** Writes the neurons that fire in `step` into `out` (length ≥ size), ascending; returns how many. Never allocates. */
  emit(step: number, out: Uint32Array): number;
  /** Back to the state right after creation: no value set, nothing latched. */
  reset(): void;
  /** Everything needed to continue exactly: the value(s) set and any window or level state. */
  state(): Float64Array;
  /** Restores a `state()` of an encoder of the same kind and size; throws `E_CODEC_STATE` and changes nothing otherwise. */
  restore(state: Float64Array): void;
}

/** A decoder's reading: `value` drives the actuator or topic (null when there is nothing to decode yet). JSON-safe. */
export type DecodedOutput =
  | {
    kind: 'rate';
    /** Mean firing rate of the population over the window, Hz. */
    value: number | null;
    /** Firing rate of each neuron over the window, Hz. */
    rates_hz: number[];
    /** The window length the rates are measured over: shorter than window_ms until that many steps were observed. */
    span_ms: number;
  }
  | {
    kind: 'first_spike';
    /** Local index of the first neuron to fire in the current window (ties: lowest index). */
    value: number | null;
    /** Time from the window's start to that spike. */
    latency_ms: number | null;
    /** First step of the current window (windows are aligned to step 0); null before any step was observed. */
    window_start_step: number | null;
  }
  | {
    kind: 'population_vector';
    /** Σ countᵢ·μᵢ / Σ countᵢ, with μᵢ the neurons' preferred values evenly spaced over [min, max]. */
    value: number | null;
    /** Spikes in the window the estimate rests on. */
    spikes: number;
    span_ms: number;
  }
  | {
    kind: 'winner_take_all';
    /** Local index of the neuron with most spikes in the window (ties: lowest index), if it has ≥ min_spikes. */
    value: number | null;
    /** Spikes of the leading neuron, whether or not it reached min_spikes. */
    winner_spikes: number;
    total_spikes: number;
    span_ms: number;
  };

/** Turns a population's spikes into a value, one step at a time. */
export interface SpikeDecoder {
  readonly kind: Decoder['type'];
  /** Neurons in the observed population; spike indices must be 0 … size − 1. */
  readonly size: number;
  /**
   * Records the spikes of `step` (`spikes[0 … count − 1]`, local indices, any order). Steps must not go back;
   * the same step may be observed again to add more spikes (e.g. one call per worker slice); skipped steps count as silent.
   * Throws `E_CODEC_STEP` / `E_CODEC_SPIKES` and records nothing on invalid input. Never allocates once warmed up.
   */
  observe(step: number, spikes: Uint32Array, count: number): void;
  read(): DecodedOutput;
  /** Forgets every observed spike. */
  reset(): void;
  state(): Float64Array;
  /** Restores a `state()` of a decoder of the same kind and size; throws `E_CODEC_STATE` and changes nothing otherwise. */
  restore(state: Float64Array): void;
}
