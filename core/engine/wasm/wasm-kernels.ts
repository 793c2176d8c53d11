// Loads kernels.wasm (built from assembly/kernels.ts by `npm run build:wasm`) against a network's arena and adapts it to `Kernels`.
import { readFileSync } from 'node:fs';
import { HasnError } from '../../errors.ts';
import type { PopulationLayout } from '../../compile/layout.ts';
import type { CompiledNetwork, Partition, SynapseBlock } from '../../compile/types.ts';
import { wasmApi, type WasmModule } from '../../compile/wasm-api.ts';
import type { Kernels } from '../kernels.ts';
import { ageLastSpikes, deliverInput, LAST_SPIKE_AGE_INTERVAL, ringOffset, updateSpikeSource } from '../neurons.ts';
import { PoissonSampler } from '../poisson.ts';
import { applyRewardStdp, columnBaseOf, updateTraces } from '../plasticity.ts';
import { lowerBound } from '../propagate.ts';

interface KernelExports {
  lifCond(...args: number[]): number;
  lif(...args: number[]): number;
  izhikevich(...args: number[]): number;
  propagateShared(pRow: number, pTarget: number, pSpikes: number, from: number, to: number, sourceOffset: number, pDest: number, w: number): void;
  propagateWeighted(pRow: number, pTarget: number, pWeight: number, pSpikes: number, from: number, to: number, sourceOffset: number, pDest: number): void;
  propagateDelayed(pRow: number, pTarget: number, weighted: number, pWeight: number, w: number, pDelay: number, pSpikes: number, from: number, to: number, sourceOffset: number, pSyn: number, pRing: number, step: number, slots: number, stride: number): void;
  stdpDepress(pRow: number, pTarget: number, pW: number, pPost: number, columnBase: number, pSpikes: number, from: number, to: number, sourceOffset: number, decay: number, aMinus: number, wMin: number, wMax: number, multiplicative: number): void;
  stdpPotentiate(pInPtr: number, pInSyn: number, pInSource: number, pW: number, pPre: number, pSpikes: number, from: number, to: number, targetOffset: number, decay: number, aPlus: number, wMin: number, wMax: number, multiplicative: number): void;
  decayTraces(pTrace: number, from: number, to: number, decay: number): void;
}

let cachedModule: WasmModule | null = null;

/** The compiled kernel module (compiled once per thread; a WebAssembly.Module can also be posted to workers). */
export function kernelModule(): WasmModule {
  if (cachedModule === null) {
    const bytes = readFileSync(new URL('./kernels.wasm', import.meta.url));
    try {
      cachedModule = new wasmApi.Module(bytes);
    } catch (err) {
      throw new HasnError('E_ENGINE_WASM', `the WebAssembly kernels do not load on this runtime (${(err as Error).message}); run with kernels 'ts'`);
    }
  }
  return cachedModule;
}

