// Brain state of a SpiNNaker emulation in the core snapshot format: float sections for any backend, exact integers in `extra.spinnaker`.
//
// The core sections (neuron.v, syn_e, syn_i, u, last_spike, delay ring, …) receive the fixed-point state converted
// to floats, so a CPU session can resume from it (approximately: the arithmetic differs). The exact emulator
// state rides along as one opaque extra section, little-endian:
//   magic "SPNK" | version u16 | reserved u16 | neurons u32 | slots u32 | saturations f64
//   | v, syn_e, syn_i, timer, u: i32 × neurons each | inject: u8 × neurons | ring: u16 × slots·2·neurons
// Restoring a snapshot that lacks it (e.g. one taken by the cpu backend) rebuilds the integer state from the floats.
import { NEVER_SPIKED } from '../../../core/compile/compile.ts';
import type { CompiledNetwork } from '../../../core/compile/types.ts';
import { HasnError } from '../../../core/errors.ts';
import { encodeSnapshot, restoreSnapshot } from '../../../core/state/index.ts';
import { fromAccum, roundHalfEven, toAccum } from './accum.ts';
import type { EmulatorState, SpinnakerPlan } from './emulator.ts';
import { globalWeightScale } from './params.ts';

export const SPINNAKER_EXTRA = 'spinnaker';
const MAGIC = 0x4b4e5053; // "SPNK" little-endian
const VERSION = 1;
const HEADER = 4 + 2 + 2 + 4 + 4 + 8;

export function encodeEmulatorState(s: EmulatorState): Uint8Array {
  const n = s.v.length;
  const size = HEADER + 5 * 4 * n + n + 2 * s.ring.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, VERSION, true);
  view.setUint32(8, n, true);
  view.setUint32(12, s.slots, true);
  view.setFloat64(16, s.saturations, true);
  let at = HEADER;
  for (const array of [s.v, s.synE, s.synI, s.timer, s.u]) {
    for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, array[i]!, true);
    at += 4 * n;
  }
  out.set(s.inject, at);
  at += n;
  for (let i = 0; i < s.ring.length; i++) view.setUint16(at + 2 * i, s.ring[i]!, true);
  return out;
}

