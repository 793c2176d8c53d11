// Loihi emulator state ↔ the core snapshot format: exact integers in extra sections, dequantized floats in the neuron state.
//
// A loihi snapshot is a normal core snapshot of the spec's compiled network, so the cpu backend can
// restore it (approximately: v, currents and pending input are dequantized). The emulator's own integer
// state travels in sections `extra.loihi.u.<population>`, `extra.loihi.v.<population>` and
// `extra.loihi.buffer.<projection>`, so restoring on loihi is exact. A cpu snapshot restored on loihi is
// quantized like the spec's initial state.
import { compileNetwork } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import type { LoihiEmulator } from './emulate.ts';
import { MAX_UV, V_MAX, V_MIN } from './fixed-point.ts';

const bytesOf = (a: Int32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

export function encodeLoihiSnapshot(spec: NetworkSpec, emulator: LoihiEmulator): Uint8Array {
  const net = compileNetwork(spec, { partitions: 1 });
  const { state } = net;
  const extra: Record<string, Uint8Array> = {};
  state.synE.fill(0);
  state.synI.fill(0);
  emulator.net.populations.forEach((pop, p) => {
    const s = emulator.lifState(p);
    if (pop.kind !== 'lif' || s === null) return;
    extra[`loihi.u.${pop.id}`] = bytesOf(s.u);
    extra[`loihi.v.${pop.id}`] = bytesOf(s.v);
    for (let i = 0; i < pop.size; i++) {
      const g = pop.offset + i;
      state.v[g] = pop.zeroMv + s.v[i]! / pop.unitsPerMv;
      // u is the current after delivery; the float engine stores it already decayed once.
      const current = (s.u[i]! / pop.uPerNa) * pop.synapticDecay;
      if (current >= 0) state.synE[g] = current;
      else state.synI[g] = -current;
    }
  });
  const n = net.neuronCount;
  // Input due at `step` waits in that step's ring slot; without a ring (every delay one step) the
  // engine has already added it to synE/synI, which `syn` holds in the same exc-then-inh layout.
  const pending = state.ringSlots > 0 ? state.ring : state.syn;
  const slot = state.ringSlots > 0 ? (emulator.step % state.ringSlots) * 2 * n : 0;
  state.ring.fill(0);
  emulator.net.dense.forEach((d, k) => {
    const buffer = emulator.denseBuffer(k);
    extra[`loihi.buffer.${d.id}`] = bytesOf(buffer);
    const target = emulator.net.populations[d.target]!;
    if (target.kind !== 'lif') return;
    for (let i = 0; i < buffer.length; i++) {
      const input = ((buffer[i]! | 0) * 2 ** 6) / target.uPerNa;
      if (input >= 0) pending[slot + target.offset + i]! += input;
      else pending[slot + n + target.offset + i]! -= input;
    }
  });
  return encodeSnapshot(net, emulator.step, extra);
}

/** Loads a snapshot into a fresh emulator state; returns the step to continue from. */
export function restoreLoihiSnapshot(spec: NetworkSpec, emulator: LoihiEmulator, bytes: Uint8Array): number {
  const net: CompiledNetwork = compileNetwork(spec, { partitions: 1 });
  const { step, extra } = restoreSnapshot(net, bytes);
  const exact = emulator.net.populations.every((pop) => pop.kind !== 'lif' || `loihi.u.${pop.id}` in extra);
  emulator.net.populations.forEach((pop, p) => {
    const s = emulator.lifState(p);
    if (pop.kind !== 'lif' || s === null) return;
    if (exact) {
      s.u.set(int32Section(extra, `loihi.u.${pop.id}`, pop.size));
      s.v.set(int32Section(extra, `loihi.v.${pop.id}`, pop.size));
      return;
    }
    for (let i = 0; i < pop.size; i++) {
      const g = pop.offset + i;
      s.v[i] = Math.min(V_MAX, Math.max(V_MIN, Math.round((net.state.v[g]! - pop.zeroMv) * pop.unitsPerMv)));
      const u = Math.round((pop.uPerNa * (net.state.synE[g]! - net.state.synI[g]!)) / pop.synapticDecay);
      s.u[i] = Math.min(MAX_UV, Math.max(-MAX_UV + 1, u));
    }
  });
  const n = net.neuronCount;
  const slot = (step % net.state.ringSlots) * 2 * n;
  const seeded = new Set<number>();
  emulator.net.dense.forEach((d, k) => {
    const buffer = emulator.denseBuffer(k);
    if (exact) {
      const name = `loihi.buffer.${d.id}`;
      const bytes = extra[name];
      if (bytes === undefined || bytes.length !== buffer.length * 8) throw corrupt(name);
      buffer.set(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
      return;
    }
    // Pending float input of a population goes into the first Dense that targets it.
    buffer.fill(0);
    const target = emulator.net.populations[d.target]!;
    // Without a ring the pending input was merged into synE/synI, which already went into u above.
    if (target.kind !== 'lif' || seeded.has(d.target) || net.state.ringSlots === 0) return;
    seeded.add(d.target);
    for (let i = 0; i < buffer.length; i++) {
      const g = target.offset + i;
      buffer[i] = Math.round((target.uPerNa * (net.state.ring[slot + g]! - net.state.ring[slot + n + g]!)) / 2 ** 6);
    }
  });
  emulator.step = step;
  return step;
}

function int32Section(extra: Record<string, Uint8Array>, name: string, length: number): Int32Array {
  const bytes = extra[name];
  if (bytes === undefined || bytes.length !== length * 4) throw corrupt(name);
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function corrupt(name: string): HasnError {
  return new HasnError('E_SNAPSHOT_CORRUPT', `loihi snapshot section "${name}" is missing or has the wrong size`, { path: name });
}
