// One spec input wired to its encoder: sensor values in, the spike_source population's spikes out, once per step.
import { createEncoder, type SpikeEncoder } from '../../core/codec/encoders.ts';
import type { PopulationLayout } from '../../core/compile/layout.ts';
import { streamId } from '../../core/random.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

type InputSpec = NetworkSpec['inputs'][number];

export class InputBinding {
  readonly id: string;
  readonly channel: string;
  readonly encoder: SpikeEncoder;
  /** Local indices emitted in the current step (preallocated: the step loop never allocates). */
  readonly emitted: Uint32Array;
  /** The last value set (sensor or API), for status and the dashboard; null before the first. */
  value: number | readonly number[] | null = null;
  /** Agent clock (ms) when a value arrived that has not yet produced a spike; NaN when none is waiting. */
  pendingSince = Number.NaN;
  /** Agent clock (ms) when a value arrived that no step has encoded yet; NaN when none is waiting. */
  unencodedSince = Number.NaN;
  /** Set by the step loop when the pending value produced spikes in the step being run. */
  firedPending = false;

  constructor(
    spec: InputSpec,
    readonly population: PopulationLayout,
    seed: number,
    dt_ms: number,
    index: number,
  ) {
    this.id = spec.id;
    this.channel = spec.channel;
    this.encoder = createEncoder(spec.encoder, population.size, { seed, stream: streamId(spec.id), dt_ms, path: `inputs[${index}].encoder` });
    this.emitted = new Uint32Array(population.size);
  }

  /** Sets the encoded value; throws E_CODEC_VALUE (keeping the old value) for a non-finite value or wrong length. */
  setValue(value: number | readonly number[], now: number): void {
    this.encoder.setValue(value);
    this.value = typeof value === 'number' ? value : [...value];
    if (Number.isNaN(this.pendingSince)) this.pendingSince = now;
    if (Number.isNaN(this.unencodedSince)) this.unencodedSince = now;
  }
}