export function decodeEmulatorState(bytes: Uint8Array, plan: SpinnakerPlan, step: number): EmulatorState {
  const corrupt = (why: string): HasnError => new HasnError('E_SNAPSHOT_CORRUPT', `SpiNNaker emulator state is unusable: ${why}`);
  if (bytes.length < HEADER) throw corrupt(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupt('bad magic');
  if (view.getUint16(4, true) !== VERSION) throw new HasnError('E_SNAPSHOT_VERSION', `SpiNNaker emulator state version ${view.getUint16(4, true)} is not supported (this build reads ${VERSION})`);
  const n = view.getUint32(8, true);
  const slots = view.getUint32(12, true);
  if (n !== plan.net.neuronCount || slots !== plan.synapses.maxDelay + 1) throw corrupt(`it holds ${n} neurons and ${slots} delay slots, the network has ${plan.net.neuronCount} and ${plan.synapses.maxDelay + 1}`);
  if (bytes.length !== HEADER + 5 * 4 * n + n + 4 * slots * n) throw corrupt(`length ${bytes.length} does not match its header`);
  const arrays = Array.from({ length: 5 }, (_, k) => {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = view.getInt32(HEADER + 4 * (k * n + i), true);
    return a;
  });
  let at = HEADER + 5 * 4 * n;
  const inject = bytes.slice(at, at + n);
  at += n;
  const ring = new Uint16Array(2 * slots * n);
  for (let i = 0; i < ring.length; i++) ring[i] = view.getUint16(at + 2 * i, true);
  return {
    step, saturations: view.getFloat64(16, true),
    v: arrays[0]!, synE: arrays[1]!, synI: arrays[2]!, timer: arrays[3]!, u: arrays[4]!,
    inject, ring, slots,
  };
}

/** Writes the emulator state, converted to floats, into `net` (a network owned by the caller) and encodes the snapshot. */
export function snapshotEmulator(plan: SpinnakerPlan, net: CompiledNetwork, s: EmulatorState): Uint8Array {
  const st = net.state;
  const n = net.neuronCount;
  st.ring.fill(0);
  net.populations.forEach((pop, p) => {
    const model = plan.models[p]!;
    const g = globalWeightScale(model.kind);
    for (let i = pop.offset; i < pop.offset + pop.size; i++) {
      st.inject[i] = s.inject[i]!;
      if (model.kind === 'poisson' || model.kind === 'spike_source') continue;
      st.v[i] = fromAccum(s.v[i]!);
      st.synE[i] = fromAccum(s.synE[i]!) / g;
      st.synI[i] = fromAccum(s.synI[i]!) / g;
      if (model.kind === 'izhikevich') {
        st.u[i] = fromAccum(s.u[i]!);
      } else {
        // A running refractory timer t after a spike at tick m means m = step − 1 − (T − t).
        const t = s.timer[i]!;
        st.lastSpike[i] = t > 0 ? s.step - 1 - (model.refractSteps - t) : NEVER_SPIKED;
      }
    }
    // Pending ring-buffer input, in the units of the float ring (nA or µS), slot by absolute step.
    for (let ahead = 0; ahead < Math.min(s.slots, st.ringSlots); ahead++) {
      const m = s.step + ahead;
      const from = (m % s.slots) * 2 * n;
      const to = (m % st.ringSlots) * 2 * n;
      for (let r = 0; r < 2; r++) {
        const unit = 2 ** (plan.synapses.shifts[2 * p + r]! - 15) / g;
        for (let i = pop.offset; i < pop.offset + pop.size; i++) {
          const q = s.ring[from + r * n + i]!;
          if (q !== 0) st.ring[to + r * n + i] = q * unit;
        }
      }
    }
  });
  return encodeSnapshot(net, s.step, { [SPINNAKER_EXTRA]: encodeEmulatorState(s) });
}

/** Restores a snapshot into `net` and returns the emulator state: exact if it carries one, else rebuilt from the floats. */
export function restoreEmulator(plan: SpinnakerPlan, net: CompiledNetwork, bytes: Uint8Array): EmulatorState {
  const { step, extra } = restoreSnapshot(net, bytes);
  const exact = extra[SPINNAKER_EXTRA];
  if (exact) return decodeEmulatorState(exact, plan, step);
  return stateFromFloats(plan, net, step);
}

function stateFromFloats(plan: SpinnakerPlan, net: CompiledNetwork, step: number): EmulatorState {
  const st = net.state;
  const n = net.neuronCount;
  const slots = plan.synapses.maxDelay + 1;
  const s: EmulatorState = {
    step, saturations: 0,
    v: new Int32Array(n), synE: new Int32Array(n), synI: new Int32Array(n), timer: new Int32Array(n), u: new Int32Array(n),
    inject: Uint8Array.from(st.inject), ring: new Uint16Array(2 * slots * n), slots,
  };
  net.populations.forEach((pop, p) => {
    const model = plan.models[p]!;
    if (model.kind === 'poisson' || model.kind === 'spike_source') return;
    const g = globalWeightScale(model.kind);
    for (let i = pop.offset; i < pop.offset + pop.size; i++) {
      s.v[i] = toAccum(st.v[i]!, 'neuron.v');
      s.synE[i] = toAccum(st.synE[i]! * g, 'neuron.syn_e');
      s.synI[i] = toAccum(st.synI[i]! * g, 'neuron.syn_i');
      if (model.kind === 'izhikevich') {
        s.u[i] = toAccum(st.u[i]!, 'neuron.u');
        s.timer[i] = model.h;
      } else {
        const since = (step - st.lastSpike[i]!) | 0; // lastSpike is the step modulo 2³² (core/engine/neurons.ts)
        s.timer[i] = since >= 1 && since <= model.refractSteps ? model.refractSteps - since + 1 : 0;
      }
    }
    for (let ahead = 0; ahead < Math.min(slots, st.ringSlots); ahead++) {
      const m = step + ahead;
      const from = (m % st.ringSlots) * 2 * n;
      const to = (m % slots) * 2 * n;
      for (let r = 0; r < 2; r++) {
        const unit = 2 ** (plan.synapses.shifts[2 * p + r]! - 15) / g;
        for (let i = pop.offset; i < pop.offset + pop.size; i++) {
          const x = st.ring[from + r * n + i]!;
          if (x !== 0) s.ring[to + r * n + i] = Math.min(0xffff, roundHalfEven(x / unit));
        }
      }
    }
  });
  return s;
}
