// Runs the quantized integer Akida model step by step: input events accumulate over a frame, one inference per frame.
//
// Timing: input spikes are reported at the step they occur. At the last step of each frame the integer model runs
// on the frame's input counts; a unit with activation a then spikes at the first a steps of the next frame (a frame
// of latency, the counterpart of the CPU engine's one-step delay per projection, and a ≤ frame length).
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import { inputSpikes } from './inputs.ts';
import { activationBuffers, forward, type AkidaModel } from './model.ts';

/** The whole mutable state: what a snapshot saves. */
export interface AkidaState {
  step: number;
  /** Input spike counts of the current frame (InputData order). */
  readonly counts: Float64Array;
  /** Activations of the last completed frame, being emitted as spikes in this one (per layer). */
  readonly pending: readonly Uint8Array[];
  /** spike_source marks for the coming step (by global index). */
  readonly inject: Uint8Array;
}

export function initialAkidaState(net: CompiledNetwork, model: AkidaModel): AkidaState {
  return {
    step: 0, counts: new Float64Array(model.inputSize),
    pending: model.layers.map((l) => new Uint8Array(l.units)), inject: new Uint8Array(net.neuronCount),
  };
}

export class AkidaEmulator {
  readonly spikes: Uint32Array;
  spikeCount = 0;
  private readonly fired: Uint32Array;
  private readonly buffers: ReturnType<typeof activationBuffers>;

  constructor(readonly net: CompiledNetwork, readonly model: AkidaModel, readonly state: AkidaState = initialAkidaState(net, model)) {
    this.spikes = new Uint32Array(net.neuronCount);
    this.fired = new Uint32Array(model.inputSize);
    this.buffers = activationBuffers(model);
  }

  get step(): number {
    return this.state.step;
  }

  inject(globalIndices: ArrayLike<number>): void {
    for (let k = 0; k < globalIndices.length; k++) this.state.inject[globalIndices[k]!] = 1;
  }

  advance(): void {
    const { model, state } = this;
    const W = model.windowSteps;
    const position = state.step % W;
    let count = 0;
    const n = inputSpikes(this.net, model, state.step, state.inject, this.fired);
    for (let k = 0; k < n; k++) {
      const i = this.fired[k]!;
      state.counts[i]!++;
      this.spikes[count++] = model.globalOfInput[i]!;
    }
    for (let l = 0; l < model.layers.length; l++) {
      const pending = state.pending[l]!;
      const globals = model.globalOfUnit[l]!;
      for (let j = 0; j < pending.length; j++) if (pending[j]! > position) this.spikes[count++] = globals[j]!;
    }
    // Inputs and layers interleave in global order; spikes of a step are reported ascending.
    this.spikes.subarray(0, count).sort();
    this.spikeCount = count;
    if (position === W - 1) {
      forward(model, state.counts, true, this.buffers.out, this.buffers.potential);
      for (let l = 0; l < model.layers.length; l++) state.pending[l]!.set(this.buffers.out[l]!);
      state.counts.fill(0);
    }
    state.step += 1;
  }
}

const MAGIC = 0x41444b41; // "AKDA" little-endian
const VERSION = 1;

/** magic | version u16 | reserved u16 | inputs u32 | units u32 | neurons u32 | counts u16 × inputs | pending u8 × units | inject u8 × neurons */
export function encodeAkidaState(s: AkidaState): Uint8Array {
  const units = s.pending.reduce((n, p) => n + p.length, 0);
  const inputs = s.counts.length;
  const out = new Uint8Array(20 + 2 * inputs + units + s.inject.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, VERSION, true);
  view.setUint32(8, inputs, true);
  view.setUint32(12, units, true);
  view.setUint32(16, s.inject.length, true);
  for (let i = 0; i < inputs; i++) view.setUint16(20 + 2 * i, s.counts[i]!, true);
  let at = 20 + 2 * inputs;
  for (const p of s.pending) { out.set(p, at); at += p.length; }
  out.set(s.inject, at);
  return out;
}

export function decodeAkidaState(bytes: Uint8Array, net: CompiledNetwork, model: AkidaModel, step: number): AkidaState {
  const corrupt = (why: string): HasnError => new HasnError('E_SNAPSHOT_CORRUPT', `Akida emulator state is unusable: ${why}`);
  if (bytes.length < 20) throw corrupt(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupt('bad magic');
  if (view.getUint16(4, true) !== VERSION) throw new HasnError('E_SNAPSHOT_VERSION', `Akida emulator state version ${view.getUint16(4, true)} is not supported (this build reads ${VERSION})`);
  const state = initialAkidaState(net, model);
  const units = state.pending.reduce((n, p) => n + p.length, 0);
  if (view.getUint32(8, true) !== model.inputSize || view.getUint32(12, true) !== units || view.getUint32(16, true) !== net.neuronCount) throw corrupt('it was taken from a different Akida model');
  if (bytes.length !== 20 + 2 * model.inputSize + units + net.neuronCount) throw corrupt(`length ${bytes.length} does not match its header`);
  for (let i = 0; i < model.inputSize; i++) state.counts[i] = view.getUint16(20 + 2 * i, true);
  let at = 20 + 2 * model.inputSize;
  for (const p of state.pending) { p.set(bytes.subarray(at, at + p.length)); at += p.length; }
  state.inject.set(bytes.subarray(at, at + net.neuronCount));
  state.step = step;
  return state;
}
