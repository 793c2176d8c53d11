// AuditLog: append-only records and filtered, newest-first listing.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../agent/store/sqlite.ts';
import { manualClock, tempStore } from './store-fixture.ts';

describe('AuditLog', () => {
  it('appends a record with time, actor, action, target and JSON details', () => {
    const clock = manualClock();
    const { audit } = tempStore({ now: clock.now });
    const record = audit.append({ actor: 'token:ab12', action: 'config.apply', target: 'config/7', details: { from: 6, to: 7 } });
    expect(record).toEqual({ id: 1, at: clock.now(), actor: 'token:ab12', action: 'config.apply', target: 'config/7', details: { from: 6, to: 7 } });
    expect(audit.list()).toEqual([record]);
  });

  it('defaults target to empty and details to {}', () => {
    const { audit } = tempStore();
    expect(audit.append({ actor: 'system', action: 'agent.start' })).toMatchObject({ target: '', details: {} });
  });

  it('lists newest first with filters on actor, action, target, time range and paging', () => {
    const clock = manualClock(1_000);
    const { audit } = tempStore({ now: clock.now });
    const actions = ['config.apply', 'token.create', 'config.apply', 'snapshot.restore', 'config.apply'];
    actions.forEach((action, i) => {
      clock.set(1_000 + i * 100);
      audit.append({ actor: i % 2 === 0 ? 'fleet' : 'admin', action, target: `t${i}` });
    });
    expect(audit.list().map((r) => r.id)).toEqual([5, 4, 3, 2, 1]);
    expect(audit.list({ action: 'config.apply' }).map((r) => r.id)).toEqual([5, 3, 1]);
    expect(audit.list({ actor: 'admin' }).map((r) => r.id)).toEqual([4, 2]);
    expect(audit.list({ target: 't3' }).map((r) => r.id)).toEqual([4]);
    expect(audit.list({ since: 1_100, until: 1_400 }).map((r) => r.id)).toEqual([4, 3, 2]);
    expect(audit.list({ action: 'config.apply', beforeId: 5, limit: 1 }).map((r) => r.id)).toEqual([3]);
  });

  it('is append-only in the database itself: UPDATE and DELETE are refused', () => {
    const store = tempStore();
    store.audit.append({ actor: 'a', action: 'b' });
    const raw = openDatabase(store.path, { busyTimeoutMs: 1000, walSizeLimitBytes: 1 << 20 });
    try {
      expect(() => raw.run("UPDATE audit_log SET actor = 'mallory'")).toThrow(expect.objectContaining({ code: 'E_STORE_CONSTRAINT' }));
      expect(() => raw.run('DELETE FROM audit_log')).toThrow(expect.objectContaining({ code: 'E_STORE_CONSTRAINT' }));
    } finally {
      raw.close();
    }
    expect(store.audit.list()).toHaveLength(1);
  });

  it('rejects an empty actor or action and unserialisable details with E_AUDIT_INVALID', () => {
    const { audit } = tempStore();
    expect(() => audit.append({ actor: '', action: 'x' })).toThrow(expect.objectContaining({ code: 'E_AUDIT_INVALID', path: 'actor' }));
    expect(() => audit.append({ actor: 'a', action: '' })).toThrow(expect.objectContaining({ code: 'E_AUDIT_INVALID', path: 'action' }));
    expect(() => audit.append({ actor: 'a', action: 'x', details: () => 1 })).toThrow(expect.objectContaining({ code: 'E_AUDIT_INVALID', path: 'details' }));
    expect(audit.list()).toEqual([]);
  });
});
