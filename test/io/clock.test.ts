// The manual clock that simulation and tests run on: timer order, nested scheduling, monotonic time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';

describe('ManualClock', () => {
  it('fires timers in due order at their own due time, ties in creation order', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(20, () => fired.push(`c@${clock.now()}`));
    clock.advance(50);
    expect(fired).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.now()).toBe(150);
  });

  it('fires a timer scheduled by another timer when it falls inside the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimer(10, () => clock.setTimer(10, () => fired.push(clock.now())));
    clock.advance(25);
    expect(fired).toEqual([20]);
  });

  it('does not fire cancelled timers', () => {
    const clock = new ManualClock();
    let fired = false;
    const cancel = clock.setTimer(5, () => {
      fired = true;
    });
    cancel();
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never goes backwards when a timer callback advances the clock itself', () => {
    const clock = new ManualClock();
    clock.setTimer(10, () => clock.advance(100));
    clock.advance(20);
    expect(clock.now()).toBe(110);
  });
});
