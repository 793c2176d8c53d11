// The compiler's memory layout: one arena, shared constant weights and delays, no ring without long delays, and its fast hash path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { memoryFootprint } from '../../core/compile/footprint.ts';
import { hashFrom, hash4, keyPrefix, uniform53, uniform53From } from '../../core/random.ts';
import { coba, izhikevichWithDelays, plasticNetwork } from './networks.ts';

describe('compiled network layout', () => {
  it('hash4 gives the values every stored network and spike train was drawn with (known answers)', () => {
    expect(hash4(0, 0, 0, 0)).toBe(2985231312);
    expect(hash4(1, 2, 3, 4)).toBe(2309291034);
    expect(hash4(0xffffffff, 0x12345678, 784, 2 ** 32 - 1)).toBe(4004259529);
    expect(hash4(7, 0x9e3779b9, 123456, 99)).toBe(2065011849);
  });

  it('draws exactly hash4 and uniform53 from a key prefix', () => {
    fc.assert(fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), (seed, stream, a, b) => {
      expect(uniform53From(keyPrefix(seed, stream, a), b)).toBe(uniform53(seed, stream, a, b));
      expect(hashFrom(keyPrefix(seed, stream, a), b)).toBe(hash4(seed, stream, a, b));
    }), { numRuns: 500, seed: 9 });
  });

  it('stores 4 bytes per synapse when weights and delays are constant per projection (COBA), with no ring', () => {
    const net = compileNetwork(coba(), { partitions: 2 });
    for (const part of net.partitions) {
      expect(part.weight.length).toBe(0);
      expect(part.delay.length).toBe(0);
      for (const block of part.blocks) expect(block.weightConstant).toBe(Math.fround(net.spec.projections[block.projection]!.weight as number));
    }
    expect(net.state.ringSlots).toBe(0);
    expect(net.state.ring.length).toBe(0);
    const footprint = memoryFootprint(net);
    expect(footprint.bytesPerSynapse).toBeGreaterThan(4);
    expect(footprint.bytesPerSynapse).toBeLessThan(4.5); // + row pointers
    expect(footprint.totalBytes).toBeGreaterThanOrEqual(footprint.neuronBytes + footprint.synapseBytes);
  });

  it('keeps per-synapse weights and delays only for projections that need them, and a ring of maxDelay slots', () => {
    const net = compileNetwork(izhikevichWithDelays(), { partitions: 3 });
    const counts = net.partitions.map((p) => p.blocks.map((b) => b.rowPtr[b.sourceSize]! - b.rowPtr[0]!));
    const projections = net.spec.projections;
    const weighted = (k: number): boolean => typeof projections[k]!.weight !== 'number';
    const delayed = (k: number): boolean => typeof projections[k]!.delay_ms === 'object';
    net.partitions.forEach((part, q) => {
      expect(part.weight.length).toBe(counts[q]!.reduce((sum, c, k) => sum + (weighted(k) ? c : 0), 0));
      expect(part.delay.length).toBe(counts[q]!.reduce((sum, c, k) => sum + (delayed(k) ? c : 0), 0));
    });
    expect(net.maxDelay).toBe(16);
    expect(net.state.ringSlots).toBe(16);
    expect(net.state.ring.length).toBe(16 * 2 * net.neuronCount);
  });

  it('gives plastic projections their own weights, and puts every array in one 64-byte-aligned wasm memory (or a plain SharedArrayBuffer when asked)', () => {
    const net = compileNetwork(plasticNetwork(), { partitions: 2 });
    const stdp = net.plastic.find((p) => p.id === 'inh_exc')!; // a constant-weight projection, but plastic
    for (const part of net.partitions) expect(part.blocks[stdp.projectionIndex]!.weightConstant).toBeNull();
    expect(net.arena.kind).toBe('wasm');
    expect(net.arena.memory!.buffer).toBe(net.arena.buffer);
    const arrays = [net.state.v, net.state.syn, net.state.lastSpike, net.state.ring, ...net.partitions.flatMap((p) => [p.target, p.weight, p.spikeLog]), stdp.preTrace];
    for (const a of arrays) {
      expect(a.buffer).toBe(net.arena.buffer);
      expect(a.byteOffset % 64).toBe(0);
    }
    const shared = compileNetwork(plasticNetwork(), { memory: 'shared' });
    expect(shared.arena.kind).toBe('shared');
    expect(shared.arena.memory).toBeNull();
    expect(shared.state.v.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
