// The phase gate: own tasks first, others' when free; a phase completes when all tasks finished (not when every thread arrived); failures release waiters.
import { describe, expect, it } from 'vitest';
import { createControlBlock, EngineAborted, reportFailure, SharedGate, SLOT_FINISHED, SoloGate } from '../../core/engine/parallel/control.ts';

/** Claims and finishes every task it can get in `phase`; returns them in order. */
function drain(gate: SharedGate, phase: number): number[] {
  const ran: number[] = [];
  for (let q = gate.claim(phase); q >= 0; q = gate.claim(phase)) {
    ran.push(q);
    gate.finish(phase);
  }
  return ran;
}

describe('phase gate', () => {
  it('one thread runs every task of a phase, its own first, while the other never shows up; the late one then finds nothing left', () => {
    const block = createControlBlock(4, 0);
    const early = new SharedGate(block.ctl, block.claims, 2);
    const late = new SharedGate(block.ctl, block.claims, 0);
    for (let phase = 0; phase < 3; phase++) {
      expect(drain(early, phase)).toEqual([2, 3, 0, 1]);
      early.await(phase); // returns: all four finished, though `late` never arrived
    }
    // The late thread walks through the phases it missed without claiming anything.
    for (let phase = 0; phase < 3; phase++) {
      expect(late.claim(phase)).toBe(-1);
      late.await(phase);
    }
    expect(Atomics.load(block.ctl, SLOT_FINISHED)).toBe(12);
    expect([...block.claims]).toEqual([3, 3, 3, 3]);
  });

  it('threads on time each run their own tasks; a task is never run twice', () => {
    const block = createControlBlock(4, 0);
    const a = new SharedGate(block.ctl, block.claims, 0);
    const b = new SharedGate(block.ctl, block.claims, 2);
    const claimed = [a.claim(0), b.claim(0), a.claim(0), b.claim(0), a.claim(0), b.claim(0)];
    expect(claimed).toEqual([0, 2, 1, 3, -1, -1]);
  });

  it('a failure releases a waiting thread with EngineAborted instead of leaving it parked', () => {
    const block = createControlBlock(2, 0);
    const gate = new SharedGate(block.ctl, block.claims, 0);
    expect(gate.claim(0)).toBe(0);
    gate.finish(0); // task 1 is never finished: its thread failed
    reportFailure(block, { code: 'E_TEST', message: 'boom', worker: 1 });
    expect(() => gate.await(0)).toThrow(EngineAborted);
  });

  it('the solo gate hands out every task of each phase in order', () => {
    const gate = new SoloGate(3);
    for (let phase = 0; phase < 2; phase++) {
      const ran: number[] = [];
      for (let q = gate.claim(phase); q >= 0; q = gate.claim(phase)) ran.push(q);
      expect(ran).toEqual([0, 1, 2]);
    }
  });
});
