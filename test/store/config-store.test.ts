// ConfigStore: recording versions, status moves, the current config, and idempotent redelivery.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { manualClock, tempStore } from './store-fixture.ts';

describe('ConfigStore', () => {
  it('records a version with its JSON text, sha256, source and pending status', () => {
    const clock = manualClock();
    const { config } = tempStore({ now: clock.now });
    const recorded = config.record({ version: 3, config: { mqtt: { url: 'mqtt://x' } }, source: 'fleet' });
    expect(recorded).toEqual({
      version: 3,
      json: '{"mqtt":{"url":"mqtt://x"}}',
      sha256: createHash('sha256').update('{"mqtt":{"url":"mqtt://x"}}').digest('hex'),
      source: 'fleet',
      status: 'pending',
      error: null,
      recordedAt: clock.now(),
      appliedAt: null,
    });
    expect(config.get(3)).toEqual(recorded);
    expect(config.current()).toBeUndefined();
  });

  it('numbers versions after the highest one when no version is given', () => {
    const { config } = tempStore();
    expect(config.latestVersion()).toBe(0);
    expect(config.record({ config: {}, source: 'file' }).version).toBe(1);
    config.record({ version: 10, config: { a: 1 }, source: 'fleet' });
    expect(config.record({ config: { b: 2 }, source: 'api' }).version).toBe(11);
  });

  it('returns the stored version when the same version and content is recorded again', () => {
    const clock = manualClock();
    const { config } = tempStore({ now: clock.now });
    const first = config.record({ version: 2, config: { a: 1 }, source: 'fleet' });
    clock.advance(1000);
    expect(config.record({ version: 2, config: { a: 1 }, source: 'fleet' })).toEqual(first);
    expect(config.list()).toHaveLength(1);
  });

  it('refuses the same version with different content with E_CONFIG_VERSION_CONFLICT', () => {
    const { config } = tempStore();
    config.record({ version: 2, config: { a: 1 }, source: 'fleet' });
    expect(() => config.record({ version: 2, config: { a: 2 }, source: 'fleet' })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_VERSION_CONFLICT', path: 'version' }),
    );
  });

  it('makes the most recently applied version current, and the previous one again after a rollback', () => {
    const clock = manualClock();
    const { config } = tempStore({ now: clock.now });
    config.record({ version: 1, config: { v: 1 }, source: 'file', status: 'applied' });
    config.record({ version: 2, config: { v: 2 }, source: 'fleet' });
    expect(config.current()?.version).toBe(1);
    clock.advance(10);
    const applied = config.setStatus(2, 'applied');
    expect(applied.appliedAt).toBe(clock.now());
    expect(config.current()?.version).toBe(2);
    config.setStatus(2, 'rolled_back', 'health gate failed');
    expect(config.current()?.version).toBe(1);
    expect(config.get(2)).toMatchObject({ status: 'rolled_back', error: 'health gate failed' });
  });

  it('orders applications by a counter, not the clock, so a clock that went back does not change the current config', () => {
    const clock = manualClock();
    const { config } = tempStore({ now: clock.now });
    config.record({ version: 1, config: { v: 1 }, source: 'file', status: 'applied' });
    clock.advance(-365 * 86_400_000); // booted with a stale clock
    config.record({ version: 2, config: { v: 2 }, source: 'fleet', status: 'applied' });
    expect(config.current()?.version).toBe(2);
  });

  it('re-applying an older applied version makes it current again', () => {
    const { config } = tempStore();
    config.record({ version: 1, config: { v: 1 }, source: 'file', status: 'applied' });
    config.record({ version: 2, config: { v: 2 }, source: 'fleet', status: 'applied' });
    config.setStatus(1, 'applied');
    expect(config.current()?.version).toBe(1);
  });

  it('keeps the rejection reason and refuses moves the lifecycle does not allow', () => {
    const { config } = tempStore();
    config.record({ version: 1, config: { v: 1 }, source: 'fleet' });
    expect(config.setStatus(1, 'rejected', 'mqtt.url: invalid URL')).toMatchObject({ status: 'rejected', error: 'mqtt.url: invalid URL' });
    expect(() => config.setStatus(1, 'applied')).toThrow(expect.objectContaining({ code: 'E_CONFIG_BAD_TRANSITION' }));
    config.record({ version: 2, config: { v: 2 }, source: 'fleet' });
    expect(() => config.setStatus(2, 'rolled_back')).toThrow(expect.objectContaining({ code: 'E_CONFIG_BAD_TRANSITION' }));
    expect(() => config.setStatus(99, 'applied')).toThrow(expect.objectContaining({ code: 'E_CONFIG_VERSION_UNKNOWN' }));
  });

  it('lists newest first, filtered by status and limited', () => {
    const { config } = tempStore();
    for (let v = 1; v <= 5; v++) config.record({ version: v, config: { v }, source: 'api', status: v % 2 === 0 ? 'applied' : 'pending' });
    expect(config.list().map((c) => c.version)).toEqual([5, 4, 3, 2, 1]);
    expect(config.list({ status: 'applied' }).map((c) => c.version)).toEqual([4, 2]);
    expect(config.list({ limit: 2 }).map((c) => c.version)).toEqual([5, 4]);
    expect(() => config.list({ limit: 0 })).toThrow(expect.objectContaining({ code: 'E_STORE_LIMIT_INVALID' }));
  });

  it('rejects bad input with stable codes and records nothing', () => {
    const { config } = tempStore();
    expect(() => config.record({ version: 0, config: {}, source: 'file' })).toThrow(expect.objectContaining({ code: 'E_CONFIG_VERSION_INVALID' }));
    expect(() => config.record({ version: 1.5, config: {}, source: 'file' })).toThrow(expect.objectContaining({ code: 'E_CONFIG_VERSION_INVALID' }));
    expect(() => config.record({ config: {}, source: 'usb' as never })).toThrow(expect.objectContaining({ code: 'E_CONFIG_SOURCE_INVALID' }));
    expect(() => config.record({ config: {}, source: 'file', status: 'done' as never })).toThrow(expect.objectContaining({ code: 'E_CONFIG_STATUS_INVALID' }));
    expect(() => config.record({ config: undefined, source: 'file' })).toThrow(expect.objectContaining({ code: 'E_CONFIG_NOT_JSON' }));
    expect(config.list()).toEqual([]);
  });
});
