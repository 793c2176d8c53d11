// Winner-take-all decoder: the neuron with most spikes in a sliding window, if it has at least min_spikes.
import type { Decoder } from '../spec/schema.ts';
import { STATE_TAG } from './codec-state.ts';
import type { DecodedOutput, DecoderContext } from './contracts.ts';
import { SlidingWindowDecoder } from './sliding-window-decoder.ts';

type WinnerTakeAllSpec = Extract<Decoder, { type: 'winner_take_all' }>;

/** Ties go to the lowest index. Null before any step was observed, even with min_spikes 0. */
export class WinnerTakeAllDecoder extends SlidingWindowDecoder {
  readonly kind = 'winner_take_all' as const;
  private readonly minSpikes: number;

  constructor(spec: WinnerTakeAllSpec, size: number, ctx: DecoderContext, path: string) {
    super(size, spec.window_ms, ctx, path, STATE_TAG.winner_take_all_decoder);
    this.minSpikes = spec.min_spikes;
  }

  read(): DecodedOutput {
    const counts = this.window.counts;
    let winner = 0;
    for (let i = 1; i < this.size; i++) if (counts[i] > counts[winner]) winner = i;
    const winner_spikes = counts[winner];
    const span_ms = this.spanMs();
    const decided = span_ms > 0 && winner_spikes >= this.minSpikes;
    return { kind: 'winner_take_all', value: decided ? winner : null, winner_spikes, total_spikes: this.window.total, span_ms };
  }
}
