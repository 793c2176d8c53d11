// The DigitalLine contract: every implementation (fake, libgpiod tools, onoff on sysfs, real pins) passes it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigitalLine, EdgeEvent, Level } from '../../../drivers/io/types.ts';

export interface DrivenInput {
  line: DigitalLine;
  /** Sets the pin level from outside, applying the levels back to back (a burst faster than any debounce). */
  drive(levels: readonly Level[]): Promise<void>;
}

export interface DigitalLineSubject {
  openOutput(initial: Level): Promise<DigitalLine>;
  /** Needed when capabilities.input. */
  openInput?(): Promise<DrivenInput>;
  capabilities: {
    /** Something can drive an input pin (a fake, or a second pin wired to it). */
    input: boolean;
    /** Edge events reach watch() (false where the edge mechanism cannot run, e.g. epoll on a fake sysfs file). */
    edges: boolean;
  };
}

const WAIT = { timeout: 5000, interval: 5 };
const DEBOUNCE_MS = 60;

function record(line: DigitalLine, options?: Parameters<DigitalLine['watch']>[1]): { events: EdgeEvent[]; stop: () => void } {
  const events: EdgeEvent[] = [];
  const stop = line.watch((event) => events.push(event), options);
  return { events, stop };
}

export function digitalLineContract(subject: DigitalLineSubject): void {
  const opened: DigitalLine[] = [];
  afterEach(async () => {
    for (const line of opened.splice(0)) await line.close();
  });

  async function output(initial: Level): Promise<DigitalLine> {
    const line = await subject.openOutput(initial);
    opened.push(line);
    return line;
  }

  async function input(): Promise<DrivenInput> {
    const driven = await subject.openInput!();
    opened.push(driven.line);
    return driven;
  }

  describe('output line', () => {
    it('reads back the level it was opened with', async () => {
      const high = await output(1);
      expect(high.direction).toBe('out');
      expect(await high.read()).toBe(1);
      await high.close();
      expect(await (await output(0)).read()).toBe(0);
    });

    it('reads back each level written', async () => {
      const line = await output(0);
      for (const level of [1, 0, 1, 1, 0] as const) {
        await line.write(level);
        expect(await line.read()).toBe(level);
      }
    });

    it('rejects a level other than 0 or 1 with E_GPIO_VALUE and keeps its level', async () => {
      const line = await output(1);
      await expect(line.write(2 as Level)).rejects.toMatchObject({ code: 'E_GPIO_VALUE' });
      await expect(line.write(true as unknown as Level)).rejects.toMatchObject({ code: 'E_GPIO_VALUE' });
      expect(await line.read()).toBe(1);
    });

    it('refuses watch() with E_GPIO_DIRECTION', async () => {
      const line = await output(0);
      expect(() => line.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'E_GPIO_DIRECTION' }));
    });

    it('rejects read and write after close() with E_GPIO_CLOSED, and a second close() is harmless', async () => {
      const line = await output(0);
      await line.close();
      await line.close();
      await expect(line.read()).rejects.toMatchObject({ code: 'E_GPIO_CLOSED' });
      await expect(line.write(1)).rejects.toMatchObject({ code: 'E_GPIO_CLOSED' });
    });
  });

  describe.skipIf(!subject.capabilities.input)('input line (requires something driving the pin: a fake, or a second pin wired to it)', () => {
    it('reads the level driven onto the pin', async () => {
      const { line, drive } = await input();
      expect(line.direction).toBe('in');
      await drive([1]);
      await vi.waitFor(async () => expect(await line.read()).toBe(1), WAIT);
      await drive([0]);
      await vi.waitFor(async () => expect(await line.read()).toBe(0), WAIT);
    });

    it('refuses write() with E_GPIO_DIRECTION', async () => {
      const { line } = await input();
      await expect(line.write(1)).rejects.toMatchObject({ code: 'E_GPIO_DIRECTION' });
    });
  });

  describe.skipIf(!subject.capabilities.input || !subject.capabilities.edges)('input edges (requires a driven pin and a working edge source)', () => {
    it('reports rising and falling edges in order, each with the level after it', async () => {
      const { line, drive } = await input();
      const { events } = record(line);
      await drive([1]);
      await vi.waitFor(() => expect(events).toHaveLength(1), WAIT);
      await drive([0]);
      await vi.waitFor(() => expect(events).toHaveLength(2), WAIT);
      expect(events.map((e) => [e.edge, e.level])).toEqual([
        ['rising', 1],
        ['falling', 0],
      ]);
      expect(events[1].t_ms).toBeGreaterThanOrEqual(events[0].t_ms);
    });

    it('passes only the edges its filter selects', async () => {
      const { line, drive } = await input();
      const rising = record(line, { edge: 'rising' });
      const falling = record(line, { edge: 'falling' });
      const all = record(line);
      await drive([1]);
      await vi.waitFor(() => expect(all.events).toHaveLength(1), WAIT);
      await drive([0]);
      await vi.waitFor(() => expect(all.events).toHaveLength(2), WAIT);
      await drive([1]);
      await vi.waitFor(() => expect(all.events).toHaveLength(3), WAIT);
      expect(rising.events.map((e) => e.edge)).toEqual(['rising', 'rising']);
      expect(falling.events.map((e) => e.edge)).toEqual(['falling']);
    });

    it('turns a contact bounce into a single debounced edge', async () => {
      const { line, drive } = await input();
      const debounced = record(line, { debounceMs: DEBOUNCE_MS });
      await drive([1, 0, 1, 0, 1]);
      await vi.waitFor(() => expect(debounced.events).toHaveLength(1), WAIT);
      await drive([0]);
      await vi.waitFor(() => expect(debounced.events).toHaveLength(2), WAIT);
      expect(debounced.events.map((e) => e.edge)).toEqual(['rising', 'falling']);
    });

    it('reports nothing for a glitch shorter than the debounce window that returns to the stable level', async () => {
      const { line, drive } = await input();
      const debounced = record(line, { debounceMs: DEBOUNCE_MS });
      await drive([1, 0]);
      await drive([1]);
      await vi.waitFor(() => expect(debounced.events).toHaveLength(1), WAIT);
      expect(debounced.events.map((e) => e.edge)).toEqual(['rising']);
    });

    it('stops delivering to an unsubscribed watcher while others keep receiving', async () => {
      const { line, drive } = await input();
      const kept = record(line);
      const dropped = record(line);
      dropped.stop();
      dropped.stop();
      await drive([1]);
      await vi.waitFor(() => expect(kept.events).toHaveLength(1), WAIT);
      expect(dropped.events).toEqual([]);
    });

    it('refuses watch() after close() with E_GPIO_CLOSED', async () => {
      const { line } = await input();
      await line.close();
      expect(() => line.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'E_GPIO_CLOSED' }));
    });
  });
}