/** WebAssembly kernels over `net`'s arena; throws E_ENGINE_WASM when the network is not in wasm memory. */
export function wasmKernels(net: CompiledNetwork, module: WasmModule = kernelModule()): Kernels {
  const memory = net.arena.memory;
  if (memory === null) {
    throw new HasnError('E_ENGINE_WASM', 'this network was compiled into a plain SharedArrayBuffer (too large for wasm32, or memory: shared); use kernels \'ts\'');
  }
  const k = new wasmApi.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } }).exports as unknown as KernelExports;
  const s = net.state;
  const n = net.neuronCount;
  const stride = 2 * n;
  const ringBase = s.ring.byteOffset;
  const pSyn = s.syn.byteOffset;
  const pV = s.v.byteOffset;
  const pE = s.synE.byteOffset;
  const pI = s.synI.byteOffset;
  const pU = s.u.byteOffset;
  const pLast = s.lastSpike.byteOffset;
  const pTheta = s.theta.byteOffset;
  const poisson = new PoissonSampler(net);

  function update(pop: PopulationLayout, start: number, end: number, step: number, out: Uint32Array, count: number): number {
    const from = Math.max(start, pop.offset);
    const to = Math.min(end, pop.offset + pop.size);
    if (from >= to) return count;
    if (step % LAST_SPIKE_AGE_INTERVAL === 0) ageLastSpikes(s.lastSpike, from, to, step);
    const ringed = s.ringSlots > 0 ? 1 : 0;
    const pRingE = ringed ? ringBase + (step % s.ringSlots) * stride * 4 : 0;
    const pRingI = ringed ? pRingE + n * 4 : 0;
    const pOut = out.byteOffset;
    const c = pop.constants;
    const ad = pop.adaptation;
    switch (c.kind) {
      case 'lif_cond':
        return k.lifCond(pV, pE, pI, pLast, pTheta, ringed, pRingE, pRingI, from, to, step,
          c.dtOverCm, c.gl, c.vRest, c.eRevE, c.eRevI, c.iOffset, c.decayE, c.decayI,
          c.vThresh, c.vReset, c.refracSteps, ad === null ? 0 : 1, ad?.decay ?? 0, ad?.thetaPlus ?? 0, pOut, count);
      case 'lif':
        return k.lif(pV, pE, pI, pLast, pTheta, ringed, pRingE, pRingI, from, to, step,
          c.pm, c.pe, c.pi, c.ke, c.ki, c.vInf,
          c.vThresh, c.vReset, c.refracSteps, ad === null ? 0 : 1, ad?.decay ?? 0, ad?.thetaPlus ?? 0, pOut, count);
      case 'izhikevich':
        return k.izhikevich(pV, pU, pE, pI, pLast, ringed, pRingE, pRingI, from, to, step,
          c.a, c.b, c.c, c.d, c.vPeak, c.iOffset, c.dt, c.pe, c.pi, pOut, count);
      case 'poisson': {
        const exc = ringOffset(s, n, step);
        deliverInput(s, exc, exc + n, from, to);
        return poisson.update(s, from, to, step, out, count);
      }
      case 'spike_source': {
        const exc = ringOffset(s, n, step);
        deliverInput(s, exc, exc + n, from, to);
        return updateSpikeSource(s, from, to, step, out, count);
      }
    }
  }

  function propagate(part: Partition, block: SynapseBlock, spikes: Uint32Array, from: number, to: number, step: number): void {
    const first = lowerBound(spikes, from, to, block.sourceOffset);
    const last = lowerBound(spikes, first, to, block.sourceOffset + block.sourceSize);
    if (first === last) return;
    const pRow = block.rowPtr.byteOffset;
    const pTarget = part.target.byteOffset;
    const pSpikes = spikes.byteOffset;
    const pWeight = part.weight.byteOffset + block.weightShift * 4;
    const w = block.weightConstant;
    const d = block.delayConstant;
    if (d > 0) {
      const pDest = d === 1 ? pSyn : ringBase + ((step + d) % s.ringSlots) * stride * 4;
      if (w !== null) k.propagateShared(pRow, pTarget, pSpikes, first, last, block.sourceOffset, pDest, w);
      else k.propagateWeighted(pRow, pTarget, pWeight, pSpikes, first, last, block.sourceOffset, pDest);
      return;
    }
    const pDelay = part.delay.byteOffset + block.delayShift;
    // The step modulo the ring: wasm's i32 would wrap at 2³¹ steps, where the slot sequence does not.
    k.propagateDelayed(pRow, pTarget, w === null ? 1 : 0, pWeight, w ?? 0, pDelay, pSpikes, first, last, block.sourceOffset, pSyn, ringBase, step % s.ringSlots, s.ringSlots, stride);
  }

  /** Plasticity steps 1–3 for partition q's synapses: pair-based STDP in WebAssembly, reward_stdp in TypeScript (plasticity.ts). */
  function plasticity(q: number, merged: Uint32Array, count: number, sliceFrom: Int32Array, sliceTo: Int32Array): void {
    const partitions = net.partitions;
    const part = partitions[q]!;
    for (let p = 0; p < net.plastic.length; p++) {
      const proj = net.plastic[p]!;
      const rule = proj.rule;
      if (rule.rule !== 'stdp') {
        applyRewardStdp(net, proj, q, merged, count, net.reward[p]!);
        continue;
      }
      const block = part.blocks[proj.projectionIndex]!;
      const pW = part.weight.byteOffset;
      const multiplicative = rule.mode === 'multiplicative' ? 1 : 0;
      const wMin = Math.fround(rule.w_min);
      const wMax = Math.fround(rule.w_max);
      const { source, target } = proj;
      // 1. Depression: presynaptic spikes of every partition, in partition (= neuron) order.
      const columnBase = columnBaseOf(net, proj);
      for (let s = 0; s < partitions.length; s++) {
        const log = partitions[s]!.spikeLog;
        const first = lowerBound(log, sliceFrom[s]!, sliceTo[s]!, source.offset);
        const last = lowerBound(log, first, sliceTo[s]!, source.offset + source.size);
        if (first < last) {
          k.stdpDepress(block.rowPtr.byteOffset, part.target.byteOffset, pW + block.weightShift * 4, proj.postTrace.byteOffset, columnBase,
            log.byteOffset, first, last, source.offset, proj.decayMinus, Math.fround(rule.a_minus), wMin, wMax, multiplicative);
        }
      }
      // 2. Potentiation: postsynaptic spikes; partition q's synapses end only in q's own neurons, so its own log holds them all.
      const log = part.spikeLog;
      const first = lowerBound(log, sliceFrom[q]!, sliceTo[q]!, target.offset);
      const last = lowerBound(log, first, sliceTo[q]!, target.offset + target.size);
      if (first < last) {
        const index = proj.perPartition[q]!;
        k.stdpPotentiate(index.inPtr.byteOffset, index.inSyn.byteOffset, index.inSource.byteOffset, pW, proj.preTrace.byteOffset,
          log.byteOffset, first, last, target.offset, proj.decayPlus, Math.fround(rule.a_plus), wMin, wMax, multiplicative);
      }
    }
  }

  const decayTraces = (trace: Float32Array, from: number, to: number, decay: number): void => k.decayTraces(trace.byteOffset, from, to, decay);
  const traces = (start: number, end: number, merged: Uint32Array, count: number): void => updateTraces(net, start, end, merged, count, decayTraces);

  return { kind: 'wasm', update, propagate, plasticity, traces };
}
