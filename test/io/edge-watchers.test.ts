// Debounce and edge filtering on a manual clock: exact timing of when edges are reported and how they are stamped.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { EdgeWatchers } from '../../drivers/io/gpio/edge-watchers.ts';
import type { EdgeEvent, Level } from '../../drivers/io/types.ts';

function setup(initial: Level, debounceMs: number) {
  const clock = new ManualClock(1000);
  const errors: unknown[] = [];
  const watchers = new EdgeWatchers(clock, (error) => errors.push(error));
  const events: EdgeEvent[] = [];
  const stop = watchers.add(initial, (event) => events.push(event), { debounceMs });
  return { clock, watchers, events, errors, stop };
}

describe('edge debouncing', () => {
  it('reports a change only after it has held for debounceMs, stamped when the final level began', () => {
    const { clock, watchers, events } = setup(0, 20);
    watchers.input(1);
    clock.advance(3);
    watchers.input(0);
    clock.advance(3);
    watchers.input(1); // final level begins at t=1006
    clock.advance(19);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([{ edge: 'rising', level: 1, t_ms: 1006 }]);
  });

  it('reports nothing when a bounce returns to the stable level inside the window', () => {
    const { clock, watchers, events } = setup(1, 20);
    watchers.input(0);
    clock.advance(10);
    watchers.input(1);
    clock.advance(100);
    expect(events).toEqual([]);
  });

  it('ignores repeated reports of the same raw level (they do not restart the window)', () => {
    const { clock, watchers, events } = setup(0, 20);
    watchers.input(1);
    clock.advance(15);
    watchers.input(1);
    clock.advance(5);
    expect(events).toEqual([{ edge: 'rising', level: 1, t_ms: 1000 }]);
  });

  it('reports every change immediately with debounceMs 0', () => {
    const { watchers, events } = setup(0, 0);
    watchers.input(1);
    watchers.input(0);
    watchers.input(0);
    expect(events.map((e) => e.edge)).toEqual(['rising', 'falling']);
  });

  it('gives each subscriber its own filter and debounce window', () => {
    const clock = new ManualClock();
    const watchers = new EdgeWatchers(clock, () => undefined);
    const fast: EdgeEvent[] = [];
    const slowRising: EdgeEvent[] = [];
    watchers.add(0, (e) => fast.push(e));
    watchers.add(0, (e) => slowRising.push(e), { debounceMs: 50, edge: 'rising' });
    watchers.input(1);
    clock.advance(10);
    watchers.input(0);
    clock.advance(60);
    watchers.input(1);
    clock.advance(60);
    expect(fast.map((e) => e.edge)).toEqual(['rising', 'falling', 'rising']);
    expect(slowRising).toEqual([{ edge: 'rising', level: 1, t_ms: 70 }]);
  });

  it('cancels a pending debounced edge on unsubscribe', () => {
    const { clock, watchers, events, stop } = setup(0, 20);
    watchers.input(1);
    stop();
    clock.advance(50);
    expect(events).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('isolates a throwing subscriber and forwards source failures to onError', () => {
    const clock = new ManualClock();
    const listenerErrors: unknown[] = [];
    const watchers = new EdgeWatchers(clock, (error) => listenerErrors.push(error));
    const sourceErrors: Error[] = [];
    const seen: EdgeEvent[] = [];
    watchers.add(0, () => {
      throw new Error('subscriber bug');
    });
    watchers.add(0, (e) => seen.push(e), { onError: (error) => sourceErrors.push(error) });
    watchers.input(1);
    watchers.fail(new Error('monitor died'));
    expect(seen).toHaveLength(1);
    expect(listenerErrors).toHaveLength(1);
    expect(sourceErrors.map((e) => e.message)).toEqual(['monitor died']);
  });
});
